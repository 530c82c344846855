"""Rediscover's Streamlit front end: `streamlit run ui/app.py` or `kg ui`.

The entry script builds the navigation and the controls every page shares (the as_of year), then
runs the chosen page. Pages live in ui/pages/; data access is in ui/data.py.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from kg.artefact import ArtefactMissing, default_root
from ui import data

HERE = Path(__file__).parent

st.set_page_config(page_title="Rediscover", page_icon="🧬", layout="wide")

PAGES = [
    st.Page(HERE / "pages" / "overview.py", title="Overview", icon="📊", url_path="overview",
            default=True),
    st.Page(HERE / "pages" / "evidence.py", title="Evidence browser", icon="🔎",
            url_path="evidence"),
    st.Page(HERE / "pages" / "graph.py", title="Graph explorer", icon="🕸️", url_path="graph"),
    st.Page(HERE / "pages" / "signals.py", title="Tumour-agnostic signals", icon="🎯",
            url_path="signals"),
    st.Page(HERE / "pages" / "candidates.py", title="Candidate cohorts", icon="🧪",
            url_path="candidates"),
    st.Page(HERE / "pages" / "cypher.py", title="Cypher console", icon="⌨️", url_path="cypher"),
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
