"""Typed endpoints of a report row: response_criterion, benefit_kind + benefit_weeks, ci_level.

Bad values are reported one line each, all at once; tables without the columns (a committee's
older table, the mini fixture) still load; and a few bundled rows carry the type their source
states (each expectation names the reference row of ../shared/reference/cohort_reports.csv).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from kg.errors import ValidationFailed
from kg.schema import Label
from loaders.curated import DATA_DIR, CuratedLoader
from tests.conftest import MINI

NEW = ["response_criterion", "benefit_kind", "benefit_weeks", "ci_level"]
#: the two DRUP rows of the mini fixture (file lines 5, 6) give benefit counts: typed as DRUP's
BASE = {line: {"benefit_kind": "clinical-benefit", "benefit_weeks": "16"} for line in (5, 6)}


def mini_with(tmp_path: Path, cells: dict[int, dict[str, str]]) -> Path:
    """The mini fixture with the four endpoint columns added and the DRUP rows typed (BASE);
    ``cells`` = {file line: values} overrides them."""
    d = tmp_path / "data"
    shutil.copytree(MINI, d)
    path = d / "cohorts.csv"
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    rows[0] += NEW
    for i in range(1, len(rows)):
        values = {**BASE.get(i + 1, {}), **cells.get(i + 1, {})}
        rows[i] += [values.get(c, "") for c in NEW]
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return d


def results_of(data_dir: Path) -> dict[str, dict]:
    loaded = CuratedLoader(data_dir).load()
    return {n.id.removeprefix("result:"): n.props for r in loaded for n in r.nodes
            if n.label == Label.RESULT}


def test_tables_without_the_columns_still_load():
    """The mini fixture predates the columns: every report reads as criterion not-stated."""
    props = results_of(MINI)
    assert {p["response_criterion"] for p in props.values()} == {"not-stated"}


def test_every_bad_endpoint_is_reported_at_once(tmp_path):
    """Mini rows: line 2 VE-BASKET crc (0/10, no benefit, no CI), line 3 VE-BASKET NSCLC (8/19),
    line 5 DRUP 2019 (6 with benefit), line 6 DRUP 2023 (18 with benefit)."""
    d = mini_with(tmp_path, {
        2: {"response_criterion": "WHO", "ci_level": "0.95"},           # bad criterion; no CI
        3: {"benefit_kind": "pfs-rate", "benefit_weeks": "26"},         # no benefit figure
        5: {"benefit_weeks": ""},                                        # window missing
        6: {"benefit_kind": ""},                                        # figure without kind
    })
    with pytest.raises(ValidationFailed) as info:
        CuratedLoader(d).load()
    issues = [str(i) for i in info.value.issues]
    expected = [
        "row 2, field 'response_criterion': 'WHO' is not one of",
        "row 2, field 'ci_level': a level but no orr_ci_low/orr_ci_high",
        "row 3, field 'benefit_kind': 'pfs-rate' but the row has no benefit figure",
        "row 5, field 'benefit_weeks': 'clinical-benefit' needs its window in weeks",
        "row 6, field 'benefit_kind': a benefit figure needs its kind",
        "row 6, field 'benefit_weeks': a window without a benefit_kind",
    ]
    for text in expected:
        assert sum(text in i for i in issues) == 1, (text, issues)
    assert len(issues) == len(expected), issues


def test_ci_level_outside_the_known_levels(tmp_path):
    d = mini_with(tmp_path, {3: {"ci_level": "0.85"}})
    with open(d / "cohorts.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    rows[2][header.index("orr_ci_low")], rows[2][header.index("orr_ci_high")] = "20", "67"
    with open(d / "cohorts.csv", "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(ValidationFailed) as info:
        CuratedLoader(d).load()
    assert [str(i).split(": ", 1)[1] for i in info.value.issues] == [
        "0.85 is not one of 0.80, 0.90, 0.95"]


def test_typed_row_loads(tmp_path):
    d = mini_with(tmp_path, {5: {"response_criterion": "RECIST"}})
    p = results_of(d)["DRUP:nivolumab-msi@2019"]
    assert (p["response_criterion"], p["benefit_kind"], p["benefit_weeks"]) == (
        "RECIST", "clinical-benefit", 16)


@pytest.mark.skipif(not (DATA_DIR / "cohorts.csv").exists(), reason="no curated data")
def test_bundled_rows_carry_their_stated_endpoint_types():
    """Read by eye in ../shared/reference/cohort_reports.csv:
    - R0042 (NCI-MATCH arm H, ASCO 2019 news summary): ORR 33.3%, CI 19.9-49.1. NCI-MATCH
      reports 90% CIs (R0035 ... R0082 notes: "90% CI"); the exact binomial 90% interval of
      11/33 = 33.3% is 19.9-49.1 (the 95% one is 18.0-51.8), so ci_level 0.90.
    - R0408 (TBCRC 048 germline PALB2): note "CI is 80% CI" -> 0.80.
    - R0164 (GARNET dMMR solid, 144/327, 38.6-49.6): 95% (exact 95% interval 38.6-49.6).
    - R0343 (TOPARP-A): "response = COMPOSITE (RECIST objective response or PSA fall >=50% or
      CTC conversion), not RECIST ORR" -> composite.
    - R0403 (dostarlimab dMMR rectal): "response = CLINICAL COMPLETE RESPONSE" ->
      clinical-complete-response.
    - R0388 (BYLIEVE cohort A): benefit "alive without disease progression at 6 months" ->
      pfs-rate, 26 weeks.
    - R0386 (palbociclib liposarcoma 2013): "progression-free at 12 weeks" -> pfs-rate, 12.
    - R0010 (DRUP nivolumab MSI 2019): "objective response or stable disease >=16 weeks" ->
      clinical-benefit, 16.
    - R0108 (MyPathway HER2 2016): "objective response or stable disease >120 days" ->
      clinical-benefit, 17 weeks.
    - R0214 (ROAR LGG 2022): 9 responders = 1 CR + 6 PR + 2 minor responses -> minor-response.
    """
    p = results_of(DATA_DIR)
    assert p["NCI-MATCH:h-dabrafenib-trametinib-braf-v600@2019"]["ci_level"] == 0.90
    assert p["TBCRC-048:olaparib-germline-palb2-breast@2026"]["ci_level"] == 0.80
    assert p["GARNET:dostarlimab-dmmr-solid@2023"]["ci_level"] == 0.95
    assert p["TOPARP-A:olaparib-ddr-mcrpc@2015"]["response_criterion"] == "composite"
    assert p["DOSTARLIMAB-DMMR-RECTAL:dostarlimab-dmmr-rectal@2022"]["response_criterion"] == (
        "clinical-complete-response")
    assert p["ROAR:dabrafenib-trametinib-braf-v600e:lgg@2022"]["response_criterion"] == (
        "minor-response")
    kinds = {rid: (p[rid]["benefit_kind"], p[rid]["benefit_weeks"]) for rid in (
        "BYLIEVE:alpelisib-fulvestrant-pik3ca-cohort-a@2021",
        "PALBOCICLIB-LPS-P2-2013:palbociclib-cdk4-amp-wd-dd-liposarcoma@2013",
        "DRUP:nivolumab-msi@2019", "MYPATHWAY:pertuzumab-trastuzumab-her2@2016")}
    assert kinds == {
        "BYLIEVE:alpelisib-fulvestrant-pik3ca-cohort-a@2021": ("pfs-rate", 26),
        "PALBOCICLIB-LPS-P2-2013:palbociclib-cdk4-amp-wd-dd-liposarcoma@2013": ("pfs-rate", 12),
        "DRUP:nivolumab-msi@2019": ("clinical-benefit", 16),
        "MYPATHWAY:pertuzumab-trastuzumab-her2@2016": ("clinical-benefit", 17),
    }
