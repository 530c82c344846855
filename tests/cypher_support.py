"""Fixtures shared by the LadybugDB, Neo4j and Cypher tests (imported by conftest.py).

``engine_artefact``: the bundled curated tables (mini fixture until data/*.csv exists) plus the
committee's private cohort table and a small hand-written evidence source, so that the evidence
and private-row paths are exercised. The evidence rows are test values, not curated claims.
``neo4j_uri``: NEO4J_URI when set, else the harness started by ``kg.stores.neo4j_server``.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import pytest

from kg.artefact import Artefact
from kg.build import build
from kg.errors import ValidationFailed
from kg.records import Edge, LoadResult, Node, SourceInfo
from kg.schema import Label, Rel
from loaders.curated import DATA_DIR, CuratedLoader

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"
COMMITTEE = HERE / "fixtures" / "ui" / "committee_cohorts.csv"


def curated_dir() -> Path:
    return DATA_DIR if any(DATA_DIR.glob("cohorts.csv")) else MINI


def evidence_source(results: list[LoadResult]) -> LoadResult:
    """Four evidence items on whatever BRAF alteration, regimen and tumour types exist."""
    nodes = {n.id: n for r in results for n in r.nodes}

    def first(label: Label, prefer: tuple[str, ...]) -> list[str]:
        ids = sorted(i for i, n in nodes.items() if n.label == label)
        chosen = [i for i in prefer if i in ids]
        return chosen + [i for i in ids if i not in chosen]

    alts = first(Label.ALTERATION, ("alt:BRAF:V600E", "alt:BRAF:V600"))
    regs = first(Label.REGIMEN, ("regimen:NCIT:C64768",))
    tts = first(Label.TUMOUR_TYPE, ("oncotree:NSCLC", "oncotree:COADREAD", "oncotree:MEL"))
    src = SourceInfo("test-evidence", "t1", "CC0", "hand-written test rows")
    out = LoadResult(src)
    out.nodes.append(Node("pubmed:1", Label.PUBLICATION, {"name": "test paper", "year": 2020},
                          src.name, src.version))
    specs = [("civic.eid:1", "A", "Supports", 0, 0), ("civic.eid:2", "B", "Supports", 0, 1),
             ("civic.eid:3", "C", "Does Not Support", 1, 1),
             ("moa:1", "B", "Supports", 0, 2)]
    for eid, tier, direction, a, t in specs:
        out.nodes.append(Node(eid, Label.EVIDENCE, {"common_tier": tier, "direction": direction,
                                                    "source_level": tier, "year": 2020},
                              src.name, src.version))
        out.edges += [Edge(eid, Rel.FOR_ALTERATION, alts[a % len(alts)], src.name, src.version),
                      Edge(eid, Rel.FOR_REGIMEN, regs[0], src.name, src.version),
                      Edge(eid, Rel.IN_TUMOUR, tts[t % len(tts)], src.name, src.version,
                           {"mapping_precision": "exact"}),
                      Edge(eid, Rel.REPORTED_IN, "pubmed:1", src.name, src.version)]
    return out


def _build(data_dir: Path, root: Path) -> Artefact:
    results = CuratedLoader(data_dir, [COMMITTEE]).load()
    return build([*results, evidence_source(results)], root)


def build_engine_artefact(root: Path) -> Artefact:
    """The bundled tables when they exist and validate, else the mini fixture (with a warning:
    the bundled tables' own tests report what is wrong with them)."""
    if curated_dir() == DATA_DIR:
        try:
            return _build(DATA_DIR, root / "bundled")
        except ValidationFailed as exc:
            warnings.warn(f"data/ does not validate yet ({len(exc.issues)} issues); engine "
                          "tests use tests/fixtures/mini", stacklevel=2)
    return _build(MINI, root / "mini")


@pytest.fixture(scope="session")
def engine_artefact(tmp_path_factory) -> Artefact:
    return build_engine_artefact(tmp_path_factory.mktemp("engines"))


@pytest.fixture(scope="session")
def neo4j_uri():
    """A Neo4j 5 server: NEO4J_URI, else our harness (skip only without Java/Maven outside CI)."""
    uri = os.environ.get("NEO4J_URI")
    if uri:
        yield uri
        return
    from kg.stores import neo4j_server

    if not (shutil.which("java") and (neo4j_server._classes_ready() or shutil.which("mvn"))):
        if os.environ.get("CI"):
            pytest.fail("CI needs NEO4J_URI or Java and Maven for the Neo4j harness")
        pytest.skip("no NEO4J_URI and no Java/Maven for the Neo4j harness")
    already = neo4j_server.status()["running"]
    yield neo4j_server.start()
    if not already:  # started for this session: stop it again
        neo4j_server.stop()
