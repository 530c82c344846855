"""Overview: what the graph holds, how cohorts compare, and where every number comes from."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kg.stores.selection import private_label
from queries.estimates import clopper_pearson_many
from queries.evidence_table import as_of_note, gene_symbols
from ui import render, state

st.title("Overview")
key, art = state.page_setup()
as_of = state.as_of()

stats = state.cached_stats(key)
current, header = state.cached_current(key, as_of)
cov = stats["coverage"]

cols = st.columns(5)
cols[0].metric("Trials", cov["trials"])
cols[1].metric("Cohorts", cov["cohorts"])
cols[2].metric("Reports", cov["results"])
cols[3].metric("Cohorts with a current report", len(current))
cols[4].metric("Evidence items", stats["nodes"].get("Evidence", 0))
st.caption(as_of_note(header))

n_private = int(current["private"].fillna(False).astype(bool).sum())
if n_private:
    st.info(f"🔒 {n_private} cohort(s) come from a committee's own (private) table; they are "
            "marked 'private' below and are never exported without --include-private.")

st.subheader("Counts by trial")
by_trial = pd.DataFrame(stats["by_trial"])
if not by_trial.empty:
    by_trial["source"] = [private_label(s, str(s).startswith("committee:"))
                          for s in by_trial["source"]]
st.dataframe(by_trial, hide_index=True, width="stretch")

left, right = st.columns(2)
for col, title, by in ((left, "Cohorts by tumour type", "tumour_type_name"),
                       (right, "Cohorts by alteration", "alteration_name")):
    with col:
        st.subheader(title)
        st.dataframe(current.groupby(by, dropna=False)
                     .agg(cohorts=("cohort", "size"), evaluable=("n_evaluable", "sum"))
                     .sort_values("cohorts", ascending=False).reset_index(),
                     hide_index=True, width="stretch")


@st.cache_data(show_spinner=False, max_entries=8)
def response_rates(key: state.Key, as_of_year: int | None) -> pd.DataFrame:
    """Per-cohort response rate with its exact CI (queries.estimates), labelled for the plot."""
    cur, _ = state.cached_current(key, as_of_year)
    df = cur[(cur["n_evaluable"].fillna(0) > 0) & cur["n_response"].notna()].copy()
    df["orr"] = df["n_response"].astype(float) / df["n_evaluable"].astype(float)
    df["ci_low"], df["ci_high"] = clopper_pearson_many(df["n_response"], df["n_evaluable"])
    private = df["private"].fillna(False).astype(bool)
    # Two lines per cohort (render.forest_figure breaks at "\n"), so the plot keeps its width.
    df["cohort_label"] = (private.map({True: "[private committee] ", False: ""})
                          + df["regimen_name"].fillna("?") + " · "
                          + df["alteration_name"].fillna("?") + "\n"
                          + df["tumour_type_name"].fillna("?") + " · " + df["arm"].fillna(""))
    df["origin"] = [private_label(s, p) for s, p in
                    zip(df["result_source"], df["private"], strict=True)]
    # A signature or multi-gene selection (MSI-H, NTRK1/2/3 fusion) is its own group.
    df["gene"] = df["alteration"].map(gene_symbols(state.artefact(key))).fillna(
        df["alteration_name"]).fillna("?")
    df["drug_class"] = df["drug_classes"].fillna("?").astype(str).str.replace(";", " + ")
    return df.sort_values(["trial_name", "orr"], ascending=[True, False], ignore_index=True)


st.subheader("Response rates (exact 95 % CI)")
rates = response_rates(key, as_of)
GROUPINGS = {"trial": "trial_name", "gene": "gene", "drug class": "drug_class"}
group_keys = tuple(f"overview_group_{g.replace(' ', '_')}" for g in GROUPINGS)
state.restore("overview_by", *group_keys)
c1, c2 = st.columns([1, 3])
by = c1.radio("Forest plot per", list(GROUPINGS), horizontal=True, key="overview_by")
counts = rates[GROUPINGS[by]].value_counts()
groups = sorted(counts.index, key=lambda g: (-counts[g], str(g)))
# One selector per grouping (its own key), so a trial chosen before never stands for a gene.
group_key = f"overview_group_{by.replace(' ', '_')}"
if st.session_state.get(group_key) not in groups:
    st.session_state.pop(group_key, None)
# Options are the names alone: counts change with the year, and the browser holds a choice
# as its text.
group = c2.selectbox(f"Which {by}" + (" (or signature)" if by == "gene" else ""), groups,
                     key=group_key,
                     help="Ordered by the number of cohorts with counts.")
state.remember("overview_by", *group_keys)
shown = rates[rates[GROUPINGS[by]] == group]
st.caption(f"{len(shown)} of {len(rates)} cohort(s) with evaluable patients and a response "
           "count; each cohort's current report only (no patient counted twice).")
if not shown.empty:
    st.plotly_chart(render.forest_figure(shown), width="stretch", key="overview_forest")
    st.dataframe(shown[["trial_name", "cohort_label", "n_response", "n_evaluable", "orr",
                        "ci_low", "ci_high", "origin", "result", "source_file", "source_row"]],
                 hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="percent")
                                for c in ("orr", "ci_low", "ci_high")})

st.subheader("Data sources, versions and licences")
sources = render.sources_frame(art.manifest)
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
