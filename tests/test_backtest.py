"""The ranking backtest (queries.backtest) on small frames with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from queries.backtest import backtest, naive_order, score


def _triples(histologies: list[str], group: str = "g") -> pd.DataFrame:
    return pd.DataFrame({"treatment_group": "drug", "alteration_group": group,
                         "histology": histologies})


def test_score_counts_precision_recall_and_failures_in_the_top_decile():
    """Ten candidates h1..h10 ranked 1..10. Later reported: h1 failure, h2 success,
    h5 success, h9 success, h10 failure. With k = 3: one success in the top 3 (h2) ->
    precision 1/3; three later successes -> recall 1/3; top decile = rank 1 only, which holds
    one of the two later failures (h1) -> share 1/2."""
    ranked = _triples([f"h{i}" for i in range(1, 11)]).assign(rank=range(1, 11))
    outcomes = _triples(["h1", "h2", "h5", "h9", "h10"]).assign(
        success=[False, True, True, True, False])
    s = score(ranked, outcomes, k=3)
    assert s == {"candidates": 10, "k": 3, "later_tested": 5, "later_successes": 3,
                 "successes_top_k": 1, "later_failures": 2, "failures_top_decile": 1}


def test_naive_baseline_uses_the_nearest_tested_histology():
    """Group g tested in lung (2/20 = 0.10, tissue LUNG) and colon (12/30 = 0.40, tissue
    BOWEL); group h untested anywhere. Candidates: g in rectum (tissue BOWEL -> colon's 0.40),
    g in pleura (tissue LUNG -> lung's 0.10), g in skin (no tissue match -> the most patients:
    colon, 0.40), h in skin (no rate -> last)."""
    post = pd.DataFrame({"treatment_group": "drug", "alteration_group": "g",
                         "histology": ["lung", "colon"], "n": [20, 30], "k": [2, 12]})
    tissue = pd.Series({"lung": "LUNG", "pleura": "LUNG", "colon": "BOWEL", "rectum": "BOWEL",
                        "skin": "SKIN"})
    cands = pd.concat([_triples(["rectum", "pleura", "skin"]), _triples(["skin"], "h")],
                      ignore_index=True)
    out = naive_order(cands, post, tissue)
    assert list(zip(out["alteration_group"], out["histology"], strict=True)) == [
        ("g", "rectum"), ("g", "skin"), ("g", "pleura"), ("h", "skin")]
    assert list(out["naive_rate"][:3]) == pytest.approx([0.4, 0.4, 0.1])
    assert pd.isna(out["naive_rate"].iloc[3])


def test_backtest_runs_on_the_bundled_graph(bundled_artefact):
    out = backtest(bundled_artefact, range(2016, 2019), k=5)
    assert set(out["method"]) == {"model", "naive"}
    assert list(out["year"][-2:]) == ["overall", "overall"]
    for col in ("precision_at_k", "recall_at_k", "failures_top_decile_share"):
        assert out[col].dropna().between(0, 1).all()
