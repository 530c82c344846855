"""Candidates ranked by the integrated success probability (queries.candidates)."""

from __future__ import annotations

from dataclasses import astuple

import pandas as pd
import pytest

from queries.candidates import design_for, rank_by_success, ranked_candidates
from queries.params import QueryParameterError, Thresholds


def _post(group: str, counts: list[tuple[int, int]], trials: list[str]) -> list[dict]:
    return [{"treatment_group": "drug", "alteration_group": group,
             "alteration_group_name": group, "histology": f"h{i}", "n": n, "k": k,
             "trials": trial} for i, ((k, n), trial) in enumerate(zip(counts, trials,
                                                                          strict=True))]


def _candidate(group: str) -> dict:
    return {"rank": 0, "treatment_group": "drug", "alteration_group": group,
            "alteration_group_name": group, "histology": "new", "evidence_tier": "C",
            "rarity": 0.5}


def test_one_histology_support_ranks_below_five_at_the_same_rate():
    """Group "one": 12/30 in one histology (trial t1). Group "five": 12/30 in each of five
    histologies (trials t1..t4, t4 twice) — the same pooled rate 0.4, same tier, same rarity."""
    post = pd.DataFrame(_post("one", [(12, 30)], ["t1"])
                        + _post("five", [(12, 30)] * 5, ["t1", "t2", "t3", "t4", "t4;t1"]))
    cands = pd.DataFrame([_candidate("one"), _candidate("five")])
    out = rank_by_success(cands, post, Thresholds())
    assert list(out["alteration_group"]) == ["five", "one"]
    five, one = out.iloc[0], out.iloc[1]
    assert (five["support_histologies"], five["support_patients"],
            five["support_trials"]) == (5, 150, 4)
    assert (one["support_histologies"], one["support_patients"],
            one["support_trials"]) == (1, 30, 1)
    assert five["success_prob"] > one["success_prob"]
    assert one["success_high"] - one["success_low"] >= five["success_high"] - five["success_low"]


def test_evidence_against_moves_a_candidate_down_and_an_approval_to_the_bottom():
    """Three groups with the same data (12/30 in one histology), candidates in histology
    "new" with supporting tier C: "a" has tier-B evidence against (as strong or stronger: moved
    down), "b" tier-D evidence against (weaker: listed only), "c" none; a fourth candidate, "d",
    is approved there (supporting tier A)."""
    post = pd.DataFrame([row for g in "abcd" for row in _post(g, [(12, 30)], ["t1"])])
    cands = pd.DataFrame([_candidate(g) for g in "abcd"])
    cands.loc[cands["alteration_group"] == "d", "evidence_tier"] = "A"
    against = pd.DataFrame([
        {"treatment_group": "drug", "alteration_group": "a", "histology": "new",
         "evidence_against": "ev:1;ev:2", "against_tier": "B"},
        {"treatment_group": "drug", "alteration_group": "b", "histology": "new",
         "evidence_against": "ev:3", "against_tier": "D"}])
    out = rank_by_success(cands, post, Thresholds(), against=against)
    order = list(out["alteration_group"])
    assert order.index("a") == 2 and order[-1] == "d"
    a, b, d = (out[out["alteration_group"] == g].iloc[0] for g in "abd")
    assert "evidence against (tier B): ev:1;ev:2" in a["rationale"]
    assert b["flag"] == "weaker evidence against" and "ev:3" in b["rationale"]
    assert d["flag"].startswith("approved use") and "not a new cohort" in d["rationale"]


def test_designs_are_the_drup_rule_and_simons_table_designs():
    # Simon (1989) Table 1, p0 = 0.10, p1 = 0.30, alpha 0.05, power 0.80: optimal 1/10, 5/29
    # (stop at <= 1 of 10, active at > 5 of 29), minimax 1/15, 5/25
    t = Thresholds(p0=0.10, p1=0.30)
    assert astuple(design_for("simon_optimal", t)) == (10, 2, 29, 6)
    assert astuple(design_for("simon_minimax", t)) == (15, 2, 25, 6)
    assert astuple(design_for("drup", t)) == (8, 1, 24, 5)
    with pytest.raises(QueryParameterError, match="unknown design"):
        design_for("bayesian", t)


def test_bundled_candidates_are_ordered_by_success(bundled_artefact):
    out = ranked_candidates(bundled_artefact)
    known = out["success_prob"].dropna()
    assert len(known) > 0
    assert known.is_monotonic_decreasing
    assert list(out["rank"]) == list(range(1, len(out) + 1))


def test_a_negative_cohort_in_a_coarser_histology_counts_against(bundled_artefact):
    """data/cohorts.csv SUMMIT:neratinib-her-mutant:bladder@2018b: 0 responses in 16 patients,
    coded BLADDER (the Bladder/Urinary Tract tissue node); its exact 95% upper bound is
    1 - 0.025 ** (1 / 16) = 0.206, below p1 = 0.3. Bladder Cancer (BLCA's main type) lies
    under BLADDER, so a HER2-TKI × ERBB2-mutation candidate there has that cohort against it."""
    from queries.agnostic import histology_posteriors
    from queries.candidates import negative_cohorts
    from queries.params import Thresholds

    neg = negative_cohorts(bundled_artefact, histology_posteriors(bundled_artefact),
                           Thresholds())
    hit = neg[(neg["treatment_group"] == "HER2 tyrosine kinase inhibitor")
              & (neg["alteration_group"] == "alt:ERBB2:mutation")
              & (neg["histology"] == "Bladder Cancer")]
    assert list(hit["evidence_against"]) == ["result:SUMMIT:neratinib-her-mutant:bladder@2018b"]
    assert list(hit["against_tier"]) == ["B"]
