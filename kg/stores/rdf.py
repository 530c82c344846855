"""RDF store: the artefact as an RDF graph (Turtle, JSON-LD, N-Triples) and SPARQL over it.

Mapping (documented in the README and tested in tests/test_rdf_*.py):

- Node → IRI from kg.identifiers (the converter the UI's links also use): registry prefixes
  under the URI prefix bioregistry lists and we chose, project-local ones under
  ``ID_BASE + "<prefix>/"``, ``url:`` ids as the URL itself.
- Every node is typed twice: ``rd:<Label>`` (exact, used for counting) and its Biolink category
  from ``NODE_CLASSES[label].biolink``; the vocabulary header states ``rd:<Label> rdfs:subClassOf
  biolink:<Category>``. ``name`` → ``rdfs:label``, the CURIE → ``dcterms:identifier``, other
  properties → ``rd:<property>`` literals typed from the schema (int → xsd:integer, float →
  xsd:double, bool → xsd:boolean, string → plain), plus ``rd:source`` / ``rd:source_version``.
- Relation → a direct triple ``s rd:<REL> o`` (what queries walk) AND a reified
  ``rdf:Statement`` (IRI ``ID_BASE + "statement/<hash of src, rel, dst, source>"``) carrying the
  edge's ``rd:source``, ``rd:source_version`` and edge properties. Edges are counted by
  statements, so two sources asserting the same fact stay two edges, as in the manifest.
  Relations with a natural Biolink (or Dublin Core / SKOS) counterpart are declared
  ``rdfs:subPropertyOf`` it in the vocabulary header (``REL_MAPPINGS``).
- Provenance of evidence and outcome statements is carried by nodes, not by reification: Result
  and Evidence already are statement-like nodes, with ``rd:source``/``rd:source_version``,
  ``rd:REPORTED_IN`` → Publication (a sub-property of ``biolink:publications`` and
  ``prov:wasDerivedFrom``) and, for Results, file/row/locator literals.
- Trial ``registry_ids`` and Evidence ``nct_ids`` also yield ``rdfs:seeAlso`` links to
  ClinicalTrials.gov IRIs.
- The build itself is a ``void:Dataset`` (``ID_BASE + "dataset"``) that ``prov:wasDerivedFrom``
  one ``prov:Entity`` per source with its version, licence and citation (from the manifest).

Store: rdflib's ``Graph`` with the Oxigraph store (oxrdflib) by default; bench/rdf_export.py
measures it against rdflib's in-memory store. Private records are left out unless asked for
(kg.stores.selection).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

import pandas as pd
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS, VOID

from kg.artefact import Artefact
from kg.identifiers import (
    BASE,
    ID_BASE,
    IRI_SAFE,
    converter,
    uri_prefixes,
)
from kg.identifiers import iri as identifier_iri
from kg.records import content_id
from kg.schema import BOOL, FLOAT, INT, NODE_CLASSES, PROVENANCE, REL_CLASSES, Label, Rel
from kg.stores.selection import GraphTables, graph_tables

VOCAB = Namespace(BASE + "vocab/")
STATEMENT = Namespace(ID_BASE + "statement/")
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")

#: Relations with a natural counterpart in Biolink (or Dublin Core / SKOS / PROV).
REL_MAPPINGS: dict[Rel, tuple[URIRef, ...]] = {
    Rel.IN_GENE: (BIOLINK.is_sequence_variant_of,),
    Rel.IS_A: (BIOLINK.subclass_of,),
    Rel.TARGETS: (BIOLINK.affects,),
    Rel.INCLUDES: (BIOLINK.has_part,),
    Rel.PART_OF: (BIOLINK.part_of,),
    Rel.STRATUM_OF: (BIOLINK.part_of,),
    Rel.REPORTED_IN: (BIOLINK.publications, PROV.wasDerivedFrom),
    Rel.SUPERSEDES: (DCTERMS.replaces,),
    Rel.MAPS_TO: (SKOS.mappingRelation,),
}

#: --format value → (rdflib serializer/parser name, oxrdflib name), and a file suffix.
FORMATS: dict[str, tuple[str, str, str]] = {
    "turtle": ("turtle", "ox-turtle", ".ttl"),
    "nt": ("nt", "ox-nt", ".nt"),
    "json-ld": ("json-ld", "ox-json-ld", ".jsonld"),
}
OXIGRAPH, MEMORY = "Oxigraph", "default"

_XSD = {INT: str(XSD.integer), FLOAT: str(XSD.double), BOOL: str(XSD.boolean)}
_NCT = re.compile(r"NCT\d{8}")


# ---------------------------------------------------------------- identifiers
_iri = identifier_iri
_uri_prefixes = uri_prefixes


def iri(curie: str) -> URIRef:
    """The published IRI of a node id (kg.identifiers.iri)."""
    return URIRef(_iri(curie))


def statement_iri(src: str, rel: Rel, dst: str, source: str) -> URIRef:
    return STATEMENT[content_id(src, rel, dst, source)]


# ---------------------------------------------------------------- triples
# Triples are produced once in a store-neutral form (an IRI is a ``str``, a literal a ``Lit``)
# and turned into rdflib or pyoxigraph terms by the store that receives them: building
# rdflib terms only to convert them again for Oxigraph took most of the export time.
class Lit(NamedTuple):
    lexical: str
    datatype: str | None = None


Triple = tuple[str, str, "str | Lit"]


def _lit(value: Any, kind: str) -> Lit | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == INT:
        return Lit(str(int(value)), _XSD[INT])
    if kind == FLOAT:
        return Lit(repr(float(value)), _XSD[FLOAT])
    if kind == BOOL:
        return Lit("true" if value else "false", _XSD[BOOL])
    return Lit(str(value))


def _category(label: Label) -> str:
    return BIOLINK[NODE_CLASSES[label].biolink.split(":", 1)[1]]


def vocabulary_triples() -> Iterator[Triple]:
    """Classes and predicates with their Biolink mappings: the graph explains itself."""
    for label, cls in NODE_CLASSES.items():
        c = VOCAB[str(label)]
        yield c, RDF.type, OWL.Class
        yield c, RDFS.label, Lit(str(label))
        yield c, RDFS.comment, Lit(cls.description)
        yield c, RDFS.subClassOf, _category(label)
    for rel, rc in REL_CLASSES.items():
        p = VOCAB[str(rel)]
        yield p, RDF.type, OWL.ObjectProperty
        yield p, RDFS.label, Lit(str(rel))
        yield p, RDFS.comment, Lit(rc.description)
        for target in REL_MAPPINGS.get(rel, ()):
            yield p, RDFS.subPropertyOf, target


def node_triples(label: Label, df: pd.DataFrame) -> Iterator[Triple]:
    kinds = {**NODE_CLASSES[label].properties, **PROVENANCE}
    predicates = {prop: (RDFS.label if prop == "name" else VOCAB[prop]) for prop in kinds}
    klass, category = VOCAB[str(label)], _category(label)
    clinicaltrials = _uri_prefixes()["clinicaltrials"]
    for rec in df.to_dict("records"):
        s = _iri(rec["id"])
        yield s, RDF.type, klass
        yield s, RDF.type, category
        yield s, DCTERMS.identifier, Lit(rec["id"])
        for prop, kind in kinds.items():
            lit = _lit(rec.get(prop), kind)
            if lit is None:
                continue
            yield s, predicates[prop], lit
            if prop in ("registry_ids", "nct_ids"):
                for nct in sorted(set(_NCT.findall(lit.lexical))):
                    yield s, RDFS.seeAlso, clinicaltrials + nct


def edge_triples(rel: Rel, df: pd.DataFrame) -> Iterator[Triple]:
    p = VOCAB[str(rel)]
    kinds = {**PROVENANCE, **REL_CLASSES[rel].properties}
    predicates = {prop: VOCAB[prop] for prop in kinds}
    seen: set[tuple[str, str]] = set()
    for rec in df.to_dict("records"):
        s, o = _iri(rec["src"]), _iri(rec["dst"])
        st = STATEMENT + content_id(rec["src"], rel, rec["dst"], rec["source"])
        if (s, o) not in seen:  # one direct triple, however many sources state the edge
            seen.add((s, o))
            yield s, p, o
        yield st, RDF.type, RDF.Statement
        yield st, RDF.subject, s
        yield st, RDF.predicate, p
        yield st, RDF.object, o
        for prop, kind in kinds.items():
            lit = _lit(rec.get(prop), kind)
            if lit is not None:
                yield st, predicates[prop], lit


DATASET = ID_BASE + "dataset"
SOURCE = Namespace(ID_BASE + "source/")


def dataset_triples(art: Artefact, include_private: bool = False) -> Iterator[Triple]:
    """Where the graph comes from: the build and each source with version, licence and
    citation (a committee's private source only with include_private). These nodes are not
    typed ``rd:<Label>``, so they never count as graph nodes."""
    m = art.manifest
    yield DATASET, RDF.type, str(VOID.Dataset)
    yield DATASET, DCTERMS.created, Lit(m.get("built_at", ""), str(XSD.dateTime))
    yield DATASET, VOCAB.schema_version, Lit(str(m.get("schema_version", "")))
    for src in m.get("sources", []):
        if src.get("private") and not include_private:
            continue
        node = SOURCE + quote(src["name"], safe=IRI_SAFE)
        yield DATASET, PROV.wasDerivedFrom, node
        yield node, RDF.type, PROV.Entity
        yield node, RDFS.label, Lit(src["name"])
        for prop, key in ((VOCAB.source_version, "version"), (DCTERMS.license, "licence"),
                          (DCTERMS.bibliographicCitation, "citation")):
            if src.get(key):
                yield node, prop, Lit(str(src[key]))


def artefact_triples(art: Artefact, include_private: bool = False) -> Iterator[Triple]:
    """Everything an export holds: vocabulary, dataset provenance, nodes and edges."""
    yield from dataset_triples(art, include_private)
    yield from view_triples(graph_tables(art, include_private))


def view_triples(view: GraphTables) -> Iterator[Triple]:
    yield from vocabulary_triples()
    for label, df in view.nodes.items():
        yield from node_triples(label, df)
    for rel, df in view.edges.items():
        yield from edge_triples(rel, df)


# ---------------------------------------------------------------- graphs
def prefixes() -> dict[str, str]:
    """Every prefix we publish (Turtle name -> namespace IRI)."""
    out = {"rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "owl": str(OWL),
           "rd": str(VOCAB), "biolink": str(BIOLINK), "stmt": str(STATEMENT),
           "dcterms": str(DCTERMS), "prov": str(PROV), "skos": str(SKOS), "void": str(VOID),
           "source": str(SOURCE)}
    for rec in converter().records:
        out[rec.prefix.replace(".", "_")] = rec.uri_prefix
    return out


def bind_prefixes(g: Graph) -> None:
    """Bind every prefix we publish, or serialisers write full IRIs."""
    for name, ns in prefixes().items():
        g.bind(name, Namespace(ns))


def new_graph(store: str = OXIGRAPH) -> Graph:
    """An empty graph; its triples live in the store's default graph (Oxigraph would otherwise
    file them under a random named graph that a reopened store does not show)."""
    g = Graph(store=store, identifier=DATASET_DEFAULT_GRAPH_ID, bind_namespaces="none")
    bind_prefixes(g)
    return g


def wrap(ox_store) -> Graph:
    """An rdflib Graph over a pyoxigraph Store (its default graph)."""
    from oxrdflib import OxigraphStore

    g = Graph(store=OxigraphStore(store=ox_store), identifier=DATASET_DEFAULT_GRAPH_ID,
              bind_namespaces="none")
    bind_prefixes(g)
    return g


def rdflib_term(t: str | Lit) -> URIRef | Literal:
    if isinstance(t, Lit):
        return Literal(t.lexical, datatype=URIRef(t.datatype) if t.datatype else None)
    return URIRef(t)


def fill(g: Graph, triples: Iterable[Triple], batch: int = 50_000) -> Graph:
    """Add triples to an rdflib graph in batches (one store call per batch)."""
    buf: list[tuple] = []
    for s, p, o in triples:
        buf.append((URIRef(s), URIRef(p), rdflib_term(o), g))
        if len(buf) >= batch:
            g.addN(buf)
            buf.clear()
    if buf:
        g.addN(buf)
    return g


def _ox_object(t: str | Lit, node: Callable[[str], Any]) -> Any:
    """An object term as pyoxigraph's (``node`` makes the NamedNodes, cached or not)."""
    import pyoxigraph as ox

    if isinstance(t, Lit):
        return ox.Literal(t.lexical, datatype=node(t.datatype)) if t.datatype \
            else ox.Literal(t.lexical)
    return node(t)


