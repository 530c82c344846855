"""No analysis counts a patient twice on the bundled data, judged by an oracle written here.

The oracle reads data/overlaps.csv and data/cohorts.csv with the csv module, closes `contains`
transitively by hand, and calls two cohorts overlapping when one contains the other or a row
says they overlap. For every group an analysis reports on, the reports behind its figures
(result ids) must come from cohorts of which no two overlap. The code under test
(queries.overlap) is never called by the oracle.
"""

from __future__ import annotations

import csv
import itertools

import pytest

from loaders.curated import DATA_DIR
from queries.agnostic import histology_dependence, histology_posteriors, tumour_agnostic
from queries.durability import durability
from queries.gaps import candidate_cohorts, gaps
from queries.outcomes import group_outcomes


def _overlapping_pairs() -> set[frozenset[str]]:
    with (DATA_DIR / "overlaps.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    contains = {(r["cohort_id"], r["other_cohort_id"]) for r in rows
                if r["relation"] == "contains"}
    while True:  # transitive closure, by hand
        more = {(a, d) for a, b in contains for c, d in contains if b == c} - contains
        if not more:
            break
        contains |= more
    pairs = {frozenset(p) for p in contains}
    pairs |= {frozenset((r["cohort_id"], r["other_cohort_id"])) for r in rows
              if r["relation"] == "overlaps"}
    return pairs


def _cohort_of_result() -> dict[str, str]:
    with (DATA_DIR / "cohorts.csv").open(newline="", encoding="utf-8") as fh:
        return {f"result:{r['result_id']}": r["cohort_id"] for r in csv.DictReader(fh)}


PAIRS = _overlapping_pairs()
COHORT_OF = _cohort_of_result()


def _clashes(result_ids: set[str]) -> list[tuple[str, str]]:
    cohorts = sorted({COHORT_OF[r] for r in result_ids if r in COHORT_OF})
    return [(a, b) for a, b in itertools.combinations(cohorts, 2)
            if frozenset((a, b)) in PAIRS]


def _ids(values) -> set[str]:
    return {x for v in values if isinstance(v, str) for x in v.split(";")
            if x.startswith("result:")}


def test_the_oracle_knows_the_overlaps_the_issue_names():
    """Read by eye in data/overlaps.csv: the larotrectinib expanded set contains the primary
    set; GARNET dMMR-solid contains cohort A1; the FDA adult BRAF pool contains NCI-MATCH H."""
    assert frozenset(("LAROTRECTINIB-POOLED:expanded-non-cns",
                      "LAROTRECTINIB-POOLED:primary-set")) in PAIRS
    assert frozenset(("GARNET:dostarlimab-dmmr-solid",
                      "GARNET:dostarlimab-dmmr-endometrial-a1")) in PAIRS
    assert frozenset(("FDA-BRAF-AGNOSTIC-ADULT:dabrafenib-trametinib-braf-v600e",
                      "NCI-MATCH:h-dabrafenib-trametinib-braf-v600")) in PAIRS


GROUP = ["treatment_group", "alteration_group"]


@pytest.mark.parametrize("endpoint", ["response", "benefit"])
@pytest.mark.parametrize("analysis,columns", [
    (histology_posteriors, ["result_ids"]),
    (tumour_agnostic, ["result_ids"]),
    (histology_dependence, ["result_ids"]),
    (gaps, ["supporting_rows"]),
    (candidate_cohorts, ["supporting_rows"]),
])
def test_no_group_counts_overlapping_cohorts(bundled_artefact, analysis, columns, endpoint):
    out = analysis(bundled_artefact, endpoint=endpoint)
    assert endpoint == "benefit" or len(out) > 0  # few groups have 16-week benefit counts
    bad = {}
    for key, part in out.groupby(GROUP, dropna=False):
        clashes = _clashes(_ids(v for c in columns for v in part[c]))
        if clashes:
            bad[key] = clashes
    assert not bad


def test_rollup_and_durability_count_no_overlapping_cohorts(bundled_artefact):
    rollup = group_outcomes(bundled_artefact)
    for prefix in ("orr", "cbr"):
        for key, part in rollup.groupby(GROUP, dropna=False):
            assert not _clashes(_ids(part[f"{prefix}_result_ids"])), (prefix, key)
    d = durability(bundled_artefact)
    assert not _clashes(set(d["result"]))
