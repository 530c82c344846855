"""Every user error is one line naming the file, row and field, never a traceback: a committee
table that is not UTF-8, has a cell over the csv module's 128 KB limit, is a folder, a device, is
missing or has a header only; a row with an unknown drug reports its other problems too; and
`kg export … --out` a folder.

The committee rows start from export_support.write_committee_table (a DRUP row on the mini
slice); the values changed here are named in each test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from export_support import MINI, write_committee_table
from typer.testing import CliRunner

from ui.cli import app


def kg_build(tmp_path: Path, table: Path | str):
    return CliRunner().invoke(app, ["build", "--root", str(tmp_path / "build"), "--data-dir",
                                    str(MINI), "--source", "curated", "--cohorts", str(table)])


def one_line_error(res, *words: str) -> str:
    assert res.exit_code == 1, res.output
    text = " ".join(res.output.split())
    assert "Traceback" not in res.output
    for w in words:
        assert w in text, (w, text)
    return text


def rewrite(path: Path, **changes: str) -> Path:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0].update(changes)
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_non_utf8_table_names_file_and_row(tmp_path):
    table = rewrite(write_committee_table(tmp_path / "latin1.csv"), arm="PLACEHOLDER")
    table.write_bytes(table.read_bytes().replace(b"PLACEHOLDER", "bras é".encode("latin-1")))
    one_line_error(kg_build(tmp_path, table), "latin1.csv", "row 2", "not UTF-8")


def test_cell_over_128kb_names_file_and_row(tmp_path):
    table = rewrite(write_committee_table(tmp_path / "big.csv"), note="x" * 200_000)
    one_line_error(kg_build(tmp_path, table), "big.csv", "row 2", "field larger than field limit")


def test_folder_instead_of_table(tmp_path):
    (tmp_path / "adir").mkdir()
    one_line_error(kg_build(tmp_path, tmp_path / "adir"), "adir", "is a folder")


@pytest.mark.timeout(60)
def test_dev_zero_is_refused_not_read(tmp_path):
    one_line_error(kg_build(tmp_path, "/dev/zero"), "/dev/zero", "not a regular file")


def test_missing_table(tmp_path):
    one_line_error(kg_build(tmp_path, tmp_path / "nope.csv"), "nope.csv", "file not found")


def test_header_only_table_is_refused(tmp_path):
    table = tmp_path / "empty.csv"
    table.write_text((MINI / "cohorts.csv").read_text().splitlines()[0] + "\n")
    one_line_error(kg_build(tmp_path, table), "empty.csv", "no report rows")


def test_unknown_drug_does_not_hide_the_rows_other_problems(tmp_path):
    """Row 2: an unknown drug, and 5 responders among 3 evaluable patients."""
    table = rewrite(write_committee_table(tmp_path / "two.csv"), drugs="notadrug",
                    n_evaluable="3", n_response="5")
    text = one_line_error(kg_build(tmp_path, table), "two.csv")
    assert "row 2, field 'drugs': unknown drug 'notadrug'" in text
    assert "row 2, field 'n_response'" in text


@pytest.mark.parametrize("fmt", ["graphml", "rdf", "ladybug"])
def test_export_out_a_folder(mini_artefact, tmp_path, fmt):
    root = mini_artefact.path.parent.parent
    res = CliRunner().invoke(app, ["export", fmt, "--root", str(root), "--out", str(tmp_path)])
    assert res.exit_code == 2
    assert "is a folder: give a file name" in " ".join(res.output.split())
    assert "Traceback" not in res.output
