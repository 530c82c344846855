"""RDF store: the artefact as an RDF graph (Turtle, JSON-LD, N-Triples) and SPARQL over it.

Mapping (documented in the README and tested in tests/test_rdf_*.py):

- Node → IRI expanded from its CURIE by a ``curies.Converter``. Registry prefixes (HGNC, NCIT,
  DOID, oncotree, pubmed, doi, civic.eid, civic.aid; clinicaltrials for NCT links) use the URI
  prefix chosen in ``REGISTRY_URI_PREFIXES``, each of which bioregistry lists for that resource
  (checked when the converter is made). Project-local prefixes (alt, regimen, cohort, result,
  trial, drug, gene, moa, cgi, …: every id prefix of kg.schema that is not in the registry table)
  expand under ``ID_BASE + "<prefix>/"``. ``url:`` ids become the URL itself.
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
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import bioregistry
import curies
import pandas as pd
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from kg.artefact import Artefact
from kg.records import content_id
from kg.schema import BOOL, FLOAT, INT, NODE_CLASSES, PROVENANCE, REL_CLASSES, Label, Rel
from kg.stores.selection import GraphTables, graph_tables

BASE = "https://w3id.org/rediscover/"
VOCAB = Namespace(BASE + "vocab/")
ID_BASE = BASE + "id/"
STATEMENT = Namespace(ID_BASE + "statement/")
BIOLINK = Namespace("https://w3id.org/biolink/vocab/")

#: CURIE prefix as used in our ids → the URI prefix we publish. Each must be one bioregistry
#: knows for that resource; we prefer resolvable, widely used forms over bioregistry.io links.
REGISTRY_URI_PREFIXES: dict[str, str] = {
    "HGNC": "http://identifiers.org/hgnc/",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "oncotree": "https://oncotree.mskcc.org/api/tumorTypes/search/code/",
    "pubmed": "https://pubmed.ncbi.nlm.nih.gov/",
    "doi": "https://doi.org/",
    "civic.eid": "https://civicdb.org/links/evidence/",
    "civic.aid": "https://civicdb.org/links/assertions/",
    "clinicaltrials": "https://www.clinicaltrials.gov/study/",
}
URL_PREFIX = "url"

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

_XSD = {INT: XSD.integer, FLOAT: XSD.double, BOOL: XSD.boolean}
_IRI_SAFE = "-._~!$&'()*+,;=:@/"
_NCT = re.compile(r"NCT\d{8}")


# ---------------------------------------------------------------- identifiers
@cache
def converter() -> curies.Converter:
    """CURIE ⇄ IRI for every id prefix of the schema (see the module docstring)."""
    records = []
    registry = bioregistry.get_converter()
    for prefix, uri_prefix in REGISTRY_URI_PREFIXES.items():
        rec = registry.get_record(bioregistry.normalize_prefix(prefix) or prefix)
        if rec is None:
            raise ValueError(f"bioregistry does not know the prefix {prefix!r}")
        known = {rec.uri_prefix, *rec.uri_prefix_synonyms}
        if uri_prefix not in known:
            raise ValueError(f"{uri_prefix} is not a URI prefix bioregistry lists for {prefix}")
        records.append(curies.Record(
            prefix=prefix, uri_prefix=uri_prefix,
            prefix_synonyms=sorted({rec.prefix, *rec.prefix_synonyms} - {prefix}),
            uri_prefix_synonyms=sorted(known - {uri_prefix})))
    for cls in NODE_CLASSES.values():
        for prefix in cls.id_prefixes:
            if prefix not in REGISTRY_URI_PREFIXES and prefix != URL_PREFIX:
                records.append(curies.Record(prefix=prefix, uri_prefix=f"{ID_BASE}{prefix}/"))
    return curies.Converter(records)


def iri(curie: str) -> URIRef:
    """The published IRI of a node id. Local parts are percent-encoded where IRIs forbid."""
    prefix, _, local = curie.partition(":")
    if prefix == URL_PREFIX:
        return URIRef(quote(local, safe=_IRI_SAFE + "?#[]%"))
    return URIRef(converter().expand(f"{prefix}:{quote(local, safe=_IRI_SAFE)}", strict=True))


def statement_iri(src: str, rel: Rel, dst: str, source: str) -> URIRef:
    return STATEMENT[content_id(src, rel, dst, source)]


# ---------------------------------------------------------------- triples
def _literal(value: Any, kind: str) -> Literal | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == INT:
        return Literal(int(value), datatype=XSD.integer)
    if kind == FLOAT:
        return Literal(float(value), datatype=XSD.double)
    if kind == BOOL:
        return Literal(bool(value), datatype=XSD.boolean)
    return Literal(str(value))


def vocabulary_triples() -> Iterator[tuple]:
    """Classes and predicates with their Biolink mappings: the graph explains itself."""
    for label, cls in NODE_CLASSES.items():
        c = VOCAB[str(label)]
        yield c, RDF.type, OWL.Class
        yield c, RDFS.label, Literal(str(label))
        yield c, RDFS.comment, Literal(cls.description)
        yield c, RDFS.subClassOf, BIOLINK[cls.biolink.split(":", 1)[1]]
    for rel, rc in REL_CLASSES.items():
        p = VOCAB[str(rel)]
        yield p, RDF.type, OWL.ObjectProperty
        yield p, RDFS.label, Literal(str(rel))
        yield p, RDFS.comment, Literal(rc.description)
        for target in REL_MAPPINGS.get(rel, ()):
            yield p, RDFS.subPropertyOf, target


def node_triples(label: Label, df: pd.DataFrame) -> Iterator[tuple]:
    cls = NODE_CLASSES[label]
    kinds = {**cls.properties, **PROVENANCE}
    klass, category = VOCAB[str(label)], BIOLINK[cls.biolink.split(":", 1)[1]]
    clinicaltrials = converter().get_record("clinicaltrials").uri_prefix
    for rec in df.to_dict("records"):
        s = iri(rec["id"])
        yield s, RDF.type, klass
        yield s, RDF.type, category
        yield s, DCTERMS.identifier, Literal(rec["id"])
        for prop, kind in kinds.items():
            lit = _literal(rec.get(prop), kind)
            if lit is None:
                continue
            yield s, (RDFS.label if prop == "name" else VOCAB[prop]), lit
            if prop in ("registry_ids", "nct_ids"):
                for nct in sorted(set(_NCT.findall(str(lit)))):
                    yield s, RDFS.seeAlso, URIRef(clinicaltrials + nct)


def edge_triples(rel: Rel, df: pd.DataFrame) -> Iterator[tuple]:
    p = VOCAB[str(rel)]
    kinds = {**PROVENANCE, **REL_CLASSES[rel].properties}
    for rec in df.to_dict("records"):
        s, o = iri(rec["src"]), iri(rec["dst"])
        st = statement_iri(rec["src"], rel, rec["dst"], rec["source"])
        yield s, p, o
        yield st, RDF.type, RDF.Statement
        yield st, RDF.subject, s
        yield st, RDF.predicate, p
        yield st, RDF.object, o
        for prop, kind in kinds.items():
            lit = _literal(rec.get(prop), kind)
            if lit is not None:
                yield st, VOCAB[prop], lit


def view_triples(view: GraphTables) -> Iterator[tuple]:
    yield from vocabulary_triples()
    for label, df in view.nodes.items():
        yield from node_triples(label, df)
    for rel, df in view.edges.items():
        yield from edge_triples(rel, df)


# ---------------------------------------------------------------- graphs
def bind_prefixes(g: Graph) -> None:
    """Bind every prefix we publish, or serialisers write full IRIs."""
    for name, ns in (("rdf", RDF), ("rdfs", RDFS), ("xsd", XSD), ("owl", OWL)):
        g.bind(name, ns)
    g.bind("rd", VOCAB)
    g.bind("biolink", BIOLINK)
    g.bind("stmt", STATEMENT)
    g.bind("dcterms", DCTERMS)
    g.bind("prov", PROV)
    g.bind("skos", SKOS)
    for rec in converter().records:
        g.bind(rec.prefix.replace(".", "_"), Namespace(rec.uri_prefix))


def new_graph(store: str = OXIGRAPH) -> Graph:
    """An empty graph; its triples live in the store's default graph (Oxigraph would otherwise
    file them under a random named graph that a reopened store does not show)."""
    g = Graph(store=store, identifier=DATASET_DEFAULT_GRAPH_ID, bind_namespaces="none")
    bind_prefixes(g)
    return g


def fill(g: Graph, triples: Iterable[tuple], batch: int = 50_000) -> Graph:
    """Add triples in batches (one store call per batch, not per triple)."""
    buf: list[tuple] = []
    for s, p, o in triples:
        buf.append((s, p, o, g))
        if len(buf) >= batch:
            g.addN(buf)
            buf.clear()
    if buf:
        g.addN(buf)
    return g


def to_graph(art: Artefact, include_private: bool = False, store: str = OXIGRAPH) -> Graph:
    """The artefact as one RDF graph (private records left out unless asked for)."""
    return fill(new_graph(store), view_triples(graph_tables(art, include_private)))


def rdf_format(fmt: str, store: str = OXIGRAPH) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r}; choose one of {', '.join(FORMATS)}")
    plain, ox, _ = FORMATS[fmt]
    return ox if store == OXIGRAPH else plain


def serialize(g: Graph, path: Path, fmt: str, store: str = OXIGRAPH) -> Path:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        g.serialize(destination=tmp, format=rdf_format(fmt, store), encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def export(art: Artefact, path: Path, fmt: str = "turtle", include_private: bool = False,
           store: str = OXIGRAPH) -> int:
    """Write the graph to ``path``; returns the number of triples written."""
    rdf_format(fmt, store)  # fail on a bad format before the work
    g = to_graph(art, include_private, store)
    serialize(g, path, fmt, store)
    return len(g)


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
    """
    import pyoxigraph
    from oxrdflib import OxigraphStore

    cache_dir = art.path / "rdf" / ("oxigraph-all" if include_private else "oxigraph-public")
    if not cache_dir.exists():
        cache_dir.parent.mkdir(exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{cache_dir.name}.", dir=cache_dir.parent))
        try:
            g = new_graph(OXIGRAPH)
            g.open(str(tmp / "store"), create=False)
            fill(g, view_triples(graph_tables(art, include_private)))
            g.close()
            with contextlib.suppress(OSError):  # OSError: another process published it first
                os.rename(tmp / "store", cache_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    store = OxigraphStore(store=pyoxigraph.Store.read_only(str(cache_dir)))
    g = Graph(store=store, identifier=DATASET_DEFAULT_GRAPH_ID, bind_namespaces="none")
    bind_prefixes(g)
    return g


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
