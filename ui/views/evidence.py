"""Evidence browser: cohort reports and knowledgebase evidence, filtered through the hierarchies
(queries.selection: alteration with narrower and broader ones, tumour type with sub-types)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kg.csv_safe import csv_bytes
from kg.schema import Label
from queries.evidence_table import ID_COLUMNS, as_of_note
from queries.selection import Selection, filter_rows
from ui import state

#: Rows offered in the detail picker (thousands of options slow the browser down).
MAX_DETAIL_CHOICES = 300
WIDGETS = ("ev_current", "ev_gene", "ev_alteration", "ev_drug", "ev_classes", "ev_tumour",
           "ev_trials", "ev_tiers", "ev_sources", "ev_detail")

st.title("Evidence browser")
key, art = state.page_setup()
as_of = state.as_of()
state.restore(*WIDGETS)

current_only = st.toggle("Current report per cohort only", value=True, key="ev_current",
                         help="Off: also list interim reports that later ones supersede.")
table = state.cached_evidence_table(key, as_of, current_only)
st.caption(as_of_note(state.cached_as_of_header(key, as_of)))


def _missing(value: object) -> bool:
    return bool(pd.isna(value)) if pd.api.types.is_scalar(value) else False


def pick(label: str, choices: dict[str, str], widget_key: str) -> str | None:
    return st.selectbox(label, list(choices), index=None, key=widget_key,
                        format_func=choices.get, placeholder="any")


c1, c2, c3 = st.columns(3)
with c1:
    gene = st.selectbox("Gene", sorted(table["gene"].dropna().unique()), index=None,
                        key="ev_gene", placeholder="any")
    alteration = pick("Alteration (includes narrower and broader ones)",
                      state.cached_options(key, (Label.ALTERATION,)), "ev_alteration")
with c2:
    drug = pick("Drug or regimen", state.cached_options(key, (Label.DRUG, Label.REGIMEN)),
                "ev_drug")
    all_classes = sorted({c for v in art.nodes(Label.DRUG)["drug_classes"].dropna()
                          for c in str(v).split(";") if c})
    classes = st.multiselect("Drug class", all_classes, key="ev_classes", placeholder="any")
    tumour = pick("Tumour type (includes sub-types)",
                  state.cached_options(key, (Label.TUMOUR_TYPE,)), "ev_tumour")
with c3:
    trial_choices = state.cached_options(key, (Label.TRIAL,))
    trials = st.multiselect("Trial", list(trial_choices), format_func=trial_choices.get,
                            key="ev_trials", placeholder="any")
    tiers = st.multiselect("Evidence tier", sorted(table["tier"].dropna().unique()),
                           key="ev_tiers", placeholder="any")
    # the source names without the private mark ("🔒 private · committee:<file>")
    sources = st.multiselect("Source", sorted({str(o).split(" · ")[-1]
                                               for o in table["origin"].dropna()}),
                             key="ev_sources", placeholder="any")

regimens: tuple[str, ...] = ()
if drug:
    from queries.selection import resolve

    regimens = resolve(art, **({"drug": [drug]} if art.label_of(drug) == Label.DRUG
                               else {"regimen": [drug]})).regimens
rows = filter_rows(art, table, Selection(
    genes=(gene.upper(),) if gene else (), alterations=(alteration,) if alteration else (),
    regimens=regimens, drug_classes=tuple(classes), tumour_types=(tumour,) if tumour else (),
    trials=tuple(trials), tiers=tuple(tiers), sources=tuple(sources)))
rows = rows.drop_duplicates("id").reset_index(drop=True)
n_private = int(rows["private"].sum())
st.markdown(f"**{len(rows)} row(s)** · {int((rows['kind'] == 'cohort report').sum())} cohort "
            f"report(s), {int((rows['kind'] != 'cohort report').sum())} knowledgebase item(s)"
            + (f" · 🔒 {n_private} private committee row(s)" if n_private else ""))

shown = rows.drop(columns=ID_COLUMNS)
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
        "alteration_match": st.column_config.TextColumn("how the alteration matched"),
    },
)
st.caption("Every cohort figure is traceable: the result id, the curated file and its line "
           "number are in the last columns. Confidence intervals are exact (Clopper–Pearson).")
st.download_button("Download CSV", csv_bytes(shown), "rediscover_evidence.csv",
                   "text/csv", key="ev_download")

st.subheader("Row details")
detail_ids = list(rows["id"].head(MAX_DETAIL_CHOICES))
if st.session_state.get("ev_detail") not in detail_ids:
    st.session_state.pop("ev_detail", None)
detail_id = st.selectbox("Show one row in full (trace a figure to its source)", detail_ids,
                         index=None, key="ev_detail", placeholder="choose a row")
state.remember(*WIDGETS)
if len(rows) > MAX_DETAIL_CHOICES:
    st.caption(f"The first {MAX_DETAIL_CHOICES} of {len(rows)} rows are offered: narrow the "
               "filters to reach the others.")
if detail_id is not None:
    record = rows.loc[rows["id"] == detail_id].iloc[0]
    shown_fields = [(k, str(v)) for k, v in record.items() if v is not None and not _missing(v)]
    st.table(pd.DataFrame(shown_fields, columns=["field", "value"]).set_index("field"))
