"""Each kind of bad input is reported with file, row and field, all at once, and builds nothing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.errors import ValidationFailed
from loaders.curated import CuratedLoader
from tests.conftest import MINI
from ui.cli import app


def copy_mini(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    shutil.copytree(MINI, d)
    return d


def edit(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` is the 1-based file line (header = 1)."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    rows[row - 1][header.index(column)] = value
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)


def drop_column(path: Path, column: str) -> None:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    i = rows[0].index(column)
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows([r[:i] + r[i + 1:] for r in rows])


def issues_of(data_dir: Path, cohort_tables: list[Path] | None = None) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        CuratedLoader(data_dir, cohort_tables).load()
    return [str(i) for i in info.value.issues]


def test_fixture_is_valid():
    results = CuratedLoader(MINI).load()
    assert results[0].loaded["report rows"] == 5


def test_missing_column(tmp_path):
    d = copy_mini(tmp_path)
    drop_column(d / "cohorts.csv", "n_evaluable")
    assert any("cohorts.csv, row 1, field 'n_evaluable': required column is missing" in i
               for i in issues_of(d))


def test_non_numeric_count(tmp_path):
    d = copy_mini(tmp_path)
    edit(d / "cohorts.csv", 3, "n_response", "eight")
    assert any("cohorts.csv, row 3, field 'n_response': 'eight' is not a non-negative integer"
               in i for i in issues_of(d))


def test_responders_exceed_evaluable(tmp_path):
    d = copy_mini(tmp_path)
    edit(d / "cohorts.csv", 3, "n_response", "25")
    assert any("row 3, field 'n_response': 25 responders > 19 evaluable" in i
               for i in issues_of(d))


def test_unknown_tumour_code(tmp_path):
    d = copy_mini(tmp_path)
    edit(d / "cohorts.csv", 2, "tumour_type", "CRC")
    assert any("row 2, field 'tumour_type': unknown tumour code 'CRC'" in i for i in issues_of(d))


def test_duplicate_id(tmp_path):
    d = copy_mini(tmp_path)
    edit(d / "cohorts.csv", 3, "result_id", "VE-BASKET:vemurafenib-braf-v600:crc@2015")
    assert any("row 3, field 'result_id': duplicate id" in i and "first on row 2" in i
               for i in issues_of(d))


@pytest.mark.parametrize(("file", "row", "column", "value", "expected"), [
    ("cohorts.csv", 2, "drugs", "vemurafenib;unknownib", "unknown drug 'unknownib'"),
    ("cohorts.csv", 2, "parent_cohort_id", "VE-BASKET:nope", "unknown cohort 'VE-BASKET:nope'"),
    ("cohorts.csv", 6, "supersedes", "DRUP:nivolumab-msi@2011", "is not another report"),
    ("cohorts.csv", 2, "trial_id", "NOPE", "unknown trial 'NOPE'"),
    ("alterations.csv", 3, "parent", "BRAF:nothing", "unknown parent alteration"),
    ("drugs.csv", 2, "targets", "NOTAGENE", "gene 'NOTAGENE' is not in genes.csv"),
])
def test_dangling_reference(tmp_path, file, row, column, value, expected):
    d = copy_mini(tmp_path)
    edit(d / file, row, column, value)
    found = issues_of(d)
    assert any(f"{file}, row {row}, field '{column}'" in i and expected in i for i in found), found


def test_two_current_reports_of_one_cohort(tmp_path):
    d = copy_mini(tmp_path)
    edit(d / "cohorts.csv", 6, "supersedes", "")
    assert any("has 2 current reports" in i for i in issues_of(d))


def test_inconsistent_cohort_fields(tmp_path):
    d = copy_mini(tmp_path)
    edit(d / "cohorts.csv", 6, "tumour_type", "NSCLC")
    assert any("row 6, field 'tumour_type': differs from row 5" in i for i in issues_of(d))


def test_all_problems_reported_at_once(tmp_path):
    d = copy_mini(tmp_path)
    edit(d / "cohorts.csv", 2, "n_evaluable", "x")
    edit(d / "cohorts.csv", 3, "tumour_type", "ZZZ")
    edit(d / "drugs.csv", 3, "drug_class", "")
    found = issues_of(d)
    assert len(found) >= 3
    assert {"cohorts.csv, row 2", "cohorts.csv, row 3", "drugs.csv, row 3"} <= {
        i.split(", field")[0].split("/")[-1] for i in found}


def test_cli_build_fails_with_nonzero_exit_and_names_the_problem(tmp_path):
    d = copy_mini(tmp_path)
    edit(d / "cohorts.csv", 3, "n_response", "25")
    result = CliRunner().invoke(app, ["build", "--data-dir", str(d), "--root",
                                      str(tmp_path / "b"), "--source", "curated"])
    assert result.exit_code == 1
    assert "25 responders > 19 evaluable" in result.output
    assert not (tmp_path / "b" / "current").exists()


# ------------------------------------------------------------- a committee's own cohort table
COMMITTEE_HEADER = (MINI / "cohorts.csv").read_text().splitlines()[0]


def committee_table(tmp_path: Path, *rows: str) -> Path:
    p = tmp_path / "committee.csv"
    p.write_text("\n".join([COMMITTEE_HEADER, *rows]) + "\n")
    return p


NEW_ROW = ("DRUP:vemurafenib-braf-v600:crc@2024,DRUP:vemurafenib-braf-v600:crc,DRUP,"
           "vemurafenib BRAF V600 CRC,,vemurafenib,BRAF:V600,BRAF V600,COADREAD,colorectal,"
           "Simon two-stage 8->24,stage 1,committee interim,interim,2024,8,8,0,1,"
           "objective response or stable disease >=16 weeks,,,,,,,,,,,,,"
           "unpublished")


def test_committee_table_loads_private(tmp_path):
    results = CuratedLoader(MINI, [committee_table(tmp_path, NEW_ROW)]).load()
    private = results[1]
    assert private.source.name == "committee:committee.csv"
    assert private.source.private
    assert all(n.props.get("private") for n in private.nodes if n.label in ("Cohort", "Result"))


def test_committee_table_errors_are_reported_like_curated(tmp_path):
    bad = NEW_ROW.replace(",COADREAD,", ",XXX,").replace(",8,8,0,1,", ",8,8,9,1,")
    found = issues_of(MINI, [committee_table(tmp_path, bad)])
    assert any("committee.csv, row 2, field 'tumour_type'" in i for i in found)


def test_committee_collision_needs_update_flag(tmp_path):
    row = NEW_ROW.replace("DRUP:vemurafenib-braf-v600:crc@2024,DRUP:vemurafenib-braf-v600:crc,"
                          "DRUP,", "VE-BASKET:vemurafenib-braf-v600:crc@2024,"
                          "VE-BASKET:vemurafenib-braf-v600:crc,VE-BASKET,")
    found = issues_of(MINI, [committee_table(tmp_path, row)])
    assert any("already exists" in i and "update=true" in i for i in found)


def test_drug_class_problems_reported_at_once(tmp_path):
    """tests/fixtures/mini/drug_classes.csv rows 2 (vemurafenib) and 3 (nivolumab) spoilt in
    four ways; a fifth row names a drug drugs.csv lacks. Every one is reported, with file, row
    and field."""
    d = copy_mini(tmp_path)
    path = d / "drug_classes.csv"
    edit(path, 2, "source", "")
    edit(path, 3, "targets", "PDCD1;BRAF")  # BRAF is vemurafenib's target, not nivolumab's
    with open(path, "a", newline="") as fh:
        csv.writer(fh).writerows([["dabrafenib", "BRAF inhibitor", "BRAF", "pubmed:22735384", ""],
                                  ["nivolumab", "", "", "pubmed:1", ""]])
    found = issues_of(d)
    for where, expected in [
        ("drug_classes.csv, row 2, field 'source'", "value is required"),
        ("drug_classes.csv, row 3, field 'targets'", "'BRAF' is not a target of 'nivolumab'"),
        ("drug_classes.csv, row 4, field 'drug'", "unknown drug 'dabrafenib'"),
        ("drug_classes.csv, row 5, field 'drug_class'", "value is required"),
    ]:
        assert any(where in i and expected in i for i in found), (where, found)


def test_primary_class_must_be_among_the_drug_classes(tmp_path):
    d = copy_mini(tmp_path)
    edit(d / "drugs.csv", 2, "drug_class", "RAF inhibitor")
    edit(d / "drug_classes.csv", 3, "drug", "vemurafenib")  # nivolumab is left without a row
    found = issues_of(d)
    assert any("drugs.csv, row 2, field 'drug_class'" in i and "'RAF inhibitor' is not among "
               "the classes of 'vemurafenib'" in i for i in found), found
    assert any("drug_classes.csv" in i and "drug 'nivolumab' of drugs.csv has no row" in i
               for i in found), found
