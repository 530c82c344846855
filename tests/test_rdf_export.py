"""RDF export: IRIs, types, literals, provenance statements, counts and round trips.

Counts are compared with the build's manifest (or, for the public export of a graph holding a
committee table, with the manifest minus the hand-counted private rows).
"""

from __future__ import annotations

from urllib.parse import unquote

import bioregistry
import pytest
from export_support import (
    PRIVATE_COHORT,
    PRIVATE_REGIMEN,
    PRIVATE_RESULT,
    committee_artefact,  # noqa: F401
    export_artefact,  # noqa: F401
)
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg import identifiers
from kg.build import build
from kg.schema import NODE_CLASSES, REL_CLASSES, Label
from kg.stores import rdf
from loaders.registry import BuildOptions, selected


# ------------------------------------------------------------------ identifiers
@pytest.mark.parametrize(("curie", "expected"), [
    ("HGNC:1097", "http://identifiers.org/hgnc/1097"),
    ("NCIT:C64768", "http://purl.obolibrary.org/obo/NCIT_C64768"),
    ("DOID:1909", "http://purl.obolibrary.org/obo/DOID_1909"),
    ("oncotree:NSCLC", "https://oncotree.mskcc.org/api/tumorTypes/search/code/NSCLC"),
    ("pubmed:26287849", "https://pubmed.ncbi.nlm.nih.gov/26287849"),
    ("doi:10.1056/NEJMoa1502309", "https://doi.org/10.1056/NEJMoa1502309"),
    ("civic.eid:1409", "https://civicdb.org/links/evidence/1409"),
    ("civic.aid:7", "https://civicdb.org/links/assertions/7"),
    ("alt:BRAF:V600E", "https://w3id.org/rediscover/id/alt/BRAF:V600E"),
    ("regimen:NCIT:C64768+NCIT:C68814",
     "https://w3id.org/rediscover/id/regimen/NCIT:C64768+NCIT:C68814"),
    ("cohort:DRUP:nivolumab-msi", "https://w3id.org/rediscover/id/cohort/DRUP:nivolumab-msi"),
    ("result:DRUP:nivolumab-msi@2019",
     "https://w3id.org/rediscover/id/result/DRUP:nivolumab-msi@2019"),
    ("trial:VE-BASKET", "https://w3id.org/rediscover/id/trial/VE-BASKET"),
    ("drug:some drug", "https://w3id.org/rediscover/id/drug/some%20drug"),
    ("gene:FOO", "https://w3id.org/rediscover/id/gene/FOO"),
    ("moa:12", "https://w3id.org/rediscover/id/moa/12"),
    ("cgi:x", "https://w3id.org/rediscover/id/cgi/x"),
    ("url:https://example.org/a b", "https://example.org/a%20b"),
])
def test_iri_expansion(curie, expected):
    assert str(rdf.iri(curie)) == expected


def test_published_prefixes_are_ones_bioregistry_lists():
    registry = bioregistry.get_converter()
    for prefix, uri_prefix in identifiers.REGISTRY_URI_PREFIXES.items():
        rec = registry.get_record(bioregistry.normalize_prefix(prefix))
        assert uri_prefix in {rec.uri_prefix, *rec.uri_prefix_synonyms}, prefix


def test_every_schema_prefix_expands_and_compresses_back():
    conv = rdf.converter()
    for cls in NODE_CLASSES.values():
        for prefix in cls.id_prefixes:
            if prefix == identifiers.URL_PREFIX:
                continue
            curie = f"{prefix}:X1"
            assert conv.compress(str(rdf.iri(curie))) == curie


def test_registry_synonyms_are_accepted_when_reading_iris():
    """A consumer's IRI in bioregistry's default form still maps back to our CURIE."""
    conv = rdf.converter()
    assert conv.compress("https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/1097") \
        == "HGNC:1097"
    assert conv.compress("https://bioregistry.io/pubmed:123") == "pubmed:123"


# ------------------------------------------------------------------ content of the graph
@pytest.fixture(scope="module")
def graph(export_artefact) -> Graph:  # noqa: F811
    return rdf.to_graph(export_artefact, include_private=True)


def test_every_node_has_iri_label_types_and_identifier(export_artefact, graph):  # noqa: F811
    conv = rdf.converter()
    for label, cls in NODE_CLASSES.items():
        df = export_artefact.nodes(label)
        category = rdf.BIOLINK[cls.biolink.split(":", 1)[1]]
        for rec in df.to_dict("records"):
            s = rdf.iri(rec["id"])
            if not rec["id"].startswith("url:"):
                assert unquote(conv.compress(str(s), strict=True)) == rec["id"]
            assert (s, RDF.type, rdf.VOCAB[str(label)]) in graph
            assert (s, RDF.type, category) in graph
            assert (s, DCTERMS.identifier, Literal(rec["id"])) in graph
            if isinstance(rec["name"], str):
                assert (s, RDFS.label, Literal(rec["name"])) in graph


