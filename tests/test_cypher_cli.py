"""`kg cypher`: writes refused on both engines, named queries with parameters, output formats,
row cap, range guard, and clear engine errors with a non-zero exit."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from kg.stores.cypher_engines import QueryRefused, check_range_guard
from kg.stores.ladybug import export_ladybug
from kg.stores.neo4j import load_artefact
from ui.cli import app

WRITES = ["CREATE (:Gene {id: 'HGNC:0', symbol: 'X'})",
          "MATCH (g:Gene) SET g.symbol = 'X'",
          "MATCH (g:Gene) DETACH DELETE g",
          "MERGE (:Gene {id: 'HGNC:0'})"]


@pytest.fixture(scope="module")
def lbfile(engine_artefact, tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "graph.lbug"
    export_ladybug(engine_artefact, path, include_private=False)
    return path


@pytest.fixture(scope="module")
def neo(engine_artefact, neo4j_uri):
    load_artefact(engine_artefact, neo4j_uri, include_private=False)
    return neo4j_uri


def kg(*args: str):
    return CliRunner().invoke(app, ["cypher", *args])


def _genes(args) -> int:
    res = kg("MATCH (g:Gene) RETURN count(g) AS n", "-f", "json", *args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)[0]["n"]


@pytest.mark.parametrize("query", WRITES)
def test_write_refused_on_ladybug(lbfile, query):
    before = _genes(["--db", str(lbfile)])
    res = kg(query, "--db", str(lbfile))
    assert res.exit_code == 1
    assert "Query failed on ladybug" in res.output and "read-only" in res.output
    assert _genes(["--db", str(lbfile)]) == before


@pytest.mark.neo4j
@pytest.mark.parametrize("query", WRITES)
def test_write_refused_on_neo4j(neo, query):
    before = _genes(["-e", "neo4j", "--uri", neo])
    res = kg(query, "-e", "neo4j", "--uri", neo)
    assert res.exit_code == 1
    assert "Query failed on neo4j" in res.output and "read-only" in res.output
    assert _genes(["-e", "neo4j", "--uri", neo]) == before


def test_named_query_with_param_as_csv(lbfile):
    res = kg("@gene_alterations", "--param", "gene=BRAF", "-f", "csv", "--db", str(lbfile))
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert rows and all(r["alteration_id"].startswith("alt:BRAF") for r in rows)


def test_json_params_and_limit(lbfile):
    res = kg("UNWIND $xs AS x RETURN x AS x", "-p", "xs=[1,2,3,4]", "--limit", "2", "-f", "json",
             "--db", str(lbfile))
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [{"x": 1}, {"x": 2}]
    assert "Stopped at --limit 2" in res.stderr


def test_unknown_parameter_and_query_named(lbfile):
    res = kg("@gene_card", "-p", "gen=BRAF", "--db", str(lbfile))
    assert res.exit_code == 2 and "has no parameter(s) gen" in res.output
    res = kg("@no_such_query", "--db", str(lbfile))
    assert res.exit_code == 2 and "no query named" in res.output


def test_engine_syntax_error_is_shown(lbfile):
    res = kg("MATCH (g:Gene RETURN g", "--db", str(lbfile))
    assert res.exit_code == 1 and "Query failed on ladybug" in res.output


@pytest.mark.neo4j
def test_neo4j_syntax_error_is_shown(neo):
    res = kg("MATCH (g:Gene RETURN g", "-e", "neo4j", "--uri", neo)
    assert res.exit_code == 1 and "Neo.ClientError.Statement.SyntaxError" in res.output


#: about a billion rows, each with a string filter no engine can skip
HEAVY = ("MATCH (a), (b), (c), (d), (e) WHERE a.id + b.id + c.id + d.id + e.id = 'x' "
         "RETURN count(*) AS n")


@pytest.mark.neo4j
@pytest.mark.timeout(120)
def test_neo4j_timeout_stops_a_long_query(neo):
    res = kg(HEAVY, "-e", "neo4j", "--uri", neo, "--timeout", "1")
    assert res.exit_code == 1 and "TransactionTimedOut" in res.output


@pytest.mark.timeout(120)
def test_ladybug_timeout_stops_a_long_query(lbfile):
    res = kg(HEAVY, "--db", str(lbfile), "--timeout", "0.5")
    assert res.exit_code == 1 and "Interrupted" in res.output


def test_huge_range_refused_before_the_engine(lbfile):
    res = kg("UNWIND range(1, 100000000) AS i RETURN count(i) AS n", "--db", str(lbfile))
    assert res.exit_code == 1 and "range() would produce" in res.output
    with pytest.raises(QueryRefused):
        check_range_guard("UNWIND range(1, 2000) AS a UNWIND range(1, 2000) AS b RETURN 1", {})
    with pytest.raises(QueryRefused):
        check_range_guard("UNWIND range(0, $n) AS i RETURN i", {"n": 10**9})
    with pytest.raises(QueryRefused):
        check_range_guard("MATCH (g:Gene) UNWIND range(0, size(g.id) * 1000000) AS i RETURN i",
                          {})
    check_range_guard("UNWIND range(1, 10) AS i RETURN i // range(1, 10**12) is a comment", {})
    check_range_guard("RETURN 'range(1, 100000000000)' AS s", {})


def test_list_shows_library():
    res = kg("--list")
    assert res.exit_code == 0 and "gene_card" in res.output and "cohort_outcomes" in res.output
