"""Rediscover's Streamlit front end: `streamlit run ui/app.py` or `kg ui`.

The entry script builds the navigation and the controls every page shares (the as_of year), then
runs the chosen page. Pages live in ui/views/, not ui/pages/: Streamlit treats a ``pages/`` folder
beside the entry script as a legacy multipage app and then ignores ``st.navigation`` (seen in a
real browser: the shared sidebar control vanished). Data access is in ui/data.py.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from kg.artefact import ArtefactMissing, default_root
from ui import data

HERE = Path(__file__).parent

st.set_page_config(page_title="Rediscover", page_icon=":material/genetics:", layout="wide")

PAGES = [
    st.Page(HERE / "views" / "overview.py", title="Overview", icon=":material/dashboard:", url_path="overview",
            default=True),
    st.Page(HERE / "views" / "evidence.py", title="Evidence browser", icon=":material/search:",
            url_path="evidence"),
    st.Page(HERE / "views" / "graph.py", title="Graph explorer", icon=":material/hub:", url_path="graph"),
    st.Page(HERE / "views" / "signals.py", title="Tumour-agnostic signals", icon=":material/target:",
            url_path="signals"),
    st.Page(HERE / "views" / "candidates.py", title="Candidate cohorts", icon=":material/science:",
            url_path="candidates"),
    st.Page(HERE / "views" / "cypher.py", title="Cypher console", icon=":material/terminal:", url_path="cypher"),
]

nav = st.navigation(PAGES)

with st.sidebar:
    st.markdown("**Rediscover** · drug × alteration × tumour type")
    try:
        key = data.artefact_key()
        years = data.cached_years(key)
        st.selectbox("Evidence known as of year", [data.ALL_YEARS, *years], key=data.AS_OF_STATE,
                     help="Analyses use only reports and evidence published up to this year, and "
                          "each cohort's latest report known then.")
        st.caption(f"Graph built {key[1]} · {default_root()}")
    except ArtefactMissing:
        pass

nav.run()