def fill_oxigraph(ox_store, triples: Iterable[Triple]) -> None:
    """Load triples straight into a pyoxigraph Store (no rdflib terms on the way)."""
    import pyoxigraph as ox

    nodes: dict[str, ox.NamedNode] = {}

    def node(value: str) -> ox.NamedNode:
        n = nodes.get(value)
        if n is None:
            n = nodes[value] = ox.NamedNode(value)
        return n

    default = ox.DefaultGraph()
    ox_store.bulk_extend(ox.Quad(node(s), node(p), _ox_object(o, node), default)
                         for s, p, o in triples)


def to_graph(art: Artefact, include_private: bool = False, store: str = OXIGRAPH) -> Graph:
    """The artefact as one RDF graph (private records left out unless asked for)."""
    triples = artefact_triples(art, include_private)
    if store == OXIGRAPH:
        import pyoxigraph

        ox_store = pyoxigraph.Store()
        fill_oxigraph(ox_store, triples)
        return wrap(ox_store)
    return fill(new_graph(store), triples)


def rdf_format(fmt: str, store: str = OXIGRAPH) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r}; choose one of {', '.join(FORMATS)}")
    plain, ox, _ = FORMATS[fmt]
    return ox if store == OXIGRAPH else plain


def _write_atomically(path: Path, write: Callable[[str], None]) -> Path:
    """``write`` fills a temporary file beside ``path``, which then replaces it: a reader
    never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def serialize(g: Graph, path: Path, fmt: str, store: str = OXIGRAPH) -> Path:
    """Write a graph held in a store (the JSON-LD path and the store benchmarks)."""
    return _write_atomically(path, lambda tmp: g.serialize(
        destination=tmp, format=rdf_format(fmt, store), encoding="utf-8"))


#: formats written straight from the triple stream by Oxigraph's serialiser (no store)
STREAMED = {"turtle": "TURTLE", "nt": "N_TRIPLES"}


def export(art: Artefact, path: Path, fmt: str = "turtle", include_private: bool = False,
           store: str = OXIGRAPH) -> int:
    """Write the graph to ``path``; returns the number of triples written.

    Turtle and N-Triples are streamed from the tables to the file: memory stays flat (a store
    of the ×100 benchmark graph, ~40M triples, took more than 20 GB). The triple stream holds
    no duplicates (each node, property and edge statement is emitted once; tested by parsing an
    export back). JSON-LD needs the whole graph and goes through a store."""
    rdf_format(fmt, store)  # fail on a bad format before the work
    if store == OXIGRAPH and fmt in STREAMED:
        return _stream(artefact_triples(art, include_private), path, fmt)
    g = to_graph(art, include_private, store)
    serialize(g, path, fmt, store)
    return len(g)


def _stream(triples: Iterable[Triple], path: Path, fmt: str) -> int:
    import pyoxigraph as ox

    written = 0

    def stream() -> Iterator[ox.Triple]:
        nonlocal written
        for s, p, o in triples:  # no NamedNode cache: memory stays flat
            written += 1
            yield ox.Triple(ox.NamedNode(s), ox.NamedNode(p), _ox_object(o, ox.NamedNode))

    _write_atomically(path, lambda tmp: ox.serialize(
        stream(), tmp, getattr(ox.RdfFormat, STREAMED[fmt]),
        prefixes=prefixes() if fmt == "turtle" else None))
    return written


def parse(path: Path, fmt: str | None = None, store: str = OXIGRAPH) -> Graph:
    """Read an export back (format from the suffix when not given)."""
    if fmt is None:
        by_suffix = {suffix: name for name, (_, _, suffix) in FORMATS.items()}
        fmt = by_suffix.get(path.suffix, "turtle")
    g = new_graph(store)
    g.parse(path, format=rdf_format(fmt, store))
    return g


# ---------------------------------------------------------------- SPARQL
def cached_graph(art: Artefact, include_private: bool = False) -> Graph:
    """A read-only Oxigraph store of the artefact kept next to it (built on first use).

    The artefact directory never changes once published, so the cache never goes stale; it is
    built in a temporary directory and renamed into place, so concurrent users see it whole.
    Opened read-only: SPARQL UPDATE cannot change it.
    """
    import pyoxigraph

    cache_dir = art.path / "rdf" / ("oxigraph-all" if include_private else "oxigraph-public")
    if not cache_dir.exists():
        try:
            cache_dir.parent.mkdir(exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{cache_dir.name}.", dir=cache_dir.parent))
        except OSError:  # a build we may not write into: query an in-memory graph instead
            return to_graph(art, include_private)
        try:
            ox_store = pyoxigraph.Store(str(tmp / "store"))
            fill_oxigraph(ox_store, artefact_triples(art, include_private))
            ox_store.flush()
            del ox_store
            with contextlib.suppress(OSError):  # OSError: another process published it first
                os.rename(tmp / "store", cache_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return wrap(pyoxigraph.Store.read_only(str(cache_dir)))


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def with_params(query: str, params: dict[str, Any]) -> str:
    """Bind the ``$name`` parameters of a query.

    Each ``$name`` is renamed ``?_p_name``, so that a parameter never collides with a result
    column of the same name (``$x`` and ``?x`` are one variable in SPARQL), and bound by a
    VALUES block opening the WHERE group, where FILTERs already see it (a trailing VALUES
    clause would join only after them)."""
    if not params:
        return query
    for name in params:
        query = re.sub(rf"\${re.escape(name)}\b", f"?_p_{name}", query)
    names = " ".join(f"?_p_{k}" for k in params)
    values = " ".join(Literal(v).n3() for v in params.values())
    block = f"\n  VALUES ({names}) {{ ({values}) }}\n"
    m = _WHERE.search(query) or re.search(r"\{", query)
    if m is None:
        raise ValueError("no WHERE group to bind parameters in")
    return query[:m.end()] + block + query[m.end():]


def select(g: Graph, query: str, params: dict[str, str] | None = None) -> pd.DataFrame:
    """Run a SELECT and return plain Python values (IRIs as strings) in a DataFrame."""
    result = g.query(with_params(query, params or {}))
    columns = [str(v) for v in result.vars or []]
    rows = [[None if term is None else term.toPython() if isinstance(term, Literal)
             else str(term) for term in row] for row in result]
    return pd.DataFrame(rows, columns=columns)


def counts(g: Graph) -> dict[str, dict[str, int]]:
    """Nodes per label (by ``rd:<Label>`` type) and edges per relation (by statement)."""
    nodes = select(g, f"""
        SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{
          ?s a ?c . FILTER(STRSTARTS(STR(?c), "{VOCAB}")) }} GROUP BY ?c""")
    edges = select(g, """
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?p (COUNT(?st) AS ?n) WHERE {
          ?st a rdf:Statement ; rdf:predicate ?p } GROUP BY ?p""")
    strip = len(str(VOCAB))
    found_nodes = {c[strip:]: int(n) for c, n in zip(nodes["c"], nodes["n"], strict=True)}
    found_edges = {p[strip:]: int(n) for p, n in zip(edges["p"], edges["n"], strict=True)}
    return {"nodes": {str(k): found_nodes.get(str(k), 0) for k in NODE_CLASSES},
            "edges": {str(k): found_edges.get(str(k), 0) for k in REL_CLASSES}}
