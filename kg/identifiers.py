"""The one identifier converter: node ids (CURIEs) → the IRIs the RDF export publishes and the
links the UI shows, and the check that an id is a valid identifier at all.

Registry prefixes (HGNC, NCIT, DOID, oncotree, pubmed, doi, civic.eid, civic.aid; clinicaltrials
for NCT numbers) expand with the URI prefix chosen in ``REGISTRY_URI_PREFIXES``, each one that
bioregistry lists for that resource (checked when the converter is made, offline), and their
local part must match bioregistry's pattern for the resource. Project-local prefixes (alt,
regimen, cohort, gene, cgi, …: every id prefix of kg.schema not in the registry table) expand
under ``ID_BASE + "<prefix>/"`` and have no web page. ``url:`` ids are the URL itself.
The UI's link of an id is its published IRI, so the two never disagree.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote

from kg.schema import NODE_CLASSES

if TYPE_CHECKING:
    import curies

BASE = "https://w3id.org/rediscover/"
ID_BASE = BASE + "id/"
URL_PREFIX = "url"

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
IRI_SAFE = "-._~!$&'()*+,;=:@/"
#: a project-local id's local part: printable, no spaces, not ending in a dot or colon (such an
#: id came from a parsing slip, e.g. ``gene:R683.`` from CGI's ``JAK1:S646F;R683.``)
_LOCAL = re.compile(r"[^\s\x00-\x1f]*[^\s\x00-\x1f.:]")


class InvalidIdentifier(ValueError):
    pass


@cache
def converter() -> curies.Converter:
    """CURIE ⇄ IRI for every id prefix of the schema (see the module docstring)."""
    import bioregistry  # imported here: 4 s, paid only by exports, SPARQL and the UI
    import curies

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


@cache
def uri_prefixes() -> dict[str, str]:
    """CURIE prefix → published URI prefix, read once from the converter (its per-call
    expansion rebuilds a lookup table and dominated the export time)."""
    return {rec.prefix: rec.uri_prefix for rec in converter().records}


@cache
def _schema_prefixes() -> frozenset[str]:
    return frozenset(p for cls in NODE_CLASSES.values() for p in cls.id_prefixes)


@cache
def _patterns() -> dict[str, re.Pattern]:
    import bioregistry

    out = {}
    for prefix in REGISTRY_URI_PREFIXES:
        pattern = bioregistry.get_pattern(bioregistry.normalize_prefix(prefix) or prefix)
        if pattern:
            out[prefix] = re.compile(pattern)
    return out


def problem(curie: str, registry_patterns: bool = True) -> str | None:
    """Why ``curie`` is not a valid identifier, or None when it is. ``registry_patterns``: also
    match registry ids against bioregistry's pattern (the build skips it: importing bioregistry
    costs seconds; tests check every id of the full graph with it)."""
    prefix, sep, local = curie.partition(":")
    if not sep or not local:
        return "not a CURIE (prefix:local)"
    if prefix == URL_PREFIX:
        return None if local.startswith(("http://", "https://")) else "url: id without http(s)"
    if prefix not in _schema_prefixes() and prefix not in REGISTRY_URI_PREFIXES:
        return f"prefix {prefix!r} is neither in the schema nor a registry we link to"
    pattern = _patterns().get(prefix) if registry_patterns else None
    if pattern is not None:
        return None if pattern.fullmatch(local) else f"{local!r} does not match {pattern.pattern}"
    return None if _LOCAL.fullmatch(local) else f"local part {local!r} is not an identifier"


@lru_cache(maxsize=1 << 18)
def iri(curie: str) -> str:
    """The published IRI of a node id. Local parts are percent-encoded where IRIs forbid."""
    prefix, _, local = curie.partition(":")
    if prefix == URL_PREFIX:
        return quote(local, safe=IRI_SAFE + "?#[]%")
    try:
        return uri_prefixes()[prefix] + quote(local, safe=IRI_SAFE)
    except KeyError:
        raise InvalidIdentifier(f"{curie}: prefix {prefix!r} is not in the schema") from None


_NCT = re.compile(r"NCT\d{8}", re.I)


@lru_cache(maxsize=20_000)
def link(curie: str | None) -> str | None:
    """The web page of an id, for the UI: its published IRI when that is a page of the resource
    (a registry prefix or a URL), None for project-local ids. ``NCT…`` alone is a trial."""
    if curie is None:
        return None
    text = str(curie).strip()
    if text.startswith(("http://", "https://")):
        return text
    if _NCT.fullmatch(text):
        text = f"clinicaltrials:{text.upper()}"
    prefix = text.partition(":")[0]
    if prefix != URL_PREFIX and prefix not in REGISTRY_URI_PREFIXES:
        return None
    if problem(text) is not None:
        return None
    return iri(text)
