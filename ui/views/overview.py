"""Overview: what the graph holds, how cohorts compare, and where every number comes from."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import data

st.title("Overview")
setup = data.page_setup()
if setup is None:
    st.stop()
key, art = setup
as_of = data.as_of()

stats = data.cached_stats(key)
current, header = data.cached_current(key, as_of)
cov = stats["coverage"]

cols = st.columns(5)
cols[0].metric("Trials", cov["trials"])
cols[1].metric("Cohorts", cov["cohorts"])
cols[2].metric("Reports", cov["results"])
cols[3].metric("Cohorts with a current report", len(current))
cols[4].metric("Evidence items", stats["nodes"].get("Evidence", 0))
st.caption(data.as_of_note(header))

n_private = int(current["private"].fillna(False).astype(bool).sum())
if n_private:
    st.info(f"🔒 {n_private} cohort(s) come from a committee's own (private) table; they are "
            "marked 'private' below and are never exported without --include-private.")

st.subheader("Counts by trial")
by_trial = pd.DataFrame(stats["by_trial"])
if not by_trial.empty:
    by_trial["source"] = [data.origin(s, str(s).startswith("committee:"))
                          for s in by_trial["source"]]
st.dataframe(by_trial, hide_index=True, width="stretch")

left, right = st.columns(2)
with left:
    st.subheader("Cohorts by tumour type")
    st.dataframe(current.groupby("tumour_type_name", dropna=False)
                 .agg(cohorts=("cohort", "size"), evaluable=("n_evaluable", "sum"))
                 .sort_values("cohorts", ascending=False).reset_index(),
                 hide_index=True, width="stretch")
with right:
    st.subheader("Cohorts by alteration")
    st.dataframe(current.groupby("alteration_name", dropna=False)
                 .agg(cohorts=("cohort", "size"), evaluable=("n_evaluable", "sum"))
                 .sort_values("cohorts", ascending=False).reset_index(),
                 hide_index=True, width="stretch")

st.subheader("Response rates by trial (exact 95 % CI)")
rates = data.response_rates(current)
trial_names = sorted(rates["trial_name"].dropna().unique())
chosen = st.multiselect("Trials", trial_names, default=trial_names, key="overview_trials")
rates = rates[rates["trial_name"].isin(chosen)]
st.caption(f"{len(rates)} cohort(s) with evaluable patients and a response count; each cohort's "
           "current report only (no patient counted twice).")
if not rates.empty:
    st.plotly_chart(data.cached_rate_figure(key, as_of, tuple(chosen)), width="stretch")
    st.dataframe(rates[["trial_name", "cohort_label", "n_response", "n_evaluable", "orr",
                        "ci_low", "ci_high", "origin", "result", "source_file", "source_row"]],
                 hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="percent")
                                for c in ("orr", "ci_low", "ci_high")})

st.subheader("Data sources, versions and licences")
sources = data.sources_frame(art.manifest)
st.dataframe(sources, hide_index=True, width="stretch")
st.caption(f"Graph built {art.manifest.get('built_at')} · schema "
           f"{art.manifest.get('schema_version')} · {art.path}")
st.markdown(
    "Tumour types: **OncoTree** (Memorial Sloan Kettering Cancer Center, "
    "[github.com/cBioPortal/oncotree](https://github.com/cBioPortal/oncotree)), used under "
    "[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/).")
names = " ".join(str(s).lower() for s in sources.get("source", []))
if "moa" in names:
    st.warning("Molecular Oncology Almanac (MOAlmanac) content is licensed GPL-2.0 and is for "
               "research use only; it is not clinical advice.")
