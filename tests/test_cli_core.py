"""`kg build`, `kg stats`, `kg show` through the real CLI on the fixture slice."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.conftest import MINI
from tests.test_curated_validation import NEW_ROW, committee_table
from ui.cli import app

runner = CliRunner()


def build(tmp_path, *extra: str):
    root = tmp_path / "b"
    result = runner.invoke(app, ["build", "--data-dir", str(MINI), "--root", str(root),
                                 "--source", "curated", *extra])
    assert result.exit_code == 0, result.output
    return root, result


def test_build_then_stats(tmp_path):
    root, out = build(tmp_path)
    assert "Built" in out.output and "curated" in out.output
    stats = runner.invoke(app, ["stats", "--root", str(root), "--json"])
    data = json.loads(stats.output)
    assert data["coverage"]["cohorts"] == 5
    assert data["coverage"]["cohorts_with_source_pct"] == 100.0
    trials = {r["trial"]: r for r in data["by_trial"]}
    assert trials["trial:DRUP"]["evaluable_patients"] == 28  # final report only, not 10 + 28


def test_committee_rows_are_labelled_in_stats_and_show(tmp_path):
    table = committee_table(tmp_path, NEW_ROW)
    root, _ = build(tmp_path, "--cohorts", str(table))
    stats = runner.invoke(app, ["stats", "--root", str(root), "--json"])
    sources = {(r["trial"], r["source"]) for r in json.loads(stats.output)["by_trial"]}
    assert ("trial:DRUP", "committee:committee.csv") in sources
    shown = runner.invoke(app, ["show", "cohort:DRUP:vemurafenib-braf-v600:crc",
                                "--root", str(root)])
    assert shown.exit_code == 0
    assert "committee:committee.csv" in shown.output and "True" in shown.output


def test_show_lists_neighbours_and_sources(tmp_path):
    root, _ = build(tmp_path)
    out = runner.invoke(app, ["show", "alt:BRAF:V600", "--root", str(root)])
    assert out.exit_code == 0
    for text in ("Alteration alt:BRAF:V600", "IS_A", "alt:BRAF:V600E", "SELECTS", "curated"):
        assert text in out.output


def test_show_unknown_id_suggests(tmp_path):
    root, _ = build(tmp_path)
    out = runner.invoke(app, ["show", "BRAF:V6", "--root", str(root)])
    assert out.exit_code == 1 and "alt:BRAF:V600" in out.output


def test_stats_without_build_is_a_clear_error(tmp_path):
    out = runner.invoke(app, ["stats", "--root", str(tmp_path / "none")])
    assert out.exit_code == 2 and "kg build" in out.output


def test_every_command_has_help():
    for cmd in ([], ["build"], ["stats"], ["show"]):
        out = runner.invoke(app, [*cmd, "--help"])
        assert out.exit_code == 0 and "Usage" in out.output
