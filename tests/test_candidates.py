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
