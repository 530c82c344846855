"""`kg build --root DIR` deletes only what it made: foreign folders under DIR/builds survive any
number of builds, and a foreign DIR/current (a file, or a link elsewhere) stops the build with a
one-line message instead of being replaced."""

from __future__ import annotations

from pathlib import Path

import pytest
from export_support import MINI
from typer.testing import CliRunner

from kg.build import BUILD_MARKER, KEEP_BUILDS
from ui.cli import app


def kg_build(root: Path):
    return CliRunner().invoke(app, ["build", "--root", str(root), "--data-dir", str(MINI),
                                    "--source", "curated"])


def test_foreign_folders_under_builds_survive_pruning(tmp_path):
    builds = tmp_path / "builds"
    foreign = [builds / "00000000-my-notes", builds / ".hidden-tool-cache"]
    for folder in foreign:
        folder.mkdir(parents=True)
        (folder / "keep.txt").write_text("mine")
    (builds / "zzz-file.txt").parent.mkdir(exist_ok=True)
    (builds / "zzz-file.txt").write_text("mine")
    for _ in range(KEEP_BUILDS + 2):
        res = kg_build(tmp_path)
        assert res.exit_code == 0, res.output
    for folder in foreign:
        assert (folder / "keep.txt").read_text() == "mine"
    assert (builds / "zzz-file.txt").read_text() == "mine"
    ours = [p for p in builds.iterdir() if (p / BUILD_MARKER).exists()]
    assert len(ours) == KEEP_BUILDS  # pruning still works on our own builds


@pytest.mark.parametrize("kind", ["file", "folder", "link elsewhere"])
def test_a_foreign_current_is_never_replaced(tmp_path, kind):
    current = tmp_path / "current"
    if kind == "file":
        current.write_text("not yours")
    elif kind == "folder":
        current.mkdir()
        (current / "keep.txt").write_text("not yours")
    else:
        (tmp_path / "elsewhere").mkdir()
        current.symlink_to(tmp_path / "elsewhere")
    res = kg_build(tmp_path)
    assert res.exit_code == 1
    assert "is not a link made by kg build" in res.output
    assert "previous graph is unchanged" in res.output
    assert "Traceback" not in res.output
    if kind == "file":
        assert current.read_text() == "not yours"
    elif kind == "folder":
        assert (current / "keep.txt").read_text() == "not yours"
    else:
        assert current.resolve() == (tmp_path / "elsewhere").resolve()
    assert not (tmp_path / "builds").exists() or not any((tmp_path / "builds").iterdir())
