"""One patient counted once: the unit rule on a small graph whose answers are worked by hand.

The graph (tests/queries_support.py tables plus an overlaps.csv):

* POOL (mixed, 2022, 100 patients, 60 responses) CONTAINS SUB-LUNG (NSCLC, 2020, 20/12) and
  SUB-CRC (COADREAD, 2021, 30/9): the pool holds every patient of both.
* PART (mixed, 2021, 50 patients, 25 responses) CONTAINS PART-MEL (MEL, 2021, 20/12) and
  PART-UCEC (UCEC, 2021, 30/13): the two parts partition the pool (20 + 30 = 50).
* OTHER (MEL, 2020, 10/5) shares no patients with anything.
* LATE: reported 2019 with 30/12, then in 2024 without counts (the 2024 report supersedes).
* ARM (mixed, interim 2015, 14/6) with its stratum ARM:ecd (final 2019, 22/12): the stratum
  counts more patients than the arm's interim total.
All use braftinib × BRAF V600E, except PART/PART-MEL/PART-UCEC (pdonemab × MSI-H).
"""

from __future__ import annotations

import csv

import pytest

from kg.build import build
from loaders.curated import CuratedLoader
from queries.agnostic import histology_posteriors
from queries.outcomes import cohort_outcomes, units
from queries.pooled import pooled
from tests.queries_support import report, write_tables

B, V = "braftinib", "BRAF:V600E"


@pytest.fixture(scope="module")
def graph(tmp_path_factory):
    folder = tmp_path_factory.mktemp("units") / "data"
    rows = [
        report("T:pool@2022", "T:pool", "BASKET-A", B, V, "TISSUE", 2022, 100, 60),
        report("T:sub-lung@2020", "T:sub-lung", "BASKET-A", B, V, "NSCLC", 2020, 20, 12),
        report("T:sub-crc@2021", "T:sub-crc", "BASKET-A", B, V, "COADREAD", 2021, 30, 9),
        report("T:part@2021", "T:part", "BASKET-B", "pdonemab", "MSI-H", "TISSUE", 2021, 50,
               25),
        report("T:part-mel@2021", "T:part-mel", "BASKET-B", "pdonemab", "MSI-H", "MEL", 2021,
               20, 12),
        report("T:part-ucec@2021", "T:part-ucec", "BASKET-B", "pdonemab", "MSI-H", "UCEC",
               2021, 30, 13),
        report("T:other@2020", "T:other", "BASKET-C", B, V, "MEL", 2020, 10, 5),
        report("T:late@2019", "T:late", "BASKET-C", B, V, "THPA", 2019, 30, 12),
        report("T:late@2024", "T:late", "BASKET-C", B, V, "THPA", 2024, None, None,
               supersedes="T:late@2019"),
        report("T:arm@2015", "T:arm", "BASKET-C", B, V, "TISSUE", 2015, 14, 6,
               kind="interim"),
        report("T:arm:ecd@2019", "T:arm:ecd", "BASKET-C", B, V, "STAD", 2019, 22, 12,
               parent="T:arm"),
    ]
    write_tables(folder, rows)
    with (folder / "overlaps.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["cohort_id", "relation", "other_cohort_id", "source", "note"])
        for part in ("T:sub-lung", "T:sub-crc"):
            w.writerow(["T:pool", "contains", part, "doi:10.1000/pool", "synthetic"])
        for part in ("T:part-mel", "T:part-ucec"):
            w.writerow(["T:part", "contains", part, "doi:10.1000/part", "synthetic"])
    return build(CuratedLoader(folder).load(), folder.parent / "kg")


def test_a_pool_and_its_subsets_are_never_added(graph):
    """BRAF V600E, any tumour type. Candidate sets: {POOL} = 100 patients against
    {SUB-LUNG, SUB-CRC} = 50: the pool stands. Then OTHER 10/5, LATE 30/12 (2019 counts) and
    the ARM's stratum 22/12: 100 + 10 + 30 + 22 = 162 patients, 60 + 5 + 12 + 12 = 89."""
    p = pooled(graph, drug="braftinib", alteration="BRAF:V600E", tumour_type="TISSUE")
    h = p.attrs["header"]
    assert (h["pooled_n"], h["pooled_k"]) == (162, 89)
    left = {r["unit"] for r in h["units_left_out_shared_patients"]}
    assert left == {"cohort:T:sub-lung", "cohort:T:sub-crc"}


def test_a_histology_query_uses_the_subset_of_a_mixed_pool(graph):
    """NSCLC only: the mixed pool is not an NSCLC unit, so SUB-LUNG's 20/12 stands alone."""
    p = pooled(graph, drug="braftinib", alteration="BRAF:V600E", tumour_type="NSCLC")
    assert (p.attrs["header"]["pooled_n"], p.attrs["header"]["pooled_k"]) == (20, 12)


def test_parts_that_partition_a_pool_are_preferred(graph):
    """PART 50 patients = PART-MEL 20 + PART-UCEC 30: equal patients, more units win, so the
    model sees two histologies (12/20 melanoma, 13/30 endometrial), not one mixed basket."""
    post = histology_posteriors(graph, alteration_level="signature")
    msi = post[post["alteration_group"] == "alt:MSI-H"]
    assert sorted(zip(msi["histology_name"], msi["k"], msi["n"], strict=True)) == [
        ("Endometrial Cancer", 13, 30), ("Melanoma", 12, 20)]


def test_a_later_report_without_counts_keeps_the_earlier_counts(graph):
    u = units(graph, "response")
    late = u.set_index("unit").loc["cohort:T:late"]
    assert (late["n"], late["k"], late["result_ids"]) == (30, 12, "result:T:late@2019")
    assert "cohort:T:late" in u.attrs["header"]["cohorts_standing_on_earlier_report"]
    co = cohort_outcomes(graph).set_index("cohort")
    assert co.loc["cohort:T:late", "orr"] == pytest.approx(12 / 30)


def test_a_final_stratum_is_not_dropped_for_an_interim_arm(graph):
    """ARM interim 2015: 14 patients; its stratum's final 2019 report: 22. The stratum counts
    more patients, so it stands (the arm's interim would silently hide the final report)."""
    u = units(graph, "response").set_index("unit")
    assert "cohort:T:arm:ecd" in u.index and "cohort:T:arm" not in u.index
    assert (u.loc["cohort:T:arm:ecd", "n"], u.loc["cohort:T:arm:ecd", "k"]) == (22, 12)
    assert "cohort:T:arm" in u.attrs["header"]["arms_whose_strata_disagree"]
