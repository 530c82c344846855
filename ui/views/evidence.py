"""Evidence browser: cohort reports and knowledgebase evidence, filtered through the hierarchies."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kg.csv_safe import csv_bytes
from kg.schema import Label
from ui import data

#: Rows offered in the detail picker (thousands of options slow the browser down).
MAX_DETAIL_CHOICES = 300

st.title("Evidence browser")
setup = data.page_setup()
if setup is None:
    st.stop()
key, art = setup
as_of = data.as_of()

current_only = st.toggle("Current report per cohort only", value=True, key="ev_current",
                         help="Off: also list interim reports that later ones supersede.")
table = data.cached_evidence_table(key, as_of, current_only)
st.caption(data.as_of_note(data.cached_as_of_header(key, as_of)))


def _missing(value: object) -> bool:
    return bool(pd.isna(value)) if pd.api.types.is_scalar(value) else False


def pick(label: str, choices: dict[str, str], widget_key: str) -> str | None:
    return st.selectbox(label, list(choices), index=None, key=widget_key,
                        format_func=choices.get, placeholder="any")


c1, c2, c3 = st.columns(3)
with c1:
    genes = sorted(table["gene"].dropna().unique())
    gene = st.selectbox("Gene", genes, index=None, key="ev_gene", placeholder="any")
    alteration = pick("Alteration (includes narrower ones)",
                      data.cached_options(key, (Label.ALTERATION,)), "ev_alteration")
with c2:
    drug = pick("Drug or regimen", data.cached_options(key, (Label.DRUG, Label.REGIMEN)),
                "ev_drug")
    tumour = pick("Tumour type (includes sub-types)",
                  data.cached_options(key, (Label.TUMOUR_TYPE,)), "ev_tumour")
with c3:
    trial_choices = data.cached_options(key, (Label.TRIAL,))
    trials = st.multiselect("Trial", list(trial_choices), format_func=trial_choices.get,
                            key="ev_trials", placeholder="any")
    tiers = st.multiselect("Evidence tier", sorted(table["tier"].dropna().unique()),
                           key="ev_tiers", placeholder="any")

rows = data.filter_evidence(table, art, gene=gene, alteration=alteration, drug_or_regimen=drug,
                            tumour_type=tumour, trials=trials, tiers=tiers)
n_private = int(rows["private"].sum())
st.markdown(f"**{len(rows)} row(s)** · {int((rows['kind'] == 'cohort report').sum())} cohort "
            f"report(s), {int((rows['kind'] != 'cohort report').sum())} knowledgebase item(s)"
            + (f" · 🔒 {n_private} private committee row(s)" if n_private else ""))

shown = rows.drop(columns=["trial", "alteration", "regimen", "tumour_type"])
st.dataframe(
    shown, hide_index=True, width="stretch",
    column_config={
        "publication_link": st.column_config.LinkColumn("publication link"),
        "nct_link": st.column_config.LinkColumn("registry"),
        "record_link": st.column_config.LinkColumn("record / source"),
        "orr": st.column_config.NumberColumn("ORR", format="percent"),
        "orr_ci_low": st.column_config.NumberColumn("CI low", format="percent"),
        "orr_ci_high": st.column_config.NumberColumn("CI high", format="percent"),
        "id": st.column_config.TextColumn("result / evidence id"),
        "source_row": st.column_config.NumberColumn("source row", format="%d"),
    },
)
st.caption("Every cohort figure is traceable: the result id, the curated file and its line "
           "number are in the last columns. Confidence intervals are exact (Clopper–Pearson).")
st.download_button("Download CSV", csv_bytes(shown), "rediscover_evidence.csv",
                   "text/csv", key="ev_download")

st.subheader("Row details")
detail_ids = list(rows["id"].head(MAX_DETAIL_CHOICES))
detail_id = st.selectbox("Show one row in full (trace a figure to its source)", detail_ids,
                         index=None, key="ev_detail", placeholder="choose a row")
if len(rows) > MAX_DETAIL_CHOICES:
    st.caption(f"The first {MAX_DETAIL_CHOICES} of {len(rows)} rows are offered: narrow the "
               "filters to reach the others.")
if detail_id is not None:
    record = rows.loc[rows["id"] == detail_id].iloc[0]
    shown_fields = [(k, str(v)) for k, v in record.items() if v is not None and not _missing(v)]
    st.table(pd.DataFrame(shown_fields, columns=["field", "value"]).set_index("field"))