def test_literals_carry_schema_types(mini_artefact):
    g = rdf.to_graph(mini_artefact, include_private=True)
    r = rdf.iri("result:DRUP:nivolumab-msi@2019")
    assert (r, rdf.VOCAB.year, Literal(2019, datatype=XSD.integer)) in g
    assert (r, rdf.VOCAB.n_evaluable, Literal(10, datatype=XSD.integer)) in g
    assert (r, rdf.VOCAB.private, Literal(False, datatype=XSD.boolean)) in g
    nsclc = rdf.iri("result:VE-BASKET:vemurafenib-braf-v600:nsclc@2015")
    assert (nsclc, rdf.VOCAB.orr_pct, Literal(42.0, datatype=XSD.double)) in g
    assert (nsclc, rdf.VOCAB.median_pfs_months, Literal(7.3, datatype=XSD.double)) in g
    # missing values stay missing: no orr_pct on the interim DRUP report
    assert not list(g.objects(r, rdf.VOCAB.orr_pct))
    trial = rdf.iri("trial:DRUP")
    assert (trial, RDFS.seeAlso, URIRef("https://www.clinicaltrials.gov/study/NCT02925234")) in g


def test_vocabulary_maps_labels_and_relations_to_biolink(graph):
    for label, cls in NODE_CLASSES.items():
        target = rdf.BIOLINK[cls.biolink.split(":", 1)[1]]
        assert (rdf.VOCAB[str(label)], RDFS.subClassOf, target) in graph
    for rel, targets in rdf.REL_MAPPINGS.items():
        for t in targets:
            assert (rdf.VOCAB[str(rel)], RDFS.subPropertyOf, t) in graph


def test_every_edge_is_a_triple_and_a_statement_with_provenance(export_artefact, graph):  # noqa: F811
    for rel in REL_CLASSES:
        for rec in export_artefact.edges(rel).to_dict("records"):
            s, p, o = rdf.iri(rec["src"]), rdf.VOCAB[str(rel)], rdf.iri(rec["dst"])
            st = rdf.statement_iri(rec["src"], rel, rec["dst"], rec["source"])
            assert (s, p, o) in graph
            for triple in ((st, RDF.type, RDF.Statement), (st, RDF.subject, s),
                           (st, RDF.predicate, p), (st, RDF.object, o),
                           (st, rdf.VOCAB.source, Literal(rec["source"])),
                           (st, rdf.VOCAB.source_version, Literal(rec["source_version"]))):
                assert triple in graph


def test_results_cite_their_publication(mini_artefact):
    g = rdf.to_graph(mini_artefact)
    r = rdf.iri("result:VE-BASKET:vemurafenib-braf-v600:nsclc@2015")
    assert (r, rdf.VOCAB.REPORTED_IN, rdf.iri("doi:10.1056/NEJMoa1502309")) in g
    assert (r, rdf.VOCAB.source, Literal("curated")) in g


# ------------------------------------------------------------------ counts and round trips
@pytest.mark.parametrize("fmt", list(rdf.FORMATS))
def test_every_format_round_trips_with_manifest_counts(export_artefact, fmt, tmp_path):  # noqa: F811
    path = tmp_path / f"graph{rdf.FORMATS[fmt][2]}"
    written = rdf.export(export_artefact, path, fmt, include_private=True)
    back = rdf.parse(path)
    assert len(back) == written
    assert rdf.counts(back) == export_artefact.counts()


def test_turtle_parses_back_with_rdflib_own_parser_too(export_artefact, tmp_path):  # noqa: F811
    """Oxigraph writes the file; rdflib's independent Turtle parser must read the same graph."""
    path = tmp_path / "graph.ttl"
    written = rdf.export(export_artefact, path, "turtle", include_private=True)
    back = Graph()
    back.parse(path, format="turtle")
    assert len(back) == written


def test_in_memory_and_oxigraph_stores_give_the_same_graph(mini_artefact):
    a = rdf.to_graph(mini_artefact, store=rdf.OXIGRAPH)
    b = rdf.to_graph(mini_artefact, store=rdf.MEMORY)

    def plain(g: Graph) -> set:  # RDF 1.1: "x" and "x"^^xsd:string are one term
        return {(s, p, Literal(str(o)) if isinstance(o, Literal) and o.datatype == XSD.string
                 else o) for s, p, o in g}

    assert len(a) == len(b) > 500
    assert plain(a) == plain(b)


# ------------------------------------------------------------------ private rows
def _expected_public(counts: dict) -> dict:
    """The manifest minus the committee row: 1 cohort, 1 report and their 5 edges, and the
    regimen only the committee names with its 2 INCLUDES edges."""
    out = {"nodes": dict(counts["nodes"]), "edges": dict(counts["edges"])}
    for label in (Label.COHORT, Label.RESULT, Label.REGIMEN):
        out["nodes"][str(label)] -= 1
    for rel in ("PART_OF", "TESTS", "SELECTS", "ENROLS", "OF"):
        out["edges"][rel] -= 1
    out["edges"]["INCLUDES"] -= 2
    return out


