"""Rediscover's Streamlit front end, served by ui/serve.py (`kg ui` or `streamlit run ui/serve.py`).

The entry script builds the navigation and the controls every page shares (the as_of year), then
runs the chosen page. Pages live in ui/views/, not ui/pages/: Streamlit treats a ``pages/`` folder
beside the entry script as a legacy multipage app and then ignores ``st.navigation`` (seen in a
real browser: the shared sidebar control vanished). Caching and links: ui/state.py; drawing:
ui/render.py; every query: queries/.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from kg.artefact import ArtefactMissing, default_root
from ui import state

HERE = Path(__file__).parent

st.set_page_config(page_title="Rediscover", page_icon=":material/genetics:", layout="wide")

#: (file in ui/views/, title, icon, url path); the first is the default page.
VIEWS = [
    ("overview.py", "Overview", ":material/dashboard:", "home"),
    ("evidence.py", "Evidence browser", ":material/search:", "evidence"),
    ("profile.py", "Tumour profile", ":material/patient_list:", "profile"),
    ("graph.py", "Graph explorer", ":material/hub:", "graph"),
    ("signals.py", "Tumour-agnostic signals", ":material/target:", "signals"),
    ("candidates.py", "Candidate cohorts", ":material/science:", "candidates"),
    ("cypher.py", "Cypher console", ":material/terminal:", "cypher"),
]
PAGES = [st.Page(HERE / "views" / file, title=title, icon=icon, url_path=url, default=i == 0)
         for i, (file, title, icon, url) in enumerate(VIEWS)]
# The default page is served at "/" (its own path, "home", is reserved but not served); a hidden
# twin at /overview makes a bookmark of /overview work.
ALIASES = [st.Page(HERE / "views" / "overview.py", title="Overview", url_path="overview",
                   visibility="hidden")]

nav = st.navigation(PAGES + ALIASES)

with st.sidebar:
    st.markdown("**Rediscover** · drug × alteration × tumour type")
    try:
        key = state.artefact_key()
        years = state.cached_years(key)
        state.restore(state.AS_OF_STATE)
        if st.session_state.get(state.AS_OF_STATE) not in (state.ALL_YEARS, *years):
            st.session_state.pop(state.AS_OF_STATE, None)
        st.selectbox("Evidence known as of year", [state.ALL_YEARS, *years],
                     key=state.AS_OF_STATE,
                     help="Analyses use only reports and evidence published up to this year, and "
                          "each cohort's latest report known then.")
        state.remember(state.AS_OF_STATE)
        st.caption(f"Graph built {key[1]} · {default_root()}")
    except ArtefactMissing:
        pass

nav.run()
