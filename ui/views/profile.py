"""Tumour profile: one tumour type and its alterations against cohorts, open arms, knowledgebase
evidence and candidate cohorts (queries.profile). Evidence for a committee, not advice."""

from __future__ import annotations

import streamlit as st

from kg.schema import Label
from queries.profile import NOT_ADVICE
from ui import render, state

WIDGETS = ("pf_tumour", "pf_alterations")

st.title("Tumour profile")
st.warning(NOT_ADVICE)
key, art = state.page_setup()
as_of = state.as_of()
state.restore(*WIDGETS)

c1, c2 = st.columns([1, 2])
tumours = state.cached_options(key, (Label.TUMOUR_TYPE,))
tumour = c1.selectbox("Tumour type", list(tumours), index=None, format_func=tumours.get,
                      key="pf_tumour", placeholder="choose (e.g. COADREAD)")
alts = state.cached_options(key, (Label.ALTERATION,))
chosen = c2.multiselect("Alterations", list(alts), format_func=alts.get, key="pf_alterations",
                        placeholder="choose one or more (e.g. BRAF V600E)")
state.remember(*WIDGETS)
if not tumour or not chosen:
    st.info("Choose a tumour type and at least one alteration.")
    st.stop()

p = state.cached_profile(key, tumour, tuple(chosen), as_of)
st.caption(f"{p.header['tumour_type']} · {p.header['alterations']}"
           + (f" · as of {as_of}" if as_of else ""))
pct = {c: st.column_config.NumberColumn(format="percent")
       for c in ("orr", "orr_low", "orr_high", "pred_response")}
for name, title in (("summary", "Per alteration and treatment"),
                    ("cohorts", "Cohorts with outcomes and how each matches"),
                    ("arms", "Open or planned arms that would take the patient"),
                    ("evidence", "Knowledgebase evidence for and against"),
                    ("candidates", "Candidate new cohorts for this histology")):
    df = getattr(p, name)
    st.subheader(f"{title} ({len(df)})")
    if df.empty:
        st.caption("None.")
    else:
        st.dataframe(render.json_safe(df), hide_index=True, width="stretch",
                     column_config=pct, key=f"pf_{name}_table")
