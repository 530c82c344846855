"""Record sink shared by the MOAlmanac and CGI loaders: one place that stamps provenance,
emits each node once and turns genes, alterations, regimens and OncoTree codes into records.

The knowledgebase loaders differ in how they read their files, not in what they emit: an Evidence
node with FOR_ALTERATION / FOR_REGIMEN / IN_TUMOUR / REPORTED_IN edges, plus the Gene, Alteration,
Drug, Regimen, TumourType and Publication nodes those edges need (so a build with only this source
and the curated tables still passes the integrity check; nodes merge by id with other sources).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from kg import schema as S
from kg.records import Edge, LoadResult, Node, SourceFile, sha256_of
from kg.schema import Label, Rel
from loaders.normalise import alterations as A
from loaders.normalise.drugs import DrugInfo, DrugNormaliser, emit_regimen
from loaders.normalise.genes import GeneResolver, gene_resolver, hgnc_file
from loaders.oncotree import OncoTree, emit_lineage, oncotree
from loaders.registry import Inputs, fetched_version
from loaders.tables import display_path

_PMID = re.compile(r"PMID:\s*(\d+)", re.I)


class Sink:
    """Collects records for one LoadResult; ids already emitted are skipped."""

    def __init__(self, result: LoadResult):
        self.out = result
        self.seen: set[str] = set()

    @property
    def _prov(self) -> tuple[str, str]:
        return self.out.source.name, self.out.source.version

    def node(self, node_id: str, label: Label, **props) -> None:
        self.out.nodes.append(Node(node_id, label, props, *self._prov))

    def edge(self, src: str, rel: Rel, dst: str, **props) -> None:
        self.out.edges.append(Edge(src, rel, dst, *self._prov, props))

    def once(self, node_id: str, label: Label, **props) -> None:
        if node_id not in self.seen:
            self.seen.add(node_id)
            self.node(node_id, label, **props)

    # ------------------------------------------------------------ typed helpers
    def alteration(self, spec: A.AltSpec, genes: GeneResolver) -> str:
        """The alteration, its lineage and the genes it touches; returns its id."""
        A.emit(spec, self.node, self.edge, self.seen)
        for gid, symbol in A.genes_of(spec).items():
            rec = genes.by_id.get(gid)
            self.once(gid, Label.GENE, name=symbol, symbol=symbol,
                      entrez=rec.entrez if rec else None)
        return spec.id

    def regimen(self, drugs: list[DrugInfo]) -> str:
        return emit_regimen(drugs, self.node, self.edge, self.seen)

    def tumour(self, tree: OncoTree, code: str) -> str:
        emit_lineage(tree, code, self.node, self.edge, self.seen)
        return S.tumour_type_id(code)

    def pubmed(self, evidence_id: str, text: str) -> int:
        """REPORTED_IN edges for every PMID in a citation text; returns how many."""
        pmids = sorted(set(_PMID.findall(text or "")))
        for pmid in pmids:
            pid = S.publication_id(f"pubmed:{pmid}")
            self.once(pid, Label.PUBLICATION, name=f"PMID:{pmid}",
                      url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/")
            self.edge(evidence_id, Rel.REPORTED_IN, pid)
        return len(pmids)


def shared_resources(inputs: Inputs) -> tuple[GeneResolver, OncoTree]:
    """HGNC and OncoTree from the folders the registry names (both cached per process); their
    files are recorded as borrowed, so the manifest lists them under their own source."""
    return hgnc(inputs), tree_of(inputs)


def hgnc(inputs: Inputs) -> GeneResolver:
    folder = inputs.folder("hgnc")
    path = hgnc_file(folder)
    inputs.borrow("hgnc", fetched_version(folder) or path.stem, [path])
    return gene_resolver(path)


def tree_of(inputs: Inputs) -> OncoTree:
    tree = oncotree(inputs.folder("oncotree"))
    inputs.borrow("oncotree", tree.version, tree.files)
    return tree


def drug_normaliser(inputs: Inputs, curated_drugs: Path | None = None) -> DrugNormaliser:
    """The curated drug table, then MOAlmanac's therapy crosswalk only when MOAlmanac is part of
    the build (Inputs.drug_crosswalks): a default build reads nothing of MOAlmanac."""
    drugs = curated_drugs or inputs.data_dir / "drugs.csv"
    crosswalks = inputs.drug_crosswalks
    inputs.borrow("curated", "", [drugs] if drugs.exists() else [])
    if crosswalks:
        inputs.borrow("moalmanac", fetched_version(crosswalks[0].parent) or "", crosswalks)
    return DrugNormaliser.from_files(drugs, *crosswalks)


def source_files(paths: Iterable[Path], rows: dict[Path, int] | None = None) -> list[SourceFile]:
    rows = rows or {}
    return [SourceFile(display_path(p), sha256_of(p), rows.get(p)) for p in paths]
