"""Candidate cohorts: ranked proposals, the rows behind each, and the Simon two-stage design.

Ranking, rationale and designs are queries.gaps.candidate_cohorts'; this page chooses parameters,
shows the supporting rows from the evidence table and exports CSV.
"""

from __future__ import annotations

import streamlit as st

from kg.csv_safe import csv_bytes
from kg.schema import Label
from kg.stores.selection import private_label
from queries.evidence_table import as_of_note, rationale_rows, split_ids
from ui import render, state

st.title("Candidate cohorts")
key, art = state.page_setup()
as_of = state.as_of()
params = state.analysis_controls("cand")
if params is None:
    st.stop()
frozen = tuple(sorted(params.items()))

ranked, header = state.cached_analysis(key, "candidate_cohorts", as_of, frozen)
st.caption(as_of_note(header))

st.markdown(
    f"**Simon two-stage designs** for p0={params['p0']:g}, p1={params['p1']:g} "
    f"(α=0.05, β=0.20)  \n{header.get('simon_optimal', '–')}  \n"
    f"{header.get('simon_minimax', '–')}  \n"
    f"**DRUP-like rule** ({header.get('drup_rule', '8 → 24')}): type I error "
    f"{header.get('drup_type_i_error', float('nan')):.3f}, power "
    f"{header.get('drup_power', float('nan')):.3f}, expected size under p0 "
    f"{header.get('drup_en0', float('nan'))}")

tiers = sorted(t for t in ranked.get("evidence_tier", []).dropna().unique() if t) \
    if len(ranked) else []
tier_pick = st.multiselect("Best supporting evidence tier", tiers, key="cand_tiers",
                           placeholder="any")
rows = ranked[ranked["evidence_tier"].isin(tier_pick)] if tier_pick else ranked
st.markdown(f"**{len(rows)} candidate(s)** of {len(ranked)}")
st.dataframe(rows, hide_index=True, width="stretch",
             column_config={c: st.column_config.NumberColumn(format="percent")
                            for c in ("pred_response", "pred_p_above_p0", "drup_success_prob",
                                      "success_prob", "success_low", "success_high")})
st.download_button("Download CSV", csv_bytes(rows),
                   "rediscover_candidate_cohorts.csv", "text/csv", key="cand_download")

st.subheader("Rationale rows")
if rows.empty:
    st.info("No candidate with these parameters.")
else:
    # Keyed and labelled by the triple, never by its rank: a rank changes with the year and
    # the browser holds the choice as its label (see signals.py).
    triples = rows["treatment_group"] + " | " + rows["alteration_group"] + " | " \
        + rows["histology"].astype(str)
    names = {t: f"{r.treatment_group} · {r.alteration_group_name} → {r.histology_name}"
             for t, r in zip(triples, rows.itertuples(), strict=True)}
    if st.session_state.get("cand_pick") not in names:
        st.session_state.pop("cand_pick", None)
    pick = st.selectbox("Candidate", list(names), format_func=names.get, key="cand_pick")
    cand = rows[triples == pick].iloc[0]
    st.caption(f"Rank #{cand['rank']}")
    st.markdown(f"**Why:** {cand['rationale']}")
    if cand["success_prob"] == cand["success_prob"]:  # NaN when nothing to borrow from
        st.caption(f"Simon optimal {cand['simon_optimal']} · minimax {cand['simon_minimax']} · "
                   f"probability a new cohort of the ranking design "
                   f"({header.get('ranked_by', 'drup')}) succeeds, integrated over the "
                   f"predictive: {cand['success_prob']:.0%} ({cand['success_low']:.0%}–"
                   f"{cand['success_high']:.0%} over the between-histology mean and SD) · "
                   f"support: {cand['support_histologies']} histologies, "
                   f"{cand['support_patients']} patients, {cand['support_trials']} trials")
    table = state.cached_evidence_table(key, as_of, False)
    support = rationale_rows(table, split_ids(cand["supporting_rows"]))
    st.dataframe(support, hide_index=True, width="stretch", column_config={
        "publication_link": st.column_config.LinkColumn("publication link"),
        "nct_link": st.column_config.LinkColumn("registry"),
        "record_link": st.column_config.LinkColumn("record / source"),
        "orr": st.column_config.NumberColumn("ORR", format="percent")})
    st.download_button("Download these rows (CSV)", csv_bytes(support),
                       "rediscover_candidate_rationale.csv", "text/csv",
                       key="cand_rationale_download")

# ---------------------------------------------------------------- pooling across trials
st.subheader("Pool cohorts across trials")
st.caption("Small cohorts of one treatment × alteration × tumour type from several trials "
           "(queries.pooled): rows that differ in regimen class, benefit definition or line of "
           "therapy are flagged and left out of the pooled figure rather than mixed.")
c1, c2, c3, c4 = st.columns(4)
state.restore("pool_drug", "pool_alteration", "pool_tumour", "pool_endpoint")
drug_choices = state.cached_options(key, (Label.DRUG, Label.REGIMEN)) | {
    f"class:{c}": f"{c} (drug class)" for c in state.cached_drug_classes(key)}
treatment = c1.selectbox("Drug, regimen or drug class", list(drug_choices), index=None,
                         format_func=drug_choices.get, key="pool_drug", placeholder="choose")
alt_choices = state.cached_options(key, (Label.ALTERATION,))
alteration = c2.selectbox("Alteration (with narrower ones)", list(alt_choices), index=None,
                          format_func=alt_choices.get, key="pool_alteration",
                          placeholder="choose")
tumour_choices = state.cached_options(key, (Label.TUMOUR_TYPE,))
tumour = c3.selectbox("Tumour type (with sub-types)", list(tumour_choices), index=None,
                      format_func=tumour_choices.get, key="pool_tumour", placeholder="choose")
endpoint = c4.selectbox("Endpoint", ["response", "benefit"], key="pool_endpoint")
state.remember("pool_drug", "pool_alteration", "pool_tumour", "pool_endpoint")
if treatment and alteration and tumour:
    pool, pool_header = state.cached_pool(key, treatment, alteration, tumour, endpoint, as_of)
    if pool is None:
        st.error(pool_header["error"])
    elif pool.empty:
        st.info("No cohort with counts matches this treatment × alteration × tumour type"
                + (f": {pool_header['note']}" if pool_header.get("note") else "."))
    else:
        h = pool_header
        st.markdown(
            f"**Pooled {h['pooled_k']}/{h['pooled_n']} = {h['pooled_rate']:.0%}** "
            f"(exact 95% CI {h['pooled_low']:.0%}–{h['pooled_high']:.0%}) from "
            f"{h['pooled_units']} cohort(s) in {h['trials']} trial(s); "
            f"{h['flagged_units']} flagged and left out. Between-trial heterogeneity: "
            + (f"exact p = {render.fmt_p(h['between_trial_exact_p'])}, "
               f"I² = {render.fmt_p(h['between_trial_i2'])}. "
               if h["trials"] > 1 else "not computable from one trial. ")
            +
            f"Cohorts below 24 patients pooled under the 8 → 24 rule: "
            f"{h['pooled_below_24_state']} ({h['pooled_below_24_needed']} more patient(s) "
            "needed).")
        st.dataframe(render.json_safe(pool.assign(origin=[
                         private_label(s, p) for s, p in
                         zip(pool["source"], pool["private"], strict=True)])),
                     hide_index=True, width="stretch",
                     column_config={c: st.column_config.NumberColumn(format="percent")
                                    for c in ("rate", "low", "high")})
        st.download_button("Download pooled rows (CSV)", csv_bytes(pool),
                           "rediscover_pooled.csv", "text/csv", key="pool_download")
