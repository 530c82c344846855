"""Schema invariants, atomic publishing, round-trip counts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import kg.build as kb
from kg.artefact import Artefact
from kg.errors import ValidationFailed
from kg.records import Edge, LoadResult, Node, SourceInfo
from kg.schema import NODE_CLASSES, Label, Rel, check_schema, label_for_id
from kg.stores.networkx import to_networkx
from tests.conftest import MINI, build_from


def test_schema_is_sound():
    assert check_schema() == []


def test_every_prefix_names_one_label():
    for cls in NODE_CLASSES.values():
        for prefix in cls.id_prefixes:
            assert label_for_id(f"{prefix}:x") == cls.label


def test_undeclared_property_is_refused(tmp_path):
    src = SourceInfo("t", "1", "CC0", "test")
    bad = LoadResult(src, nodes=[Node("HGNC:1", Label.GENE, {"colour": "red"}, "t", "1")])
    with pytest.raises(ValidationFailed, match="not declared"):
        kb.build([bad], tmp_path)


def test_dangling_edge_and_wrong_label_pair_are_refused(tmp_path):
    src = SourceInfo("t", "1", "CC0", "test")
    nodes = [Node("HGNC:1", Label.GENE, {}, "t", "1"),
             Node("alt:X", Label.ALTERATION, {}, "t", "1")]
    edges = [Edge("alt:X", Rel.IN_GENE, "HGNC:2", "t", "1"),
             Edge("HGNC:1", Rel.IN_GENE, "alt:X", "t", "1")]
    with pytest.raises(ValidationFailed) as info:
        kb.build([LoadResult(src, nodes, edges)], tmp_path)
    text = info.value.render()
    assert "missing node HGNC:2" in text and "Gene-[IN_GENE]->Alteration" in text


def test_source_without_licence_is_refused(tmp_path):
    with pytest.raises(ValidationFailed, match="licence"):
        kb.build([LoadResult(SourceInfo("t", "1", "", "x"))], tmp_path)


def test_counts_match_the_rows_of_the_mini_fixture(mini_artefact):
    """Counted by eye in tests/fixtures/mini: 5 report rows in cohorts.csv (5 Results) on 4
    cohort ids, plus 1 planned arm in arms.csv (5 Cohorts); 2 trials, 2 drugs, 2 genes;
    DRUP:nivolumab-msi@2023 supersedes @2019 (1 SUPERSEDES); the crc and nsclc strata of the
    VE-BASKET arm (2 STRATUM_OF). The networkx graph holds exactly the tables' rows."""
    counts = mini_artefact.counts()
    assert {k: counts["nodes"][k] for k in ("Result", "Cohort", "Trial", "Drug", "Gene")} == {
        "Result": 5, "Cohort": 5, "Trial": 2, "Drug": 2, "Gene": 2}
    assert (counts["edges"]["SUPERSEDES"], counts["edges"]["STRATUM_OF"]) == (1, 2)
    g = to_networkx(mini_artefact)
    assert g.number_of_nodes() == sum(counts["nodes"].values())
    assert g.number_of_edges() == sum(counts["edges"].values())


def test_manifest_has_versions_checksums_and_counts(mini_artefact):
    m = mini_artefact.manifest
    src = m["sources"][0]
    assert src["name"] == "curated" and src["version"] and src["licence"]
    assert {Path(f["path"]).name for f in src["files"]} >= {"cohorts.csv", "trials.csv"}
    assert all(len(f["sha256"]) == 64 for f in src["files"])
    for rel_path, digest in m["tables"].items():
        assert kb.sha256_of(mini_artefact.path / rel_path) == digest


def test_failed_build_leaves_previous_artefact(tmp_path, monkeypatch):
    first = build_from(MINI, tmp_path)
    before = (tmp_path / "current").resolve()
    calls = {"n": 0}
    real_write = kb._write

    def failing_write(df, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full (simulated)")
        return real_write(df, path)

    monkeypatch.setattr(kb, "_write", failing_write)
    with pytest.raises(OSError):
        build_from(MINI, tmp_path)
    assert (tmp_path / "current").resolve() == before
    again = Artefact.open(tmp_path)
    assert again.counts() == first.counts()
    assert not list((tmp_path / "builds").glob(".*")), "partial build directory left behind"


KILL_SCRIPT = """
import sys, time
from pathlib import Path
import kg.build as kb
from loaders.curated import CuratedLoader
real = kb._write
def slow(df, path):
    out = real(df, path)
    Path(sys.argv[2]).touch()
    time.sleep(60)
    return out
kb._write = slow
kb.build(CuratedLoader(Path(sys.argv[3])).load(), Path(sys.argv[1]))
"""


def test_killed_build_leaves_previous_artefact(tmp_path):
    build_from(MINI, tmp_path)
    before = (tmp_path / "current").resolve()
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(tmp_path), str(ready),
                             str(MINI)], cwd=Path(__file__).parents[1])
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None, "build process ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (tmp_path / "current").resolve() == before
    assert Artefact.open(tmp_path).counts()["nodes"]["Cohort"] == 5
    # the next build succeeds and publishes a new directory
    build_from(MINI, tmp_path)
    assert json.loads((tmp_path / "current" / "manifest.json").read_text())["counts"]


def test_known_cohort_numbers_fixture(mini_artefact):
    results = mini_artefact.nodes(Label.RESULT).set_index("id")
    row = results.loc["result:VE-BASKET:vemurafenib-braf-v600:nsclc@2015"]
    assert (row["n_evaluable"], row["n_response"], row["median_pfs_months"]) == (19, 8, 7.3)
    assert row["source_file"].endswith("cohorts.csv") and row["source_row"] == 3


def test_current_report_never_double_counts(mini_artefact):
    from queries.cohorts import current_results

    current, header = current_results(mini_artefact)
    drup = current[current["cohort"] == "cohort:DRUP:nivolumab-msi"]
    assert len(drup) == 1 and drup.iloc[0]["n_evaluable"] == 28
    old, header = current_results(mini_artefact, as_of=2019)
    assert old.set_index("cohort").loc["cohort:DRUP:nivolumab-msi", "n_evaluable"] == 10
    assert header["excluded_after_as_of"] == 1
    assert pd.api.types.is_integer_dtype(current["n_evaluable"])
