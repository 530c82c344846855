"""The ranking backtest (queries.backtest) on small frames with known answers."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from typer.testing import CliRunner

from kg.build import build
from loaders.curated import CuratedLoader
from queries.backtest import backtest, naive_order, score
from tests.queries_support import report, write_tables
from ui.cli import app


def _triples(histologies: list[str], group: str = "g") -> pd.DataFrame:
    return pd.DataFrame({"treatment_group": "drug", "alteration_group": group,
                         "histology": histologies})


def test_score_counts_precision_recall_and_failures_in_the_top_decile():
    """Ten candidates h1..h10 ranked 1..10. Later reported: h1 failure, h2 success,
    h5 success, h9 success, h10 failure. With k = 3: one success in the top 3 (h2) ->
    precision 1/3; three later successes -> recall 1/3; top decile = rank 1 only, which holds
    one of the two later failures (h1) -> share 1/2. h3 (undecided) is left out."""
    ranked = _triples([f"h{i}" for i in range(1, 11)]).assign(rank=range(1, 11))
    outcomes = _triples(["h1", "h2", "h5", "h9", "h10", "h3"]).assign(
        outcome=["failure", "success", "success", "success", "failure", "undecided"])
    s = score(ranked, outcomes, k=3)
    assert s == {"candidates": 10, "k": 3, "later_tested": 5, "later_undecided": 1,
                 "later_successes": 3, "successes_top_k": 1, "later_failures": 2,
                 "failures_top_decile": 1}


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


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A graph with a past (≤ 2014) and a future (2017); every count chosen by hand.

    * braftinib (BRAF inhibitor) × BRAF V600E: melanoma 22/40 and NSCLC 10/20 in 2014 — two
      histologies, 60 patients. Later (2017): thyroid 12/24 (a success: 12 ≥ 5 of ≤ 24) and
      colorectal 1/24 (a failure: 24 enrolled, 5 of 24 out of reach).
    * pdonemab (PD-1) × MSI-H: colorectal 5/8 in 2014 — one histology, 8 patients, the best
      observed rate. Later: endometrial 1/24 (a failure) and stomach 0/5 (undecided: fewer than
      8 patients, so the 8 → 24 rule has not judged it).
    * mektinib (MEK inhibitor) cohorts of 0/10 in 2014 document the alterations in thyroid and
      colorectal (V600E) and endometrial and stomach (MSI-H), which makes those four the
      candidates as of 2015; the MEK groups have no activity to borrow, so none of their own.
    """
    folder = tmp_path_factory.mktemp("history") / "data"
    rows = []
    for cid, drug, alt, tumour, year, n, k in [
        ("b-mel", "braftinib", "BRAF:V600E", "MEL", 2014, 40, 22),
        ("b-lung", "braftinib", "BRAF:V600E", "NSCLC", 2014, 20, 10),
        ("b-thyroid", "braftinib", "BRAF:V600E", "THPA", 2017, 24, 12),
        ("b-crc", "braftinib", "BRAF:V600E", "COADREAD", 2017, 24, 1),
        ("p-crc", "pdonemab", "MSI-H", "COADREAD", 2014, 8, 5),
        ("p-ucec", "pdonemab", "MSI-H", "UCEC", 2017, 24, 1),
        ("p-stad", "pdonemab", "MSI-H", "STAD", 2017, 5, 0),
        ("m-thyroid", "mektinib", "BRAF:V600E", "THPA", 2014, 10, 0),
        ("m-crc", "mektinib", "BRAF:V600E", "COADREAD", 2014, 10, 0),
        ("m-ucec", "mektinib", "MSI-H", "UCEC", 2014, 10, 0),
        ("m-stad", "mektinib", "MSI-H", "STAD", 2014, 10, 0),
    ]:
        rows.append(report(f"T:{cid}@{year}", f"T:{cid}", "BASKET-A", drug, alt, tumour, year,
                           n, k))
    write_tables(folder, rows)
    return build(CuratedLoader(folder).load(), folder.parent / "kg")


def test_backtest_on_a_history_with_a_known_answer(history):
    """As of 2015 the candidates are the four later-tested triples. The model puts the BRAF
    group first (two histologies, 60 patients: a narrower predictive than one histology of 8),
    the naive baseline puts the PD-1 group first (observed 5/8 beats 22/40). With k = 2:
    model top 2 = thyroid (success) and colorectal (failure): 1 success, precision 1/2, recall
    1/1; naive top 2 = endometrial and stomach: 0. Top decile = rank 1 of 4: the model's is
    thyroid (rarer: fewer cohorts of any drug enrol it than colorectal), the naive one's
    endometrial (before stomach by name at equal rate), a failure. Stomach (0/5) is undecided,
    left out of the scores; scored as a failure it adds one failure to each method."""
    out = backtest(history, range(2015, 2016), k=2)
    out = out[out["year"] == 2015].set_index("method")
    counts = ["candidates", "later_tested", "later_undecided", "later_successes",
              "successes_top_k", "later_failures", "failures_top_decile"]
    assert list(out.loc["model", counts]) == [4, 3, 1, 1, 1, 2, 0]
    assert list(out.loc["naive", counts]) == [4, 3, 1, 1, 0, 2, 1]
    assert out.loc["model", "precision_at_k"] == pytest.approx(0.5)
    assert out.loc["naive", "recall_at_k"] == 0
    strict = backtest(history, range(2015, 2016), k=2, undecided_as_failure=True)
    strict = strict[strict["year"] == 2015].set_index("method")
    assert list(strict.loc["model", ["later_tested", "later_failures"]]) == [4, 3]


def test_kg_backtest_prints_the_same_scores(history):
    """`kg backtest` on the history above: precision@2 is 1/2 for the model, 0 for naive."""
    out = CliRunner().invoke(app, ["backtest", "--root", str(history.path.parents[1]),
                                   "--from", "2015", "--to", "2015", "--k", "2",
                                   "--format", "csv"])
    assert out.exit_code == 0, out.output
    rows = [r for r in csv.DictReader(line for line in out.output.splitlines()
                                      if not line.startswith("#"))]
    got = {(r["year"], r["method"]): float(r["precision_at_k"]) for r in rows}
    assert got[("2015", "model")] == 0.5 and got[("2015", "naive")] == 0.0


def test_kg_backtest_refuses_years_in_the_wrong_order():
    out = CliRunner().invoke(app, ["backtest", "--from", "2020", "--to", "2018"])
    assert out.exit_code == 2 and "--from 2020 is after --to 2018" in out.output
