"""OncoTree (MSK, CC BY 4.0) → TumourType nodes with IS_A, xrefs and a resolver for retired codes.

The tree is the canonical tumour-type axis: curated cohorts, CIViC diseases (through DOID → NCIt)
and MOAlmanac/CGI codes all land on ``oncotree:<CODE>`` nodes, so the ids equal those of
data/tumour_types.csv and cohort ids never change. MOAlmanac codes against the 2021 tree; the
2025 tree records renamed, split and withdrawn codes in ``history``/``precursors``/``revocations``,
which ``OncoTree.resolve`` follows (``ALL`` → ``BLL`` and ``TLL``; ``MM`` → ``PCM``).

Files (any of): ``oncotree_<date>.json`` (nested, official), ``oncotree_<date>_flat.tsv`` (one
row per node), and the team's ``ontology_mappings.txt`` (NCIt, UMLS, ICD-O, HemOnc).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg import schema as S
from kg.records import Edge, LoadResult, Node, SourceFile, sha256_of
from kg.schema import Label, Rel
from loaders.registry import Inputs, inputs_for, source_info

SOURCE = "oncotree"


@dataclass
class OncoNode:
    code: str
    name: str
    main_type: str | None
    tissue: str | None
    level: int
    parent: str | None
    nci: list[str] = field(default_factory=list)
    umls: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    precursors: list[str] = field(default_factory=list)
    revocations: list[str] = field(default_factory=list)
    icdo_topography: list[str] = field(default_factory=list)
    icdo_morphology: list[str] = field(default_factory=list)
    hemonc: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return S.tumour_type_id(self.code)

    def props(self) -> dict[str, object]:
        def j(values: list[str]) -> str | None:
            return "|".join(values) or None

        return {"name": self.name, "main_type": self.main_type, "tissue": self.tissue,
                "level": self.level, "nci": j(self.nci), "umls": j(self.umls),
                "history": j(self.history), "precursors": j(self.precursors),
                "revocations": j(self.revocations), "icdo_topography": j(self.icdo_topography),
                "icdo_morphology": j(self.icdo_morphology), "hemonc": j(self.hemonc)}


class OncoTree:
    """The parsed tree with lookups by NCIt code and by retired code."""

    def __init__(self, nodes: dict[str, OncoNode], version: str, files: list[SourceFile]):
        self.nodes = nodes
        self.version = version
        self.files = files
        #: NCIt code → OncoTree codes; the tree's own references first, then ontology_mappings
        self.by_nci: dict[str, list[str]] = {}
        for n in nodes.values():
            for c in n.nci:
                self.by_nci.setdefault(c, [])
                if n.code not in self.by_nci[c]:
                    self.by_nci[c].append(n.code)
        #: lower-case name → code; "Glioma, NOS" also as "glioma" (not "…, Other")
        self.by_name: dict[str, str] = {}
        for n in nodes.values():
            self.by_name[n.name.lower()] = n.code
        for n in nodes.values():  # "Myelodysplastic Syndromes" = "myelodysplastic syndrome"
            if n.name.lower().endswith("s"):
                self.by_name.setdefault(n.name.lower()[:-1], n.code)
        for n in nodes.values():
            head, _, tail = n.name.lower().partition(",")
            if tail and tail.strip() != "other":
                self.by_name.setdefault(head.strip(), n.code)
        #: lower-case main type → (node standing for it, precision, node holding all of it)
        groups: dict[str, list[str]] = {}
        for n in nodes.values():
            if n.main_type:
                groups.setdefault(n.main_type.lower(), []).append(n.code)
        self.by_main_type: dict[str, tuple[str, str, str]] = {}
        for main_type, codes in groups.items():
            found = self.main_type_node(main_type, codes)
            if found is not None:
                self.by_main_type[main_type] = found
        self._successors: dict[str, list[str]] = {}
        for n in nodes.values():
            for old in n.history + n.precursors + n.revocations:
                if old not in nodes:
                    self._successors.setdefault(old, []).append(n.code)

    # ------------------------------------------------------------ reading
    @classmethod
    def from_folder(cls, folder: Path) -> OncoTree:
        trees = sorted(p for p in folder.glob("oncotree_*.json"))
        flats = sorted(folder.glob("oncotree_*_flat.tsv"))
        files: list[SourceFile] = []
        if trees:
            path = trees[-1]
            nodes = _read_json(path)
        elif flats:
            path = flats[-1]
            nodes = _read_flat(path)
        else:
            raise FileNotFoundError(f"no oncotree_<date>.json or _flat.tsv in {folder}")
        files.append(SourceFile(str(path), sha256_of(path), len(nodes)))
        version = re.sub(r"(_flat)?\.(json|tsv)$", "", path.name)
        mappings = folder / "ontology_mappings.txt"
        if mappings.exists():
            rows = _add_mappings(mappings, nodes)
            files.append(SourceFile(str(mappings), sha256_of(mappings), rows))
        return cls(nodes, version, files)

    # ------------------------------------------------------------ queries
    @staticmethod
    def _ancestors_of(code: str, nodes: dict[str, OncoNode]) -> list[str]:
        out = []
        cur = nodes[code].parent if code in nodes else None
        while cur:
            out.append(cur)
            cur = nodes[cur].parent if cur in nodes else None
        return out

    def ancestors(self, code: str) -> list[str]:
        """Parent, grand-parent … up to TISSUE (the code itself excluded)."""
        return self._ancestors_of(code, self.nodes)

    def resolve(self, code: str) -> list[str]:
        """Current codes for any code, old or new: itself if current, else its successors
        (through renames, splits and withdrawals, followed transitively); [] if unknown."""
        code = code.strip().upper()
        if code in self.nodes:
            return [code]
        out: list[str] = []
        todo, seen = list(self._successors.get(code, [])), {code}
        while todo:
            c = todo.pop(0)
            if c in seen:
                continue
            seen.add(c)
            if c in self.nodes:
                out.append(c)
            else:
                todo += self._successors.get(c, [])
        return out

    def resolve_one(self, code: str) -> tuple[str | None, str]:
        """One current code and how it was found: ``current``, ``renamed`` (one successor),
        ``common-ancestor`` (a split code such as ALL → the nearest node above BLL and TLL) or
        ``unknown``."""
        found = self.resolve(code)
        if not found:
            return None, "unknown"
        if found == [code.strip().upper()]:
            return found[0], "current"
        if len(found) == 1:
            return found[0], "renamed"
        return self.common_ancestor(found), "common-ancestor"

    def main_type_node(self, main_type: str,
                       codes: list[str]) -> tuple[str, str, str] | None:
        """The node that stands for a main type, given all its nodes, how well it does, and the
        nearest node that holds all of them (the same node unless ``close``).

        ``exact`` when the nodes' nearest common ancestor has that main type itself ("breast
        cancer" → BREAST, whose main type is Breast Cancer). When the ancestor is a tissue node
        of a wider main type ("colorectal cancer" → BOWEL, main type Bowel Cancer, which also
        holds anal and small-bowel cancers), the topmost node that holds most of the main type's
        nodes is preferred, ``close`` (Colorectal Cancer → COADREAD, 6 of its 7 nodes; only
        medullary carcinoma CMC lies outside). Without such a node the ancestor stays,
        ``broader`` (Bladder Cancer → BLADDER); never the root, which means any tumour type."""
        top = self.common_ancestor(sorted(codes))
        if (self.nodes[top].main_type or "").lower() == main_type:
            return top, "exact", top
        members = set(codes)
        heads = [c for c in codes if self.nodes[c].parent not in members]
        covered = {h: sum(1 for c in codes if c == h or h in self.ancestors(c)) for h in heads}
        best = max(sorted(heads), key=lambda h: covered[h])
        if 2 * covered[best] > len(codes):
            return best, "close", top
        return (top, "broader", top) if self.nodes[top].level > 0 else None

    def common_ancestor(self, codes: list[str]) -> str:
        paths = [[c, *self._ancestors_of(c, self.nodes)] for c in codes]
        shared = set(paths[0]).intersection(*paths[1:])
        return next(c for c in paths[0] if c in shared)

    def lineage_nodes(self, code: str) -> list[OncoNode]:
        return [self.nodes[c] for c in [code, *self.ancestors(code)]]


def _split(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, list):
        return [str(v).strip() for v in values if str(v).strip()]
    return [v.strip() for v in re.split(r"[|,]", str(values)) if v.strip()]


def _read_json(path: Path) -> dict[str, OncoNode]:
    data = json.loads(path.read_text(encoding="utf-8"))
    nodes: dict[str, OncoNode] = {}
    todo = list(data.values())
    while todo:
        raw = todo.pop()
        refs = raw.get("externalReferences") or {}
        nodes[raw["code"]] = OncoNode(
            raw["code"], raw["name"], raw.get("mainType") or None, raw.get("tissue") or None,
            int(raw["level"]), raw.get("parent") or None, _split(refs.get("NCI")),
            _split(refs.get("UMLS")), _split(raw.get("history")), _split(raw.get("precursors")),
            _split(raw.get("revocations")))
        todo.extend((raw.get("children") or {}).values())
    return nodes


def _read_flat(path: Path) -> dict[str, OncoNode]:
    nodes: dict[str, OncoNode] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            nodes[r["code"]] = OncoNode(
                r["code"], r["name"], r.get("main_type") or None, r.get("tissue") or None,
                int(r["level"]), r.get("parent") or None, _split(r.get("nci")),
                _split(r.get("umls")), _split(r.get("history")), _split(r.get("precursors")),
                _split(r.get("revocations")))
    return nodes


def _add_mappings(path: Path, nodes: dict[str, OncoNode]) -> int:
    """Merge the team's crosswalk: NCIt/UMLS codes the tree lacks, ICD-O and HemOnc codes."""
    rows = 0
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            rows += 1
            n = nodes.get((r.get("ONCOTREE_CODE") or "").strip())
            if n is None:
                continue
            for attr, col in (("nci", "NCIT_CODE"), ("umls", "UMLS_CODE"),
                              ("icdo_topography", "ICDO_TOPOGRAPHY_CODE"),
                              ("icdo_morphology", "ICDO_MORPHOLOGY_CODE"),
                              ("hemonc", "HEMEONC_CODE")):
                have = getattr(n, attr)
                have.extend(v for v in _split(r.get(col)) if v not in have)
    return rows


