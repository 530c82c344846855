"""CIViC (CC0) evidence items and assertions → Evidence nodes linked to alterations, regimens,
diseases, OncoTree tumour types and publications.

Two release layouts are read, chosen by the evidence file's header:
- v1 (the 2021 monthly files, ``01-Aug-2021-*.tsv``): ``gene`` + ``variant``, ``drugs``,
  ``drug_interaction_type``, ``clinical_significance``;
- v2 (current monthly/nightly files): ``molecular_profile``, ``therapies``,
  ``therapy_interaction_type``, ``significance``.
Both are read with quoting disabled (free text holds stray ``"``); rows longer than the header
(six v1 variant rows whose ``assertion_civic_urls`` is itself tab-joined) keep the extra fields
in their last column. DOIDs come without their prefix.

Drugs of one item become regimens by interaction type: Combination → one regimen of all drugs;
Substitutes → one regimen per drug (each alone is claimed); Sequential → also one regimen per drug:
a Regimen is drugs given together, and a sequence is not (the type is kept in the item's name).
Several drugs without a type (assertions) are read as a combination, CIViC's usual meaning there.

The disease goes to a Disease node (IN_DISEASE) and, through DOID → NCIt → OncoTree with parents
walked when needed, to a TumourType (IN_TUMOUR, ``mapping_precision``). Rows that cannot be linked
are kept with what they have and counted in ``LoadResult.skipped``: nothing is dropped silently.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kg import schema as S
from kg.records import Edge, LoadResult, Node, SourceFile, sha256_of
from kg.schema import Label, Rel
from loaders.disease_ontology import DiseaseMapper, disease_ontology, emit_diseases
from loaders.evidence_sink import drug_normaliser, shared_resources
from loaders.normalise import alterations as A
from loaders.normalise.drugs import DrugInfo, DrugNormaliser, emit_regimen
from loaders.normalise.genes import GeneResolver
from loaders.normalise.tiers import common_tier, direction
from loaders.registry import DATA_DIR, Inputs, inputs_for, source_info

SOURCE = "civic"
_DATE = re.compile(r"^(\d{2}-[A-Za-z]{3}-\d{4})-")
#: a year that is a whole field of the citation: "Levine et al., 2005, Blood" (2021 release),
#: "Levine et al., 2005" (2024), not "Abstract 2003"
_YEAR = re.compile(r"(?:^|,)\s*((?:19|20)\d{2})\s*(?:,|$)")

#: v2 column → the v1 name this loader uses internally
V2_TO_V1 = {"therapies": "drugs", "therapy_interaction_type": "drug_interaction_type",
            "significance": "clinical_significance"}


# ---------------------------------------------------------------- files
@dataclass(frozen=True)
class Release:
    """The files of one CIViC release found in a folder."""

    version: str
    layout: str  # v1 | v2
    evidence: Path
    assertions: Path | None
    variants: Path | None
    genes: Path | None


def _release_date(path: Path) -> datetime:
    m = _DATE.match(path.name)
    return datetime.strptime(m.group(1), "%d-%b-%Y") if m else datetime.min


def find_release(folder: Path, version: str | None = None) -> Release:
    """The newest release whose evidence file is present (monthly ``DD-Mon-YYYY-`` prefix or a
    nightly file without date), or the release named by ``version`` (e.g. ``01-Aug-2021``)."""
    found = sorted(folder.glob("*ClinicalEvidenceSummaries.tsv"), key=_release_date)
    if version is not None:
        found = [p for p in found if p.name.startswith(f"{version}-")]
    if not found:
        wanted = f"{version}-" if version else "*"
        raise FileNotFoundError(f"no {wanted}ClinicalEvidenceSummaries.tsv in {folder}")
    evidence = found[-1]
    prefix = evidence.name[: evidence.name.index("ClinicalEvidenceSummaries")]
    prefix = prefix.removesuffix("Accepted")

    def sibling(kind: str) -> Path | None:
        for name in (f"{prefix}Accepted{kind}.tsv", f"{prefix}{kind}.tsv"):
            if (folder / name).exists():
                return folder / name
        return None

    with open(evidence, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
    layout = "v2" if "molecular_profile" in header else "v1"
    version = prefix.rstrip("-") or "nightly"
    return Release(version, layout, evidence, sibling("AssertionSummaries"),
                   sibling("VariantSummaries"), sibling("GeneSummaries"))


@dataclass
class Table:
    path: Path
    header: list[str]
    rows: list[dict[str, str]]
    spilled: int  # rows with more fields than the header


def read_tsv(path: Path) -> Table:
    """Tab-separated, quoting disabled; extra trailing fields are joined into the last column."""
    rows: list[dict[str, str]] = []
    spilled = 0
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        width = len(header)
        for fields in reader:
            if not fields:
                continue
            if len(fields) > width:
                spilled += 1
                fields = fields[: width - 1] + [",".join(f for f in fields[width - 1:] if f)]
            fields += [""] * (width - len(fields))
            rows.append(dict(zip(header, (f.strip() for f in fields), strict=True)))
    return Table(path, header, rows, spilled)


def split_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def split_drugs(value: str | None) -> list[str]:
    """Comma-separated, except inside chemical names: ``2,4-pyrimidinediamine`` is one drug."""
    return [v.strip() for v in re.split(r"(?<=\D),|,(?=\D)", value or "") if v.strip()]


# ---------------------------------------------------------------- loader
class CivicLoader:
    """``source_dir`` (a folder of source folders) or the registry's ``inputs``; ``civic_dir``
    replaces the CIViC folder (tests), ``release`` picks a release (default: the newest)."""

    def __init__(self, source_dir: Path | None = None, curated_drugs: Path | None = None,
                 civic_dir: Path | None = None, release: str | None = None,
                 inputs: Inputs | None = None):
        if inputs is None:
            if source_dir is None:
                raise ValueError("CivicLoader needs source_dir or inputs")
            inputs = inputs_for(SOURCE, source_dir, DATA_DIR)
        self.inputs = inputs
        self.folder = civic_dir or inputs.folder()
        self.curated_drugs = curated_drugs
        self.release = release  # None: the newest release in the folder

    def _assertion_file(self) -> tuple[str, Path] | None:
        """(release, path) of the newest dated assertion file in the folder: the 2024 snapshot
        has evidence only (its SOURCE.md: assertions come from 2021)."""
        dated = [(datetime.strptime(m.group(1), "%d-%b-%Y"), m.group(1), p)
                 for p in self.folder.glob("*-AssertionSummaries.tsv")
                 if (m := _DATE.match(p.name))]
        return max(dated)[1:] if dated else None

    def load(self) -> LoadResult:
        rel = find_release(self.folder, self.release)
        genes, tree = shared_resources(self.inputs)
        do = disease_ontology(self.inputs.folder("disease_ontology"))
        self.inputs.borrow("disease_ontology", do.version, do.files)
        mapper = DiseaseMapper(do, tree)
        drugs = drug_normaliser(self.inputs, self.curated_drugs)
        files: list[SourceFile] = []
        info = source_info(SOURCE, rel.version, files)
        out = LoadResult(info)
        run = _Run(out, rel, genes, mapper, drugs)

        evidence = read_tsv(rel.evidence)
        files.append(SourceFile(str(rel.evidence), sha256_of(rel.evidence), len(evidence.rows)))
        for r in evidence.rows:
            run.item(_common(r, rel.layout), "evidence")
        found = (rel.version, rel.assertions) if rel.assertions else self._assertion_file()
        if found is not None:
            version, path = found
            table = read_tsv(path)
            files.append(SourceFile(str(path), sha256_of(path), len(table.rows),
                                    release=version))
            run.version = version
            layout = "v2" if "molecular_profile" in table.header else "v1"
            for r in table.rows:
                run.item(_common(r, layout), "assertion")
            run.version = rel.version
            if version != rel.version:
                out.notes.append(f"CIViC {rel.version} has no assertion file: the "
                                 f"{len(table.rows)} assertions come from {version}")
        for path, what in ((rel.variants, "variant"), (rel.genes, "gene")):
            if path:  # read for provenance and counts; evidence rows carry what the graph needs
                table = read_tsv(path)
                files.append(SourceFile(str(path), sha256_of(path), len(table.rows)))
                out.loaded[f"{what} file rows"] = len(table.rows)
                if table.spilled:
                    out.notes.append(f"{path.name}: {table.spilled} rows had extra trailing "
                                     "fields (tab-joined assertion URLs), kept in the last column")
        run.finish(do)
        out.notes.append(f"CIViC release {rel.version}, {rel.layout} layout")
        return self.inputs.stamp(out)


def _common(r: dict[str, str], layout: str) -> dict[str, str]:
    """One row in the v1 vocabulary whatever the layout."""
    if layout == "v1":
        return r
    row = {V2_TO_V1.get(k, k): v for k, v in r.items()}
    row.setdefault("gene", "")
    row.setdefault("variant", "")
    return row


class _Run:
    """State of one load: emitted ids and the counters reported by ``kg build``."""

    def __init__(self, out: LoadResult, rel: Release, genes: GeneResolver,
                 mapper: DiseaseMapper, drugs: DrugNormaliser):
        self.out, self.rel, self.genes, self.mapper, self.drugs = out, rel, genes, mapper, drugs
        self.version = rel.version  # the release of the rows being read (assertions may differ)
        self.seen: set[str] = set()
        self.doids: set[str] = set()
        self.gene_ids: dict[str, str] = {}
        self.parsed: dict[tuple, A.AltSpec] = {}

    def node(self, nid: str, label: Label, **props) -> None:
        self.out.nodes.append(Node(nid, label, props, SOURCE, self.version))

    def edge(self, src: str, rel: Rel, dst: str, **props) -> None:
        self.out.edges.append(Edge(src, rel, dst, SOURCE, self.version, props))

    # ------------------------------------------------------------ one item
    def item(self, r: dict[str, str], kind: str) -> None:
        out = self.out
        if kind == "evidence":
            eid, number = f"civic.eid:{r['evidence_id']}", r["evidence_id"]
            level, tier_table = r.get("evidence_level"), "civic"
            etype, dirn = r.get("evidence_type"), r.get("evidence_direction")
            statement = r.get("evidence_statement")
        else:
            eid, number = f"civic.aid:{r['assertion_id']}", r["assertion_id"]
            level, tier_table = r.get("amp_category"), "amp"
            etype, dirn = r.get("assertion_type"), r.get("assertion_direction")
            statement = r.get("assertion_summary")
        out.loaded[f"{kind} rows"] += 1
        tier = common_tier(tier_table, level)
        if level and tier is None:
            out.skipped[f"{kind}: level '{level}' has no common tier (kept without)"] += 1
        year = _YEAR.search(r.get("citation") or "")
        props = {
            "name": f"{'EID' if kind == 'evidence' else 'AID'}{number}",
            "source_level": level or None, "common_tier": tier, "evidence_type": etype or None,
            "direction": direction(dirn), "significance": r.get("clinical_significance") or None,
            "rating": int(r["rating"]) if (r.get("rating") or "").isdigit() else None,
            "nct_ids": ";".join(split_list(r.get("nct_ids"))) or None,
            "statement": statement or None, "disease_name": r.get("disease") or None,
            "year": int(year.group(1)) if year else None,
        }
        self._alteration(eid, r, kind)
        self._regimens(eid, r, kind)
        props["mapping_precision"] = self._disease(eid, r, kind)
        self._publication(eid, r)
        self.node(eid, Label.EVIDENCE, **props)

    def _alteration(self, eid: str, r: dict[str, str], kind: str) -> None:
        if self.rel.layout == "v1" or r.get("gene"):
            text, gene = r.get("variant") or "", r.get("gene") or None
        else:
            text, gene = r.get("molecular_profile") or "", None
        if not text:
            self.out.skipped[f"{kind}: no variant / molecular profile (no alteration link)"] += 1
            return
        key = (text, gene, r.get("entrez_id") or None)
        spec = self.parsed.get(key)
        if spec is None:
            spec = self.parsed[key] = A.parse_alteration(text, gene, self.genes, key[2])
        if not all(s.parsed for s in spec.lineage()):
            self.out.skipped[f"{kind}: variant name not normalised (kept under its gene)"] += 1
        A.emit(spec, self.node, self.edge, self.seen)
        self.gene_ids.update(A.genes_of(spec))
        self.edge(eid, Rel.FOR_ALTERATION, spec.id)

    def _regimens(self, eid: str, r: dict[str, str], kind: str) -> None:
        names = split_drugs(r.get("drugs"))
        if not names:
            return
        infos: list[DrugInfo] = [self.drugs.lookup(n) for n in names]
        how = (r.get("drug_interaction_type") or "").strip().lower()
        if len(infos) > 1 and how in ("substitutes", "sequential"):
            groups = [[d] for d in infos]
        else:
            groups = [infos]
        if len(infos) > 1 and not how:
            self.out.loaded[f"{kind}: several drugs without interaction type (combination)"] += 1
        for g in groups:
            rid = emit_regimen(g, self.node, self.edge, self.seen)
            self.edge(eid, Rel.FOR_REGIMEN, rid)

    def _disease(self, eid: str, r: dict[str, str], kind: str) -> str:
        raw = r.get("doid") or ""
        if not raw:
            self.out.skipped[f"{kind}: no DOID (no disease or tumour-type link)"] += 1
            return "unmapped"
        doid = self.mapper.do.canonical(raw)
        if doid is None:
            self.out.skipped[f"{kind}: DOID:{raw} not in the Disease Ontology "
                             "(no tumour-type link)"] += 1
            return "unmapped"
        self.doids.add(doid)
        self.edge(eid, Rel.IN_DISEASE, doid)
        m = self.mapper.map(doid)
        if m.code is None:
            self.out.skipped[f"{kind}: disease not mapped to OncoTree (Disease link only)"] += 1
            return "unmapped"
        self.out.loaded[f"{kind} mapped to OncoTree ({m.precision})"] += 1
        self.edge(eid, Rel.IN_TUMOUR, S.tumour_type_id(m.code), mapping_precision=m.precision)
        return m.precision

    def _publication(self, eid: str, r: dict[str, str]) -> None:
        cid = r.get("citation_id") or ""
        stype = (r.get("source_type") or "").lower()
        if not cid:
            return
        if stype == "asco":
            abstract = r.get("asco_abstract_id") or cid
            pid = S.publication_id(f"https://meetinglibrary.asco.org/record/{abstract}/abstract")
        elif cid.startswith("10."):  # ASH abstracts (2024 release) are cited by DOI
            pid = S.publication_id(f"doi:{cid}")
        elif cid.isdigit():
            pid = S.publication_id(f"pubmed:{cid}")
        else:
            self.out.skipped[f"citation id '{cid}' ({stype}) is neither a PMID nor a DOI"] += 1
            return
        if pid not in self.seen:
            self.seen.add(pid)
            year = _YEAR.search(r.get("citation") or "")
            self.node(pid, Label.PUBLICATION, name=r.get("citation") or pid,
                      year=int(year.group(1)) if year else None)
        self.edge(eid, Rel.REPORTED_IN, pid)

    # ------------------------------------------------------------ shared nodes
    def finish(self, do) -> None:
        for gid, symbol in sorted(self.gene_ids.items()):
            rec = self.genes.by_id.get(gid)
            self.node(gid, Label.GENE, name=symbol, symbol=symbol,
                      entrez=rec.entrez if rec else None)
            if rec is None:
                self.out.skipped["genes not in HGNC (gene:<symbol> ids)"] += 1
        emit_diseases(do, self.mapper, self.doids, self.node, self.edge, self.seen)
        codeless = {n.id for n in self.out.nodes if n.label == Label.DRUG and
                    n.id.startswith("drug:")}
        drugs = {n.id for n in self.out.nodes if n.label == Label.DRUG}
        self.out.loaded["drugs"] = len(drugs)
        if codeless:
            self.out.skipped["drugs without an NCIt code (drug:<name> ids)"] = len(codeless)
        self.out.loaded["alterations"] = sum(1 for n in self.out.nodes
                                             if n.label == Label.ALTERATION)
        self.out.loaded["regimens"] = sum(1 for n in self.out.nodes if n.label == Label.REGIMEN)


def load_entry(inputs: Inputs) -> list[LoadResult]:
    return [CivicLoader(inputs=inputs).load()]


def iter_evidence(path: Path) -> Iterator[dict[str, str]]:
    """Rows of an evidence file in the v1 vocabulary (used by tests and other loaders)."""
    layout = "v2" if "molecular_profile" in read_tsv(path).header else "v1"
    for r in read_tsv(path).rows:
        yield _common(r, layout)
