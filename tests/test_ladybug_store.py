"""LadybugDB store: schema from kg/schema.py, counts equal the manifest, private rows, atomic swap,
read-only, and the `kg build` / `kg export ladybug` hooks. Real LadybugDB files throughout."""

from __future__ import annotations

import os

import ladybug
import pytest
from typer.testing import CliRunner

from kg.schema import NODE_CLASSES, REL_CLASSES, Label, Rel
from kg.stores import ladybug as lbstore
from kg.stores.cypher_engines import CypherError, LadybugEngine
from kg.stores.selection import private_ids
from ui.cli import app

MINI_DIR = os.path.join(os.path.dirname(__file__), "fixtures", "mini")


def _count(path, query: str) -> int:
    db = ladybug.Database(str(path), read_only=True)
    conn = ladybug.Connection(db)
    try:
        return int(conn.execute(query).get_next()[0])
    finally:
        conn.close()
        db.close()


def test_ddl_declares_every_label_and_relation_pair():
    statements = lbstore.ddl()
    assert len(statements) == len(NODE_CLASSES) + len(REL_CLASSES)
    is_a = next(s for s in statements if s.startswith(f"CREATE REL TABLE {Rel.IS_A}("))
    assert is_a.count("FROM ") == len(REL_CLASSES[Rel.IS_A].pairs) == 3
    result = next(s for s in statements if s.startswith(f"CREATE NODE TABLE {Label.RESULT}("))
    assert "n_evaluable INT64" in result and "orr_pct DOUBLE" in result
    assert "private BOOLEAN" in result and "PRIMARY KEY(id)" in result


def test_counts_equal_manifest_with_private(engine_artefact, tmp_path):
    out = tmp_path / "all.lbug"
    report = lbstore.export_ladybug(engine_artefact, out, include_private=True)
    assert report.counts == engine_artefact.counts()
    assert _count(out, f"MATCH (c:{Label.COHORT}) WHERE c.private RETURN count(c)") == 1
    # A relation with several label pairs keeps each pair apart.
    tt_isa = _count(out, f"MATCH (:{Label.TUMOUR_TYPE})-[r:{Rel.IS_A}]->(:{Label.TUMOUR_TYPE}) "
                    "RETURN count(r)")
    df = engine_artefact.edges(Rel.IS_A)
    assert tt_isa == int((df["src_label"] == str(Label.TUMOUR_TYPE)).sum()) > 0


def test_private_rows_left_out_by_default(engine_artefact, tmp_path):
    out = tmp_path / "public.lbug"
    report = lbstore.export_ladybug(engine_artefact, out, include_private=False)
    hidden = private_ids(engine_artefact)
    assert len(hidden) == 2  # the committee's cohort and its report
    manifest = engine_artefact.counts()
    assert report.counts["nodes"][Label.COHORT] == manifest["nodes"][Label.COHORT] - 1
    assert report.counts["nodes"][Label.RESULT] == manifest["nodes"][Label.RESULT] - 1
    assert report.left_out_private[Rel.OF] == 1
    assert _count(out, "MATCH (c:Cohort) WHERE c.private RETURN count(c)") == 0


def test_failed_rebuild_keeps_the_published_file(engine_artefact, tmp_path, monkeypatch):
    out = tmp_path / "g.lbug"
    lbstore.export_ladybug(engine_artefact, out)
    before = out.stat().st_ino

    def boom(conn, plan):
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(lbstore, "run_copy", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        lbstore.export_ladybug(engine_artefact, out)
    assert out.stat().st_ino == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    genes = engine_artefact.counts()["nodes"]["Gene"]
    assert _count(out, "MATCH (g:Gene) RETURN count(g)") == genes


def test_swap_leaves_an_open_reader_on_the_old_file(engine_artefact, tmp_path):
    out = tmp_path / "g.lbug"
    lbstore.export_ladybug(engine_artefact, out)
    reader = LadybugEngine(out)
    try:
        lbstore.export_ladybug(engine_artefact, out)  # replaced under the reader
        rows = reader.run("MATCH (g:Gene) RETURN count(g) AS n").rows
        assert rows == [(engine_artefact.counts()["nodes"]["Gene"],)]
    finally:
        reader.close()
    meta = lbstore.read_meta(out)
    assert meta["counts"] == engine_artefact.counts() and meta["include_private"] is True


def test_read_only_engine_refuses_writes(engine_artefact, tmp_path):
    out = tmp_path / "g.lbug"
    lbstore.export_ladybug(engine_artefact, out)
    eng = LadybugEngine(out)
    try:
        with pytest.raises(CypherError, match="read-only"):
            eng.run("CREATE (:Gene {id: 'HGNC:0'})")
        with pytest.raises(CypherError, match="read-only"):
            eng.run("MATCH (g:Gene) DETACH DELETE g")
    finally:
        eng.close()
    genes = engine_artefact.counts()["nodes"]["Gene"]
    assert _count(out, "MATCH (g:Gene) RETURN count(g)") == genes


def test_kg_build_and_export_write_the_cache(tmp_path):
    runner = CliRunner()
    root = tmp_path / "b"
    res = runner.invoke(app, ["build", "--root", str(root), "--data-dir", MINI_DIR,
                              "--source", "curated"])
    assert res.exit_code == 0, res.output
    cache = (root / "current").resolve() / lbstore.FILE_NAME
    assert cache.exists()
    genes = _count(cache, "MATCH (g:Gene) RETURN count(g)")
    assert genes == 2
    shared = tmp_path / "shared.lbug"
    res = runner.invoke(app, ["export", "ladybug", "--root", str(root), "--out", str(shared)])
    assert res.exit_code == 0, res.output
    assert lbstore.read_meta(shared)["include_private"] is False
    assert _count(shared, "MATCH (g:Gene) RETURN count(g)") == 2
