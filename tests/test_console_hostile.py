"""Hostile input to the analyst console, on both Cypher engines and on SPARQL.

Each input is refused within its limit, and the graph is byte for byte what it was: the
LadybugDB file and its folder (no .wal or .shadow file appears), the artefact's files, the
Oxigraph store's files, and Neo4j's node and relationship counts. No file the input names is
written. Set REDISCOVER_SECURITY_REPORT=<file> to get the table of inputs and outcomes in
Markdown (bench/results/security-*.md).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kg.records import sha256_of
from kg.stores.cypher_engines import CypherError, LadybugEngine, Neo4jEngine
from kg.stores.ladybug import export_ladybug

#: seconds within which a refusal must come (the guard answers before any engine runs)
REFUSAL_S = 2.0
#: query timeout and its margin for the inputs that reach an engine
TIMEOUT_S = 5.0

# (case, query): {TMP} is a folder the input would write into
CYPHER = [
    ("read a system file (LadybugDB)", "LOAD FROM '/etc/shadow' (file_format='csv') RETURN *"),
    ("read a system file (Neo4j)", "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l"),
    ("read a URL (SSRF)", "LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS l RETURN l"),
    ("write any file", "COPY (MATCH (g:Gene) RETURN g.id) TO '{TMP}/leak.csv'"),
    ("dump the database", "EXPORT DATABASE '{TMP}/dump'"),
    ("import a database", "IMPORT DATABASE '{TMP}/dump'"),
    ("attach another database", "ATTACH '{TMP}/other.lbug' AS o (dbtype lbug)"),
    ("checkpoint (leaves .wal/.shadow)", "CHECKPOINT"),
    ("install an extension", "INSTALL httpfs"),
    ("load an extension", "LOAD EXTENSION httpfs"),
    ("transaction control", "BEGIN TRANSACTION"),
    ("commit", "COMMIT"),
    ("rollback", "ROLLBACK"),
    ("change a setting", "CALL threads=64"),
    ("procedure with side effects", "CALL apoc.export.csv.all('{TMP}/all.csv', {})"),
    ("procedure not allow-listed", "CALL dbms.components() YIELD name RETURN name"),
    ("create", "CREATE (:Gene {id: 'HGNC:0', symbol: 'X'})"),
    ("merge", "MERGE (:Gene {id: 'HGNC:0'})"),
    ("set", "MATCH (g:Gene) SET g.symbol = 'X'"),
    ("delete", "MATCH (g:Gene) DETACH DELETE g"),
    ("remove", "MATCH (g:Gene) REMOVE g.symbol"),
    ("drop a table", "DROP TABLE Gene"),
    ("alter a table", "ALTER TABLE Gene ADD x INT64"),
    ("mixed case", "mAtCh (g:Gene) dEtAcH dElEtE g"),
    ("second statement", "MATCH (g:Gene) RETURN g.id LIMIT 1; CREATE (:Gene {id: 'HGNC:0'})"),
    ("statement after a comment", "MATCH (g:Gene) RETURN g.id /* ; */ ; CHECKPOINT"),
    ("write inside a subquery", "CALL { CREATE (g:Gene {id: 'HGNC:0'}) RETURN g } RETURN g"),
    ("unterminated string hiding a statement",
     "RETURN 'a\\' ; COPY (MATCH (g:Gene) RETURN g) TO '{TMP}/x.csv'"),
    ("huge range()", "UNWIND range(1, 100000000) AS i RETURN count(i) AS n"),
]

#: inputs that pass the guard and must be stopped by the engine's own limits
HEAVY = [
    ("collect() over a cartesian product (memory)",
     "MATCH (a), (b), (c) RETURN collect(a.id + b.id + c.id) AS x"),
    ("collect() of a million 2 kB strings (memory)",
     "UNWIND range(1, 1000000) AS i RETURN size(collect('" + "x" * 2000
     + "')) AS n"),
    ("long cartesian count (timeout)",
     "MATCH (a), (b), (c), (d) WHERE a.id + b.id + c.id + d.id = 'x' RETURN count(*) AS n"),
]

SPARQL = [
    ("update: insert", "INSERT DATA { <http://a> <http://b> <http://c> }"),
    ("update: delete", "DELETE WHERE { ?s ?p ?o }"),
    ("update: load a file", "LOAD <file:///etc/passwd>"),
    ("update: clear", "CLEAR ALL"),
    ("SERVICE (outbound HTTP)", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> "
                                "{ ?s ?p ?o } }"),
    ("FROM a file", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"),
    ("CONSTRUCT", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    ("cartesian product (timeout)", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
                                    "?g ?h ?i }"),
]

RESULTS: list[tuple[str, str, str, str, float]] = []  # engine, case, query, outcome, seconds


def _record(engine: str, case: str, query: str, outcome: str, seconds: float) -> None:
    RESULTS.append((engine, case, query, " ".join(outcome.split())[:160], seconds))


@pytest.fixture(scope="module", autouse=True)
def report():
    yield
    target = os.environ.get("REDISCOVER_SECURITY_REPORT")
    if not target:
        return
    lines = ["| engine | input | query | result | s |", "|---|---|---|---|---|"]
    for engine, case, query, outcome, seconds in RESULTS:
        q = query.replace("|", "\\|").replace("\n", " ").replace("x" * 2000, "x…x")
        lines.append(f"| {engine} | {case} | `{q}` | {outcome.replace('|', '/')} | "
                     f"{seconds:.2f} |")
    Path(target).write_text("\n".join(lines) + "\n")


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha256_of(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def lb(engine_artefact, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-lb")
    export_ladybug(engine_artefact, folder / "graph.lbug")
    return folder / "graph.lbug"


def _refused(engine, case: str, query: str, limit_s: float, timeout_s: float = TIMEOUT_S):
    started = time.perf_counter()
    with pytest.raises(CypherError) as info:
        engine.run(query, timeout_s=timeout_s)
    seconds = time.perf_counter() - started
    _record(engine.name, case, query, str(info.value), seconds)
    assert seconds < limit_s, (case, seconds)
    return str(info.value)


@pytest.mark.parametrize(("case", "query"), CYPHER, ids=[c for c, _ in CYPHER])
def test_ladybug_refuses(lb, engine_artefact, tmp_path, case, query):
    query = query.replace("{TMP}", str(tmp_path))
    before, art_before = _tree(lb.parent), _tree(engine_artefact.path)
    engine = LadybugEngine(lb)
    try:
        message = _refused(engine, case, query, REFUSAL_S)
        assert "refused" in message or "range() would produce" in message
        assert engine.run("MATCH (g:Gene) RETURN count(g) AS n").rows[0][0] > 0
    finally:
        engine.close()
    assert _tree(lb.parent) == before and _tree(engine_artefact.path) == art_before
    assert not any(tmp_path.iterdir()), "the input wrote a file"


@pytest.mark.parametrize(("case", "query"), HEAVY, ids=[c for c, _ in HEAVY])
def test_ladybug_limits_stop_heavy_queries(lb, tmp_path, monkeypatch, case, query):
    monkeypatch.setenv("REDISCOVER_LADYBUG_BUFFER_MB", "128")
    before = _tree(lb.parent)
    engine = LadybugEngine(lb)
    try:
        message = _refused(engine, case, query, TIMEOUT_S + 5)
        assert "buffer pool is full" in message or "Interrupted" in message
    finally:
        engine.close()
    assert _tree(lb.parent) == before


@pytest.fixture(scope="module")
def neo(engine_artefact, neo4j_uri):
    from kg.stores.neo4j import load_artefact

    load_artefact(engine_artefact, neo4j_uri, include_private=False)
    return neo4j_uri


def _neo_counts(engine: Neo4jEngine) -> tuple[int, int]:
    nodes = engine.run("MATCH (n) RETURN count(n) AS n").rows[0][0]
    rels = engine.run("MATCH ()-[r]->() RETURN count(r) AS n").rows[0][0]
    return nodes, rels


@pytest.mark.neo4j
@pytest.mark.parametrize(("case", "query"), CYPHER, ids=[c for c, _ in CYPHER])
def test_neo4j_refuses(neo, tmp_path, case, query):
    query = query.replace("{TMP}", str(tmp_path))
    engine = Neo4jEngine(neo)
    try:
        before = _neo_counts(engine)
        message = _refused(engine, case, query, REFUSAL_S)
        assert "refused" in message or "range() would produce" in message
        assert _neo_counts(engine) == before
    finally:
        engine.close()
    assert not any(tmp_path.iterdir()), "the input wrote a file"


@pytest.mark.neo4j
@pytest.mark.parametrize(("case", "query"), HEAVY, ids=[c for c, _ in HEAVY])
def test_neo4j_limits_stop_heavy_queries(neo, case, query):
    engine = Neo4jEngine(neo)
    try:
        before = _neo_counts(engine)
        message = _refused(engine, case, query, TIMEOUT_S + 10)
        assert "MemoryPoolOutOfMemoryError" in message or "TransactionTimedOut" in message
        assert _neo_counts(engine) == before
    finally:
        engine.close()


@pytest.mark.neo4j
def test_neo4j_server_itself_forbids_file_urls_and_writes_in_read_mode(neo):
    """Below the console's allow-list: the harness refuses LOAD CSV of a file URL, and a READ
    session refuses a write, even for a client that skips our guard."""
    from neo4j import READ_ACCESS, GraphDatabase
    from neo4j.exceptions import ClientError

    with GraphDatabase.driver(neo) as driver:
        with driver.session(default_access_mode=READ_ACCESS) as session, \
                pytest.raises(ClientError) as info:
            session.run("LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l").consume()
        assert "allow_csv_import_from_file_urls" in str(info.value) \
            or "file" in str(info.value).lower()
        _record("neo4j (no guard)", "LOAD CSV file URL", "LOAD CSV FROM 'file:///etc/passwd'",
                str(info.value), 0.0)
        with driver.session(default_access_mode=READ_ACCESS) as session, \
                pytest.raises(ClientError) as info:
            session.execute_read(lambda tx: tx.run("CREATE (:Gene {id: 'HGNC:0'})").consume())
        _record("neo4j (no guard)", "write in a READ transaction", "CREATE (:Gene …)",
                str(info.value), 0.0)


@pytest.fixture(scope="module")
def sparql_store(engine_artefact):
    from kg.stores import rdf

    return rdf.cached_store(engine_artefact)


@pytest.mark.parametrize(("case", "query"), SPARQL, ids=[c for c, _ in SPARQL])
def test_sparql_refuses(sparql_store, case, query):
    from kg.stores import rdf
    from kg.stores.sparql_console import SparqlRefused, Target, run

    before = _tree(sparql_store)
    started = time.perf_counter()
    with pytest.raises(SparqlRefused) as info:
        run(Target(store=sparql_store), query, rdf.prefixes(), timeout_s=2)
    seconds = time.perf_counter() - started
    _record("sparql", case, query, str(info.value), seconds)
    limit = REFUSAL_S if "timeout" not in case else 2 + 120 + 5  # + the child's start-up
    assert seconds < limit
    assert _tree(sparql_store) == before
