"""Tumour-agnostic vs histology-dependent on synthetic graphs built from real CSVs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from queries.agnostic import histology_dependence, histology_posteriors, tumour_agnostic
from queries.estimates import clopper_pearson
from queries.gaps import candidate_cohorts, gaps
from queries.outcomes import cohort_outcomes, group_outcomes, units
from queries.params import QueryParameterError, Thresholds
from tests.conftest import build_from
from tests.queries_support import CBR16, report, signal_reports, write_tables
from ui.cli import app


def _signal_tables() -> tuple[list[dict], list[dict]]:
    reports = signal_reports() + [
        # an arm with two strata: units must be CRC 2/10, NSCLC 5/15 and a remainder 3/15
        report("BASKET-C:pd1-msi@2022", "BASKET-C:pd1-msi", "BASKET-C", "pdonemab", "MSI-H",
               "TISSUE", 2022, 40, 10),
        report("BASKET-C:pd1-msi:crc@2022", "BASKET-C:pd1-msi:crc", "BASKET-C", "pdonemab",
               "MSI-H", "COADREAD", 2022, 10, 2, parent="BASKET-C:pd1-msi"),
        report("BASKET-C:pd1-msi:nsclc@2022", "BASKET-C:pd1-msi:nsclc", "BASKET-C", "pdonemab",
               "MSI-H", "NSCLC", 2022, 15, 5, parent="BASKET-C:pd1-msi"),
        # a DRUP-like cohort that met 16-week benefit with median PFS 4 months
        report("BASKET-A:brafi-mek:thpa@2021", "BASKET-A:brafi-mek:thpa", "BASKET-A",
               "braftinib;mektinib", "BRAF:V600E", "THPA", 2021, 24, 3, benefit=9,
               benefit_definition=CBR16, pfs=4.0),
    ]
    arms = [{"cohort_id": "BASKET-B:brafi:ucec", "trial_id": "BASKET-B", "arm": "planned",
             "drugs": "braftinib", "alteration_id": "BRAF:V600E", "tumour_type": "UCEC",
             "source_url": "https://example.org/arms"}]
    return reports, arms


@pytest.fixture(scope="module")
def signals(tmp_path_factory):
    root = tmp_path_factory.mktemp("signals")
    data = write_tables(root / "data", *_signal_tables())
    return build_from(data, root / "build")


def _group(df: pd.DataFrame, treatment: str, alteration: str) -> pd.Series:
    hit = df[(df["treatment_group"] == treatment) & (df["alteration_group"] == alteration)]
    assert len(hit) == 1, df[["treatment_group", "alteration_group"]]
    return hit.iloc[0]


def test_msi_group_is_agnostic_and_braf_group_histology_dependent(signals):
    ranked = tumour_agnostic(signals)
    msi = _group(ranked, "PD-1/PD-L1 inhibitor", "alt:MSI-H")
    assert msi["label"] == "agnostic"
    assert msi["n_types_active"] >= 3
    # pooled over every unit, strata instead of their arm: 12+14+13+2+5+3 / 30*3+40
    assert (msi["k"], msi["n"]) == (49, 130)
    assert msi["pooled_low"] == pytest.approx(clopper_pearson(49, 130)[0])
    braf = _group(ranked, "BRAF inhibitor", "alt:BRAF:V600")
    assert braf["label"] == "histology-dependent"
    assert braf["weakest_histology"] == "Colorectal Cancer"
    assert braf["below_p0"] == "Colorectal Cancer"
    assert "Melanoma" in braf["above_p1"]
    assert ranked.iloc[0]["label"] == "agnostic"
    for ids in ranked["result_ids"]:
        assert ids and all(x.startswith("result:") for x in ids.split(";"))


def test_histology_dependence_share_and_explanation(signals):
    dep = histology_dependence(signals)
    h = dep.attrs["header"]
    # tested groups (>= 2 judged histologies): MSI-H (5 types) and BRAF V600 (3 types)
    assert (h["tested_groups"], h["dependent_groups"]) == (2, 1)
    assert h["share_dependent"] == pytest.approx(0.5)
    assert h["drup_share"] == pytest.approx(0.235) and "DRUP" in h["explanation"]
    assert list(dep["below_p0"]) == ["Colorectal Cancer"]


def test_strata_are_counted_once_with_a_remainder(signals):
    u = units(signals, "response")
    basket_c = u[u["unit"].str.contains("BASKET-C:pd1-msi")].set_index("unit")
    assert basket_c.loc["cohort:BASKET-C:pd1-msi:crc", ["n", "k"]].tolist() == [10, 2]
    rest = basket_c.loc["remainder:cohort:BASKET-C:pd1-msi"]
    assert (rest["n"], rest["k"], rest["derived"]) == (15, 3, True)
    assert "cohort:BASKET-C:pd1-msi" not in basket_c.index
    assert int(basket_c["n"].sum()) == 40  # the arm's own total, never more


def test_group_outcomes_roll_up_by_level(signals):
    g = group_outcomes(signals, alteration_level="codon", tumour_level="main_type")
    crc = g[(g["alteration_group"] == "alt:MSI-H") & (g["histology"] == "Colorectal Cancer")]
    assert crc[["orr_n", "orr_k"]].iloc[0].tolist() == [40, 14]  # 12/30 + 2/10
    tissue = group_outcomes(signals, tumour_level="tissue")
    assert set(tissue["histology"]) >= {"Bowel", "Lung", "Skin"}
    depth1 = group_outcomes(signals, tumour_level=1)
    assert "oncotree:BOWEL" in set(depth1["histology"])
    co = cohort_outcomes(signals)
    row = co.set_index("cohort").loc["cohort:BASKET-C:brafi:crc"]
    assert row["orr"] == pytest.approx(1 / 30)
    assert (row["orr_low"], row["orr_high"]) == pytest.approx(clopper_pearson(1, 30))
    assert set(co["source"]) == {"curated"}


def test_candidates_exclude_tested_and_planned_and_list_support(signals):
    cands = candidate_cohorts(signals)
    assert len(cands)
    for r in cands.itertuples():
        assert r.supporting_rows, r
        assert r.simon_optimal == "1/10, 5/29" and r.simon_minimax == "1/15, 5/25"
    keys = set(zip(cands["treatment_group"], cands["histology"], strict=True))
    assert ("BRAF inhibitor", "Melanoma") not in keys          # tested
    assert ("BRAF inhibitor", "Endometrial Cancer") not in keys  # planned arm
    g = gaps(signals)
    planned = g[g["status"] == "planned"]
    assert list(planned["planned_cohorts"]) == ["cohort:BASKET-B:brafi:ucec"]
    assert cands.attrs["header"]["drup_type_i_error"] == pytest.approx(0.0778, abs=1e-4)


def test_outputs_do_not_depend_on_row_order(signals, tmp_path):
    """The same reports and arms written in reverse order and built anew (another artefact, so
    nothing is served from the memo): every analysis gives the same rows and header."""
    reports, arms = _signal_tables()
    data = write_tables(tmp_path / "data", reports[::-1], arms[::-1])
    reversed_build = build_from(data, tmp_path / "build")
    for fn in (tumour_agnostic, candidate_cohorts, histology_posteriors):
        a, b = fn(signals), fn(reversed_build)
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
        assert a.attrs == b.attrs


def test_durability_lists_benefit_without_pfs(signals):
    from queries.durability import durability

    d = durability(signals)
    assert list(d["cohort"]) == ["cohort:BASKET-A:brafi-mek:thpa"]
    assert d.iloc[0]["pfs_status"] == "below"


def test_bad_parameters_are_clear_errors(signals):
    with pytest.raises(QueryParameterError, match="unknown alteration level 'exonic'"):
        tumour_agnostic(signals, alteration_level="exonic")
    with pytest.raises(QueryParameterError, match="tumour level"):
        tumour_agnostic(signals, tumour_level="organ")
    with pytest.raises(QueryParameterError, match="p0=0.5 >= p1=0.3"):
        tumour_agnostic(signals, thresholds=Thresholds(p0=0.5, p1=0.3))


def test_cli_formats_and_exit_codes(signals):
    runner = CliRunner()
    root = str(signals.path.parent.parent)
    res = runner.invoke(app, ["query", "tumour_agnostic", "--root", root, "--format", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["header"]["p0"] == 0.1
    assert payload["rows"][0]["label"] == "agnostic"
    res = runner.invoke(app, ["query", "candidate_cohorts", "--root", root, "--format", "csv"])
    assert res.exit_code == 0 and res.output.startswith("# as_of: None")
    res = runner.invoke(app, ["query", "gaps", "--root", root, "--p0", "0.4", "--p1", "0.3"])
    assert res.exit_code == 2 and "p0=0.4 >= p1=0.3" in res.output
    res = runner.invoke(app, ["query", "tumour_agnostic", "--root", root,
                              "--alteration-level", "allele"])
    assert res.exit_code == 2 and "unknown alteration level" in res.output
    res = runner.invoke(app, ["query", "histology_dependence", "--root", root])
    assert res.exit_code == 0 and "share_dependent" in res.output
