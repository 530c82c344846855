"""Pooling across trials, checked by hand; flags instead of mixing; committee rows labelled."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from loaders.curated import COHORTS
from queries.estimates import clopper_pearson
from queries.params import QueryParameterError
from queries.pooled import benefit_window, line_of_therapy, pooled
from queries.simon import patients_to_decide
from tests.conftest import build_from
from tests.queries_support import CBR16, _write, report, write_tables
from ui.cli import app


@pytest.fixture(scope="module")
def pool_graph(tmp_path_factory):
    root = tmp_path_factory.mktemp("pooled")
    reports = [
        report("BASKET-A:pd1-msi:crc@2020", "BASKET-A:pd1-msi:crc", "BASKET-A", "pdonemab",
               "MSI-H", "COADREAD", 2020, 10, 3, benefit=5, benefit_definition=CBR16,
               arm="previously treated MSI-H CRC"),
        report("BASKET-B:pd1-msi:read@2021", "BASKET-B:pd1-msi:read", "BASKET-B", "pdtwomab",
               "MSI-H", "READ", 2021, 12, 5, benefit=7, benefit_definition=CBR16,
               arm="refractory MSI-H rectal"),
        report("BASKET-C:pd1-msi:crc@2022", "BASKET-C:pd1-msi:crc", "BASKET-C", "pdonemab",
               "MSI-H", "COADREAD", 2022, 9, 4, benefit=6,
               benefit_definition="CR, PR or SD >24 weeks", arm="MSI-H CRC"),
        report("BASKET-C:pd1-msi:crc-1l@2022", "BASKET-C:pd1-msi:crc-1l", "BASKET-C",
               "pdonemab", "MSI-H", "COADREAD", 2022, 10, 6, benefit=8,
               benefit_definition=CBR16, arm="first-line MSI-H CRC"),
        report("BASKET-C:pd1-msi:mixed@2022", "BASKET-C:pd1-msi:mixed", "BASKET-C",
               "pdonemab", "MSI-H", "TISSUE", 2022, 30, 9, arm="MSI-H non-CRC"),
        report("BASKET-A:brafi:crc@2020", "BASKET-A:brafi:crc", "BASKET-A", "braftinib",
               "BRAF:V600E", "COADREAD", 2020, 10, 0),
        report("BASKET-B:brafi:v600-crc@2021", "BASKET-B:brafi:v600-crc", "BASKET-B",
               "braftinib", "BRAF:V600", "COADREAD", 2021, 8, 1),
    ]
    data = write_tables(root / "data", reports)
    committee = root / "committee.csv"
    cols = [c.name for c in COHORTS.columns if not c.optional_column]
    row = report("BASKET-A:pd1-msi:crc-local@2024", "BASKET-A:pd1-msi:crc-local", "BASKET-A",
                 "pdonemab", "MSI-H", "COADREAD", 2024, 6, 1, benefit=2,
                 benefit_definition=CBR16, arm="previously treated, local cohort")
    row["citation"] = ""
    _write(committee, cols, [[row[c] for c in cols]])
    return build_from(data, root / "build", [committee])


def test_pooled_response_by_hand(pool_graph):
    p = pooled(pool_graph, drug_class="PD-1/PD-L1 inhibitor", alteration="MSI-H",
               tumour_type="COADREAD")
    h = p.attrs["header"]
    units = set(p["unit"])
    assert "cohort:BASKET-C:pd1-msi:mixed" not in units  # mixed basket is not colorectal
    assert "cohort:BASKET-B:pd1-msi:read" in units        # rectal is below COADREAD
    flagged = p[~p["pooled"]]
    assert list(flagged["unit"]) == ["cohort:BASKET-C:pd1-msi:crc-1l"]
    assert "different line of therapy (first line vs pretreated)" in flagged.iloc[0]["flags"]
    # 3/10 + 5/12 + 4/9 + committee 1/6 = 13/37
    assert (h["pooled_k"], h["pooled_n"]) == (13, 37)
    assert (h["pooled_low"], h["pooled_high"]) == pytest.approx(clopper_pearson(13, 37))
    assert h["trials"] == 3
    local = p.set_index("unit").loc["cohort:BASKET-A:pd1-msi:crc-local"]
    assert local["source"] == "committee:committee.csv" and bool(local["private"])
    a = p.set_index("unit").loc["cohort:BASKET-A:pd1-msi:crc"]
    assert (a["stage_8_24"], a["needed_8_24"]) == ("stage 2 open", 14)
    state = patients_to_decide(37, 13)
    assert (h["pooled_below_24_state"], h["pooled_below_24_needed"]) == (state["state"],
                                                                          state["needed"])
    assert 0 <= h["between_trial_exact_p"] <= 1


def test_pooled_benefit_flags_a_different_definition(pool_graph):
    p = pooled(pool_graph, drug_class="PD-1/PD-L1 inhibitor", alteration="MSI-H",
               tumour_type="COADREAD", endpoint="benefit")
    flags = p.set_index("unit")["flags"]
    # the fixture's BASKET-C row defines benefit as SD >= 24 weeks, the others 16 weeks
    assert "other endpoint (clinical-benefit >=24 wk)" in flags["cohort:BASKET-C:pd1-msi:crc"]
    h = p.attrs["header"]
    assert (h["pooled_k"], h["pooled_n"]) == (5 + 7 + 2, 10 + 12 + 6)
    every = pooled(pool_graph, drug_class="PD-1/PD-L1 inhibitor", alteration="MSI-H",
                   tumour_type="COADREAD", endpoint="benefit", other_endpoints=True)
    assert bool(every.set_index("unit").loc["cohort:BASKET-C:pd1-msi:crc", "pooled"])


def test_pooled_public_only_and_drug_filter(pool_graph):
    p = pooled(pool_graph, drug="pdonemab", alteration="MSI-H", tumour_type="COADREAD",
               include_private=False)
    assert "cohort:BASKET-A:pd1-msi:crc-local" not in set(p["unit"])
    assert "cohort:BASKET-B:pd1-msi:read" not in set(p["unit"])  # other drug


def test_pooled_v600e_finds_cohorts_selecting_v600(pool_graph):
    """A patient's BRAF V600E is taken by BASKET-B's cohort selecting BRAF V600 (8 patients,
    1 response) as well as by BASKET-A's V600E cohort (10, 0): 18 patients, 1 response, the
    V600 one marked as a broader match."""
    p = pooled(pool_graph, drug="braftinib", alteration="BRAF:V600E", tumour_type="COADREAD")
    assert (p.attrs["header"]["pooled_n"], p.attrs["header"]["pooled_k"]) == (18, 1)
    match = p.set_index("unit")["alteration_match"]
    assert match["cohort:BASKET-A:brafi:crc"] == "exact"
    assert match["cohort:BASKET-B:brafi:v600-crc"] == "broader (BRAF V600)"


def test_pooled_without_a_treatment_lists_every_treatment(pool_graph):
    """MSI-H colorectal, no treatment given: the same rows as the PD-1 class (both drugs are
    PD-1/PD-L1 inhibitors), so the same 13/37 as test_pooled_response_by_hand."""
    p = pooled(pool_graph, alteration="MSI-H", tumour_type="COADREAD")
    h = p.attrs["header"]
    assert (h["pooled_k"], h["pooled_n"]) == (13, 37)
    assert "none given" in h["treatment"]


def test_pooled_parameter_errors(pool_graph):
    with pytest.raises(QueryParameterError, match="unknown Alteration 'KRAS:G12C'"):
        pooled(pool_graph, drug="pdonemab", alteration="KRAS:G12C", tumour_type="COADREAD")
    with pytest.raises(QueryParameterError, match="unknown drug class"):
        pooled(pool_graph, drug_class="kinase", alteration="MSI-H", tumour_type="COADREAD")


def test_text_heuristics():
    assert line_of_therapy("Cohort A (>=2 prior therapies)") == "pretreated"
    assert line_of_therapy("treatment-naive NSCLC") == "first line"
    assert line_of_therapy("locally advanced rectal, neoadjuvant") == "(neo)adjuvant/local"
    assert line_of_therapy("MSI-H CRC") == "not stated"
    assert benefit_window(CBR16) == "~16 weeks"
    assert benefit_window("objective response or stable disease >=4 months") == "~17 weeks"


def test_cli_pooled(pool_graph):
    root = str(pool_graph.path.parent.parent)
    res = CliRunner().invoke(app, ["query", "pooled", "--root", root, "--drug-class",
                                   "PD-1/PD-L1 inhibitor", "--alteration", "MSI-H",
                                   "--tumour-type", "COADREAD", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "# pooled_n: 37" in res.output and "committee:committee.csv" in res.output
    res = CliRunner().invoke(app, ["query", "pooled", "--root", root, "--drug", "pdonemab",
                                   "--alteration", "MSI-H", "--tumour-type", "COADREAD",
                                   "--tumour-level", "organ"])
    assert res.exit_code == 2 and "tumour level" in res.output


def test_committee_rows_are_labelled_in_every_analysis(pool_graph):
    from queries.agnostic import tumour_agnostic
    from queries.gaps import gaps
    from queries.outcomes import cohort_outcomes

    co = cohort_outcomes(pool_graph).set_index("cohort")
    local = co.loc["cohort:BASKET-A:pd1-msi:crc-local"]
    assert local["source"] == "committee:committee.csv" and bool(local["private"])
    assert "cohort:BASKET-A:pd1-msi:crc-local" not in set(
        cohort_outcomes(pool_graph, include_private=False)["cohort"])
    ranked = tumour_agnostic(pool_graph)
    msi = ranked[ranked["alteration_group"] == "alt:MSI-H"].iloc[0]
    assert msi["sources"] == "committee:committee.csv;curated"
    assert "result:BASKET-A:pd1-msi:crc-local@2024" in msi["result_ids"]
    assert set(gaps(pool_graph)["sources"]) <= {"", "curated", "committee:committee.csv;curated"}


def test_pooled_without_a_match_is_empty_not_an_error(pool_graph):
    p = pooled(pool_graph, drug="pdonemab", alteration="MSI-H", tumour_type="NSCLC")
    assert p.empty and p.attrs["header"]["contributing_units"] == 0
    assert "no cohort matches" in p.attrs["header"]["note"]
