"""What was known when: a superseded report, an undated one, evidence that appears later."""

from __future__ import annotations

import pytest

from kg.build import build
from kg.records import Edge, LoadResult, Node, SourceInfo
from kg.schema import Label, Rel
from loaders.curated import CuratedLoader
from queries.agnostic import tumour_agnostic
from queries.gaps import candidate_cohorts
from queries.outcomes import cohort_outcomes
from tests.queries_support import report, signal_reports, write_tables

REGIMEN = "regimen:NCIT:C90001"  # braftinib alone


def _evidence(eid: str, year: int, tier: str, tumour: str) -> tuple[list[Node], list[Edge]]:
    node = Node(eid, Label.EVIDENCE, {"common_tier": tier, "direction": "supports",
                                      "significance": "Sensitivity/Response", "year": year,
                                      "source_level": tier}, "testkb", "1")
    edges = [Edge(eid, Rel.FOR_ALTERATION, "alt:BRAF:V600E", "testkb", "1"),
             Edge(eid, Rel.FOR_REGIMEN, REGIMEN, "testkb", "1"),
             Edge(eid, Rel.IN_TUMOUR, f"oncotree:{tumour}", "testkb", "1")]
    return [node], edges


@pytest.fixture(scope="module")
def timeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("asof")
    reports = signal_reports() + [
        report("BASKET-B:pd1-msi:thpa@2016", "BASKET-B:pd1-msi:thpa", "BASKET-B", "pdtwomab",
               "MSI-H", "THPA", 2016, 10, 3, kind="interim"),
        report("BASKET-B:pd1-msi:thpa@2019", "BASKET-B:pd1-msi:thpa", "BASKET-B", "pdtwomab",
               "MSI-H", "THPA", 2019, 30, 10, supersedes="BASKET-B:pd1-msi:thpa@2016"),
        report("BASKET-C:pd1-msi:mel@2020", "BASKET-C:pd1-msi:mel", "BASKET-C", "pdonemab",
               "MSI-H", "MEL", None, 20, 6),
    ]
    data = write_tables(root / "data", reports)
    kb = LoadResult(SourceInfo("testkb", "1", "CC0", "synthetic knowledgebase"))
    for eid, year, tier, tumour in (("civic.eid:1", 2015, "B", "THPA"),
                                    ("civic.eid:2", 2020, "A", "UCEC")):
        nodes, edges = _evidence(eid, year, tier, tumour)
        kb.nodes += nodes
        kb.edges += edges
    return build(CuratedLoader(data).load() + [kb], root / "build")


def test_latest_report_known_then_is_used(timeline):
    then = cohort_outcomes(timeline, as_of=2017).set_index("cohort")
    now = cohort_outcomes(timeline).set_index("cohort")
    c = "cohort:BASKET-B:pd1-msi:thpa"
    assert then.loc[c, ["n_evaluable", "n_response", "year"]].tolist() == [10, 3, 2016]
    assert now.loc[c, ["n_evaluable", "n_response", "year"]].tolist() == [30, 10, 2019]
    assert "cohort:BASKET-B:brafi:nsclc" not in then.index  # first reported in 2018


def test_undated_reports_are_excluded_and_counted(timeline):
    h = cohort_outcomes(timeline, as_of=2030).attrs["header"]
    assert h["excluded_no_year"] == 1
    assert "cohort:BASKET-C:pd1-msi:mel" not in set(cohort_outcomes(timeline, as_of=2030)
                                                     ["cohort"])
    assert "cohort:BASKET-C:pd1-msi:mel" in set(cohort_outcomes(timeline)["cohort"])
    assert tumour_agnostic(timeline, as_of=2030).attrs["header"]["excluded_no_year"] == 1


def test_candidate_cohorts_change_with_the_year(timeline):
    then = candidate_cohorts(timeline, as_of=2017)
    now = candidate_cohorts(timeline)
    braf_then = then[then["treatment_group"] == "BRAF inhibitor"].set_index("histology")
    braf_now = now[now["treatment_group"] == "BRAF inhibitor"].set_index("histology")
    # 2017: thyroid backed by the 2015 evidence; endometrial evidence (2020) not yet known;
    # lung and colorectal not yet tested, but nothing documented them as BRAF V600E sites yet
    assert set(braf_then.index) == {"Thyroid Cancer"}
    assert braf_then.loc["Thyroid Cancer", "evidence_tier"] == "B"
    assert "civic.eid:1" in braf_then.loc["Thyroid Cancer", "supporting_rows"]
    assert set(braf_now.index) == {"Thyroid Cancer", "Endometrial Cancer"}
    assert braf_now.loc["Endometrial Cancer", "evidence_tier"] == "A"
    assert then.attrs["header"]["evidence_excluded_after_as_of"] == 1
    assert now.attrs["header"]["evidence_excluded_after_as_of"] == 0
    # the model borrows from one active histology in 2017 (melanoma), two now
    assert braf_then["n_supporting"].iloc[0] == 1
    assert braf_now["n_supporting"].iloc[0] == 2  # melanoma and lung are active


def test_ranked_candidates_with_no_judged_histology_is_an_empty_answer(bundled_artefact):
    """Clinical benefit as of 2014: one row of data/cohorts.csv reports a benefit count by
    then, PALBOCICLIB-LPS-P2-2013 (19 with progression-free rate at 12 weeks: benefit_kind
    pfs-rate, not the reference clinical benefit at 16 weeks), so no unit has the endpoint and
    there is nothing to rank: an empty table, not a KeyError."""
    from queries.candidates import ranked_candidates

    out = ranked_candidates(bundled_artefact, as_of=2014, endpoint="benefit")
    assert out.empty and {"rank", "success_prob", "flag"} <= set(out.columns)
