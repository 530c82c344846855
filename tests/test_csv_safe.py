"""Every CSV the project writes neutralises formula cells (OWASP CSV injection rule): `kg query
--format csv`, `kg cypher -f csv`, `kg sparql --format csv`, `kg export csv` and the UI's
download payload.

The hostile graph is the mini slice with the first report row's arm set to
``=cmd|' /C calc'!A0`` and its note to ``+HYPERLINK("http://evil.example")``: that row is
VE-BASKET's colorectal cohort (tests/fixtures/mini/cohorts.csv, row 2).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from export_support import MINI
from typer.testing import CliRunner

from kg.build import build
from kg.csv_safe import csv_bytes, neutralise
from kg.stores import neo4j_csv
from kg.stores.ladybug import export_ladybug
from loaders.curated import CuratedLoader
from ui.cli import app

ARM = "=cmd|' /C calc'!A0"
COHORT = "cohort:VE-BASKET:vemurafenib-braf-v600:crc"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-csv")
    data = root / "data"
    shutil.copytree(MINI, data)
    with open(data / "cohorts.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0].update(arm=ARM, note='+HYPERLINK("http://evil.example")')
    with open(data / "cohorts.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    build(CuratedLoader(data).load(), root / "build")
    return root / "build"


@pytest.mark.parametrize(("cell", "written"), [
    ("=1+1", "'=1+1"), ("+HYPERLINK(\"x\")", "'+HYPERLINK(\"x\")"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("BRAF V600E", "BRAF V600E"), ("a=b", "a=b"), ("", ""), (-0.5, -0.5), (None, None),
])
def test_the_owasp_rule(cell, written):
    assert neutralise(cell) == written


def test_ui_download_payload_is_neutralised():
    df = pd.DataFrame({"arm": [ARM, "plain"], "n": [-1, 2]})
    back = list(csv.reader(io.StringIO(csv_bytes(df).decode())))
    assert back == [["arm", "n"], ["'" + ARM, "-1"], ["plain", "2"]]


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO("\n".join(
        line for line in text.splitlines() if not line.startswith("#")))))


def test_kg_query_csv(hostile):
    res = CliRunner().invoke(app, ["query", "cohort_outcomes", "--root", str(hostile),
                                   "--format", "csv"])
    assert res.exit_code == 0, res.output
    row = next(r for r in _rows(res.stdout) if r["cohort"] == COHORT)
    assert row["arm"] == "'" + ARM
    assert row["n_evaluable"] == "10"  # numbers stay numbers


def test_kg_cypher_csv(hostile, tmp_path):
    from kg.artefact import Artefact

    db = tmp_path / "g.lbug"
    export_ladybug(Artefact.open(hostile), db)
    res = CliRunner().invoke(app, ["cypher", "MATCH (c:Cohort {id: $id}) RETURN c.name AS arm, "
                                   "-1 AS n, '@SUM(1)' AS s", "-p", f"id={COHORT}", "-f", "csv",
                                   "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert _rows(res.stdout) == [{"arm": "'" + ARM, "n": "-1", "s": "'@SUM(1)"}]


def test_kg_sparql_csv(hostile):
    res = CliRunner().invoke(app, ["sparql", "SELECT ?a WHERE { BIND('=1+2' AS ?a) }",
                                   "--root", str(hostile), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert _rows(res.stdout) == [{"a": "'=1+2"}]


def test_kg_export_csv_keeps_ids_and_neutralises_text(hostile, tmp_path):
    out = tmp_path / "export"
    res = CliRunner().invoke(app, ["export", "csv", "--root", str(hostile), "--out", str(out)])
    assert res.exit_code == 0, res.output
    with open(out / neo4j_csv.NODES_DIR / "Cohort.csv", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["id:ID"] == COHORT)
    assert row["name"] == "'" + ARM
    with open(out / neo4j_csv.NODES_DIR / "Result.csv", newline="") as fh:
        notes = [r["note"] for r in csv.DictReader(fh) if r["note"]]
    assert "'+HYPERLINK(\"http://evil.example\")" in notes


def test_neutralising_reads_back_as_the_same_cells_in_a_csv_reader(tmp_path):
    """The quote is a cell prefix, not CSV quoting: a reader sees the quote as text."""
    path = tmp_path / "x.csv"
    from kg.csv_safe import frame_to_csv

    frame_to_csv(pd.DataFrame({"a": ["=1", "ok"]}), path)
    assert Path(path).read_text().splitlines() == ["a", "'=1", "ok"]