@pytest.mark.parametrize("fmt", list(rdf.FORMATS))
def test_private_rows_only_with_include_private(committee_artefact, fmt, tmp_path):  # noqa: F811
    art = committee_artefact
    public = tmp_path / f"public{rdf.FORMATS[fmt][2]}"
    everything = tmp_path / f"all{rdf.FORMATS[fmt][2]}"
    rdf.export(art, public, fmt)
    rdf.export(art, everything, fmt, include_private=True)
    g_public, g_all = rdf.parse(public), rdf.parse(everything)
    for node_id in (PRIVATE_COHORT, PRIVATE_RESULT):
        assert (rdf.iri(node_id), None, None) not in g_public
        assert (None, None, rdf.iri(node_id)) not in g_public
        assert (rdf.iri(node_id), None, None) in g_all
    assert rdf.counts(g_all) == art.counts()
    found = rdf.counts(g_public)
    expected = _expected_public(art.counts())
    assert found == expected


def test_dataset_names_its_public_sources_only(committee_artefact):  # noqa: F811
    public = rdf.to_graph(committee_artefact)
    everything = rdf.to_graph(committee_artefact, include_private=True)
    dataset = URIRef(rdf.DATASET)
    names = {s["name"]: s for s in committee_artefact.manifest["sources"]}
    committee = next(n for n, s in names.items() if s["private"])
    derived = {str(o) for o in public.objects(dataset, PROV.wasDerivedFrom)}
    assert derived == {str(rdf.SOURCE[n]) for n, s in names.items() if not s["private"]}
    assert (rdf.SOURCE.curated, DCTERMS.license, Literal(names["curated"]["licence"])) in public
    assert (dataset, PROV.wasDerivedFrom, rdf.SOURCE[committee]) not in public
    assert (dataset, PROV.wasDerivedFrom, rdf.SOURCE[committee]) in everything


def test_records_only_a_committee_table_brings_are_private_too(committee_artefact):  # noqa: F811
    g = rdf.to_graph(committee_artefact)
    assert (rdf.iri(PRIVATE_REGIMEN), None, None) not in g
    assert (None, None, rdf.iri(PRIVATE_REGIMEN)) not in g
    everything = rdf.to_graph(committee_artefact, include_private=True)
    assert (rdf.iri(PRIVATE_REGIMEN), None, None) in everything


# ------------------------------------------------------------------ the full graph
@pytest.fixture(scope="module")
def full_artefact(shared_data, tmp_path_factory):
    opts = BuildOptions(source_dir=shared_data)
    results = [r for entry in selected(opts) for r in entry.load(opts)]
    return build(results, tmp_path_factory.mktemp("full"))


@pytest.fixture(scope="module")
def full_turtle(full_artefact, tmp_path_factory):
    path = tmp_path_factory.mktemp("ttl") / "full.ttl"
    return path, rdf.export(full_artefact, path, "turtle", include_private=True)


@pytest.mark.shared_data
def test_full_graph_turtle_loads_with_rdflib_own_parser_and_pyoxigraph(full_turtle):
    """rdflib's own Turtle parser in its default memory store (not Oxigraph's) and pyoxigraph
    each read every triple; rdflib stopped at ``gene:R683\\.`` before CGI's ``JAK1:S646F;R683.``
    was parsed into JAK1's variants."""
    import pyoxigraph

    path, written = full_turtle
    plain = Graph()  # default store, rdflib's parser
    plain.parse(path, format="turtle")
    assert len(plain) == written
    store = pyoxigraph.Store()
    store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == written


@pytest.mark.shared_data
def test_every_node_id_of_the_full_graph_is_a_valid_identifier(full_artefact):
    """Registry ids match bioregistry's pattern (HGNC ``^\\d{1,5}$``, pubmed ``^\\d+$`` …),
    project ids have a local part that does not end in a dot; and the CGI strings that once
    minted genes are now variants of their gene (read in cgi_biomarkers_per_variant_2017-12:
    ``JAK1:S646F;R683.`` with biomarker ``JAK1 (S646F;R683)``, ``MET:Y1230C;Y1235D``)."""
    ids = full_artefact.all_nodes["id"]
    bad = {i: identifiers.problem(i) for i in ids if identifiers.problem(i)}
    assert bad == {}
    assert not {"gene:R683.", "gene:Y1235D", "gene:R683", "gene:C121S"} & set(ids)
    assert {"alt:JAK1:R683", "alt:JAK1:S646F", "alt:MET:Y1235D", "alt:MET:Y1230C",
            "alt:RET:918"} <= set(ids)


@pytest.mark.shared_data
def test_full_graph_turtle_parses_back_with_identical_triple_count(full_artefact, full_turtle):
    path, written = full_turtle
    back = rdf.parse(path)
    assert len(back) == written
    assert rdf.counts(back) == full_artefact.counts()
    assert sum(full_artefact.counts()["nodes"].values()) > 1000  # really the full graph
    # knowledgebase records are published under the registry's own IRIs
    civic = [s for s in back.subjects(RDF.type, rdf.VOCAB.Evidence)
             if str(s).startswith("https://civicdb.org/links/evidence/")]
    assert civic
