"""Private means private, provenance included: no export made without --include-private names
the committee's table, on every format (GraphML, RDF Turtle, neo4j-admin CSV, LadybugDB) and in
Neo4j after a load.

The committee table here (``secret-board-7.csv``) has two rows: a cohort testing vemurafenib, a
regimen the public mini slice also names (tests/fixtures/mini/cohorts.csv, VE-BASKET rows), so
the shared Regimen node is stamped ``curated;committee:secret-board-7.csv`` in the artefact; and
the combination row of export_support.py. The secret is the table's name, ``secret-board-7``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from export_support import MINI, write_committee_table

from kg.artefact import Artefact
from kg.build import build
from kg.stores import graphml, neo4j_csv, rdf
from kg.stores.cypher_engines import LadybugEngine
from kg.stores.ladybug import export_ladybug
from loaders.curated import CuratedLoader

SECRET = "secret-board-7"
SHARED_REGIMEN = "regimen:NCIT:C64768"  # vemurafenib alone: public (VE-BASKET) and private


@pytest.fixture(scope="module")
def secret_artefact(tmp_path_factory) -> Artefact:
    root = tmp_path_factory.mktemp("privacy")
    table = write_committee_table(root / f"{SECRET}.csv")
    with open(table, newline="") as fh:
        rows = list(csv.DictReader(fh))
    second = dict(rows[0], result_id="DRUP:committee-vemurafenib:lung@2024",
                  cohort_id="DRUP:committee-vemurafenib:lung", drugs="vemurafenib",
                  tumour_type="LUNG", arm="committee vemurafenib lung")
    with open(table, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows([rows[0], second])
    return build(CuratedLoader(MINI, [table]).load(), root / "build")


def test_the_artefact_itself_names_the_committee_on_the_shared_node(secret_artefact):
    """The premise: without filtering, the shared node would leak the name."""
    df = secret_artefact.nodes("Regimen")
    source = df.loc[df["id"] == SHARED_REGIMEN, "source"].iloc[0]
    assert source == f"curated;committee:{SECRET}.csv"


def _text_of(path: Path) -> str:
    if path.is_dir():
        return "\n".join(p.read_text(errors="replace") for p in sorted(path.rglob("*"))
                         if p.is_file())
    return path.read_text(errors="replace")


@pytest.mark.parametrize("fmt", ["graphml", "turtle", "neo4j-admin-csv"])
def test_text_exports_never_name_the_committee(secret_artefact, tmp_path, fmt):
    public, private = tmp_path / "public", tmp_path / "private"
    for out, include in ((public, False), (private, True)):
        if fmt == "graphml":
            graphml.export(secret_artefact, out, include)
        elif fmt == "turtle":
            rdf.export(secret_artefact, out, "turtle", include)
        else:
            neo4j_csv.export(secret_artefact, out, include)
    assert SECRET not in _text_of(public)
    assert SECRET in _text_of(private)  # the check can fail: the name is there when asked for
    assert SHARED_REGIMEN.split(":", 1)[1] in _text_of(public)  # the shared node is kept


def _sources(engine) -> list[str]:
    nodes = engine.run("MATCH (n) RETURN DISTINCT n.source AS s").rows
    edges = engine.run("MATCH ()-[r]->() RETURN DISTINCT r.source AS s").rows
    return sorted({r[0] for r in nodes + edges if r[0]})


def _assert_public(engine) -> None:
    """No node or edge names the committee; the regimen it shares with the curated data says
    only "curated"."""
    assert not [s for s in _sources(engine) if SECRET in s]
    shared = engine.run("MATCH (r:Regimen {id: $id}) RETURN r.source AS s",
                        {"id": SHARED_REGIMEN}).rows
    assert shared == [("curated",)]


def test_ladybug_export_never_names_the_committee(secret_artefact, tmp_path):
    export_ladybug(secret_artefact, tmp_path / "public.lbug", include_private=False)
    engine = LadybugEngine(tmp_path / "public.lbug")
    try:
        _assert_public(engine)
    finally:
        engine.close()
    meta = (tmp_path / "public.lbug.json")
    assert not meta.exists() or SECRET not in meta.read_text()


@pytest.mark.neo4j
def test_neo4j_load_never_names_the_committee(secret_artefact, neo4j_uri):
    from kg.stores.cypher_engines import Neo4jEngine
    from kg.stores.neo4j import load_artefact

    load_artefact(secret_artefact, neo4j_uri, include_private=False)
    engine = Neo4jEngine(neo4j_uri)
    try:
        _assert_public(engine)
    finally:
        engine.close()
