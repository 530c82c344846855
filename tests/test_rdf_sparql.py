"""SPARQL over the RDF export: the three library queries answer exactly as their Cypher twins on
LadybugDB, hand-counted answers on the mini slice, and the `kg sparql` command."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from export_support import PRIVATE_COHORT, committee_artefact  # noqa: F401
from typer.testing import CliRunner

from kg.stores import rdf
from kg.stores.cypher_engines import LadybugEngine
from kg.stores.ladybug import export_ladybug
from queries import cypher_library, sparql_library
from ui.cli import app

TWINS = ["cohorts_for_alteration", "drugs_targeting_gene", "tumour_type_rollup"]
CASES = [
    ("drugs_targeting_gene", {}),
    ("drugs_targeting_gene", {"gene": "HGNC:1097"}),
    ("drugs_targeting_gene", {"gene": "EGFR"}),
    ("drugs_targeting_gene", {"gene": "ERBB2"}),
    ("cohorts_for_alteration", {}),
    ("cohorts_for_alteration", {"alteration": "alt:BRAF"}),
    ("cohorts_for_alteration", {"alteration": "alt:MSI-H"}),
    ("tumour_type_rollup", {}),
    ("tumour_type_rollup", {"tumour_type": "oncotree:LUNG"}),
    ("tumour_type_rollup", {"tumour_type": "oncotree:BOWEL"}),
]


def test_every_sparql_twin_has_a_cypher_file_with_the_same_parameters():
    sparql = {q.name: q for q in sparql_library.list_queries()}
    assert set(TWINS) <= set(sparql)
    for name in TWINS:
        cypher = cypher_library.load(name)
        assert sparql[name].defaults == cypher.defaults()


@pytest.fixture(scope="module")
def engines(engine_artefact, tmp_path_factory):
    """The same artefact as LadybugDB file and as RDF graph, both without private rows."""
    path = tmp_path_factory.mktemp("sparql-vs-cypher") / "graph.lbug"
    export_ladybug(engine_artefact, path, include_private=False)
    ladybug = LadybugEngine(path)
    yield ladybug, rdf.to_graph(engine_artefact, include_private=False)
    ladybug.close()


def _norm(v):
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _rows(columns: list[str], rows) -> list[tuple]:
    return sorted((tuple(_norm(v) for v in r) for r in rows), key=repr)


@pytest.mark.parametrize(("name", "overrides"), CASES)
def test_sparql_and_cypher_on_ladybug_agree(engines, name, overrides):
    ladybug, graph = engines
    cypher = cypher_library.load(name)
    sparql = sparql_library.load(name)
    cy = ladybug.run(cypher.text, cypher.parameters(overrides), limit=100_000)
    sp = rdf.select(graph, sparql.text, sparql.parameters(overrides))
    assert list(sp.columns) == cy.columns
    assert _rows(list(sp.columns), sp.itertuples(index=False)) == _rows(cy.columns, cy.rows)


@pytest.mark.parametrize("name", TWINS)
def test_default_parameters_give_answers(engines, name):
    """Equal answers must not be two empty tables."""
    _, graph = engines
    q = sparql_library.load(name)
    assert len(rdf.select(graph, q.text, q.defaults)) > 0


# ------------------------------------------------------------------ hand-counted (mini slice)
def test_drugs_targeting_braf_on_mini(mini_artefact):
    """Vemurafenib targets BRAF; one regimen gives it, tested by 4 cohorts (the VE-BASKET arm,
    its CRC and NSCLC strata, and DRUP's NSCLC arm)."""
    q = sparql_library.load("drugs_targeting_gene")
    df = rdf.select(rdf.to_graph(mini_artefact), q.text, q.defaults)
    assert df.to_dict("records") == [{"drug_id": "NCIT:C64768", "drug": "vemurafenib",
                                      "drug_class": "BRAF inhibitor", "n_regimens": 1,
                                      "n_cohorts": 4}]


def test_tumour_type_rollup_of_lung_on_mini(mini_artefact):
    """Under LUNG only NSCLC is enrolled: the VE-BASKET and DRUP NSCLC cohorts, two trials."""
    q = sparql_library.load("tumour_type_rollup")
    df = rdf.select(rdf.to_graph(mini_artefact), q.text, q.parameters({"tumour_type":
                                                                         "oncotree:LUNG"}))
    assert df[["tumour_type_id", "n_cohorts", "n_trials"]].values.tolist() == \
        [["oncotree:NSCLC", 2, 2]]


def test_parameters_are_literals_not_query_text(mini_artefact):
    g = rdf.to_graph(mini_artefact)
    text = "SELECT ?s WHERE { ?s <http://purl.org/dc/terms/identifier> $id }"
    assert len(rdf.select(g, text, {"id": "alt:BRAF"})) == 1
    assert len(rdf.select(g, text, {"id": 'x" } ?s ?p ?o . { "'})) == 0


# ------------------------------------------------------------------ the command
def _root(art) -> str:
    return str(art.path.parent.parent)


def test_kg_sparql_named_query_hides_private_rows_unless_asked(committee_artefact):  # noqa: F811
    runner = CliRunner()
    args = ["sparql", "@cohorts_for_alteration", "-p", "alteration=alt:BRAF",
            "--root", _root(committee_artefact), "--format", "csv"]
    public = runner.invoke(app, args)
    assert public.exit_code == 0, public.output
    assert "cohort:VE-BASKET:vemurafenib-braf-v600:crc" in public.output
    assert PRIVATE_COHORT not in public.output
    everything = runner.invoke(app, [*args, "--include-private"])
    assert everything.exit_code == 0, everything.output
    assert PRIVATE_COHORT in everything.output


def test_kg_sparql_on_an_exported_file_and_errors(committee_artefact, tmp_path):  # noqa: F811
    runner = CliRunner()
    path = tmp_path / "g.nt"
    out = runner.invoke(app, ["export", "rdf", "-f", "nt", "-o", str(path),
                              "--root", _root(committee_artefact)])
    assert out.exit_code == 0, out.output
    count = runner.invoke(app, ["sparql", "--file", str(path), "--format", "json",
                                "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"])
    assert count.exit_code == 0, count.output
    assert f'"n": {len(rdf.parse(path))}' in count.output
    bad = runner.invoke(app, ["sparql", "--file", str(path), "SELECT WHERE {"])
    assert bad.exit_code == 1
    unknown = runner.invoke(app, ["sparql", "@nope", "--root", _root(committee_artefact)])
    assert unknown.exit_code == 2
    assert "no query named" in unknown.output


def test_cached_store_is_reused_and_read_only(committee_artefact):  # noqa: F811
    g = rdf.cached_graph(committee_artefact)
    n = len(g)
    assert (committee_artefact.path / "rdf" / "oxigraph-public").is_dir()
    with pytest.raises(Exception):  # noqa: B017  (pyoxigraph raises OSError, rdflib others)
        g.update('INSERT DATA { <http://x.org/a> <http://x.org/b> "c" }')
    again = rdf.cached_graph(committee_artefact)
    assert len(again) == n == len(rdf.to_graph(committee_artefact))