@lru_cache(maxsize=4)
def oncotree(folder: Path) -> OncoTree:
    return OncoTree.from_folder(folder)


def emit_lineage(tree: OncoTree, code: str, node, edge, seen: set[str]) -> None:
    """The node and its ancestors with IS_A (used by loaders that point evidence at the tree)."""
    for n in tree.lineage_nodes(code):
        if n.id in seen:
            return
        seen.add(n.id)
        node(n.id, Label.TUMOUR_TYPE, **n.props())
        if n.parent:
            edge(n.id, Rel.IS_A, S.tumour_type_id(n.parent))


def load_entry(inputs: Inputs) -> list[LoadResult]:
    return [load_tree(oncotree(inputs.folder()))]


def load(source_dir: Path) -> LoadResult:
    """OncoTree from a folder of source folders (tests)."""
    return load_entry(inputs_for(SOURCE, source_dir))[0]


def load_tree(tree: OncoTree) -> LoadResult:
    info = source_info(SOURCE, tree.version, list(tree.files))
    out = LoadResult(info)
    for n in sorted(tree.nodes.values(), key=lambda x: x.code):
        out.nodes.append(Node(n.id, Label.TUMOUR_TYPE, n.props(), SOURCE, tree.version))
        if n.parent:
            out.edges.append(Edge(n.id, Rel.IS_A, S.tumour_type_id(n.parent), SOURCE,
                                  tree.version))
    out.loaded["tumour types"] = len(tree.nodes)
    out.loaded["retired codes resolvable"] = len(tree._successors)
    out.notes.append("OncoTree is CC BY 4.0: credit Memorial Sloan Kettering Cancer Center.")
    return out
