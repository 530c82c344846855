"""Cancer Genome Interpreter biomarkers (CC0) → Evidence records keyed by content hash.

Layouts read: ``cgi_biomarkers_per_variant*.tsv`` (one row per biomarker × drug × tumour ×
individual variant, 24 columns) and ``cgi_biomarkers_<date>.tsv`` (one row per statement,
19 columns, tumour acronyms in ``Primary Tumor type``). One release is loaded: the newest file.

Reading choices, each visible in the counts ``kg build`` prints:
- a statement is (alteration, drug, association, evidence level, tumour acronyms, source); the
  per-variant file repeats it once per variant, so its rows collapse into one Evidence node whose
  id is ``cgi:<content hash>`` of those fields: rebuilds give the same ids;
- ``Drug`` ``a;b`` is a combination given together (``Drug full name`` says ``a + b``) → one
  Regimen; ``[a,b]`` names example members of a drug class (``BCR-ABL inhibitor 2nd gens
  (Nilotinib,Dasatinib,etc)``) → one single-agent Regimen per member; ``[]`` names a class and no
  drug → skipped (no Drug node can stand for a class), as are combinations with an unnamed class;
- tumour acronyms are CGI's own (``CM`` is cutaneous melanoma, OncoTree ``CM`` conjunctival):
  they go through the hand-made data/cgi_tumour_acronyms.csv, never matched by code; unmapped
  acronyms keep the Evidence (disease name kept) and are counted;
- alterations: ``GENE:V600E`` variants, ``GENE:V600.`` codons, comma lists (one FOR_ALTERATION edge
  per variant), ``GENE:.`` any mutation, ``amp``/``del``/``over``/``under``, ``A__B`` fusions
  (``A__.`` any fusion of A), ``;`` compound biomarkers (all required) as one compound node.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import Issue, ValidationFailed
from kg.records import LoadResult, content_id
from kg.schema import Label, Rel
from loaders.curated import DATA_DIR
from loaders.evidence_sink import Sink, drug_normaliser, shared_resources, source_files
from loaders.normalise import alterations as A
from loaders.normalise.drugs import DrugNormaliser
from loaders.normalise.genes import GeneResolver
from loaders.normalise.tiers import TIERS, common_tier
from loaders.oncotree import OncoTree
from loaders.registry import Inputs, fetched_version, inputs_for, source_info
from loaders.tables import display_path

SOURCE = "cgi"
ACRONYMS = DATA_DIR / "cgi_tumour_acronyms.csv"

#: columns every layout has; the tumour acronyms column differs by layout
REQUIRED = ("Alteration", "Alteration type", "Association", "Biomarker", "Drug", "Drug family",
            "Evidence level", "Gene", "Source")
TUMOUR_COLUMNS = ("Primary Tumor acronym", "Primary Tumor type")

#: CGI association → significance in CIViC's words (the largest source), so queries can group
SIGNIFICANCE = {"responsive": "Sensitivity/Response", "resistant": "Resistance",
                "no responsive": "Resistance", "increased toxicity": "Adverse Response"}

#: fusions CGI writes biomarker-gene first although the literature orientation is the reverse
FUSION_ORIENTATION = {frozenset(("ABL1", "BCR")): ("BCR", "ABL1"),
                      frozenset(("PDGFRA", "FIP1L1")): ("FIP1L1", "PDGFRA"),
                      frozenset(("PDGFB", "COL1A1")): ("COL1A1", "PDGFB")}

_KIND_WORDS = {"amp": "AMPLIFICATION", "del": "DELETION", "over": "OVEREXPRESSION",
               "under": "UNDEREXPRESSION"}
_ANY_BY_TYPE = {"MUT": "MUTATION", "BIA": "BIALLELIC INACTIVATION", "CNA": "ALTERATION",
                "EXPR": "EXPRESSION", "FUS": "FUSION"}
_TRUNCATING = {"frameshift_variant", "stop_gained", "splice_donor_variant",
               "splice_acceptor_variant"}
_CLASS_WORDS = re.compile(r"inhibitor|chemotherapy|therapy|antagonist|analogue|agonist", re.I)
_DATE = re.compile(r"(\d{4})-?(\d{2})(?:\d{2})?")
_POSITION_ONLY = re.compile(r"\.(\d+)\.")


# ---------------------------------------------------------------------------- files
def release_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("cgi_biomarkers*.tsv"))


def newest_release(folder: Path) -> Path:
    """The newest file by the date in its name (a fetched, undated file counts as newest);
    the per-variant layout wins a tie."""
    files = release_files(folder)
    if not files:
        raise FileNotFoundError(f"no cgi_biomarkers*.tsv in {folder}")

    def key(p: Path) -> tuple[str, bool]:
        m = _DATE.search(p.name)
        return (m.group(1) + m.group(2) if m else "999999", "per_variant" in p.name)

    return max(files, key=key)


@dataclass(frozen=True)
class Acronym:
    code: str | None
    precision: str
    name: str


def read_acronyms(path: Path = ACRONYMS) -> dict[str, Acronym]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {r["acronym"]: Acronym(r["oncotree_code"] or None, r["precision"], r["cgi_name"])
                for r in csv.DictReader(fh)}


# ---------------------------------------------------------------------------- parsing
def read_rows(path: Path) -> tuple[list[dict[str, str]], str]:
    """Rows as dicts and the tumour column's name; refuses a file without the CGI columns."""
    shown = display_path(path)
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            raise ValidationFailed([Issue(shown, 1, None, "empty file")])
        header = [h.strip() for h in header]
        missing = [c for c in REQUIRED if c not in header]
        tumour_col = next((c for c in TUMOUR_COLUMNS if c in header), None)
        issues = [Issue(shown, 1, c, "required CGI column is missing") for c in missing]
        if tumour_col is None:
            issues.append(Issue(shown, 1, TUMOUR_COLUMNS[0], "no tumour acronym column"))
        if issues:
            raise ValidationFailed(issues)
        rows = []
        for line, fields in enumerate(reader, start=2):
            if not any(f.strip() for f in fields):
                continue
            row = {h: (fields[i].strip() if i < len(fields) else "") for i, h in enumerate(header)}
            row["_line"] = str(line)
            rows.append(row)
    return rows, tumour_col


def statement_key(row: dict[str, str], tumour_col: str) -> str:
    return content_id(row["Alteration"], row["Drug"], row["Association"], row["Evidence level"],
                      row[tumour_col], row["Source"])


def parse_drugs(text: str) -> tuple[str, list[str]]:
    """(``combination`` | ``class members`` | ``class only`` | ``class in combination``, names)."""
    t = text.strip()
    if t in ("", "[]"):
        return "class only", []
    if t.startswith("["):
        names = [n.strip() for n in t.strip("[]").split(",") if n.strip()]
        return ("class members" if names else "class only"), names
    names = [n.strip() for n in t.split(";") if n.strip()]
    if any(_CLASS_WORDS.search(n) for n in names):
        return "class in combination", names
    return "combination", names


def best_tier(level: str) -> str | None:
    """``Early trials,Case report`` → the stronger of the two tiers."""
    tiers = [common_tier("cgi", part) for part in level.split(",")]
    known = [t for t in tiers if t]
    return min(known, key=TIERS.index) if known else None


def split_components(text: str) -> list[str]:
    """``;``-separated components; one without its own gene (``JAK1:S646F;R683.``, biomarker
    ``JAK1 (S646F;R683)``) continues the list of the gene before it, like a comma."""
    parts: list[str] = []
    for p in (p for p in text.split(";") if p):
        if parts and ":" not in p and "__" not in p:
            parts[-1] += "," + p
        else:
            parts.append(p)
    return parts


def parse_alteration(text: str, types: str, genes: GeneResolver) -> tuple[list[A.AltSpec], bool]:
    """CGI alteration spec → alteration(s); the flag says it was coarsened to a broader node."""
    parts = split_components(text)
    kinds = types.split(";") if types else []
    comps: list[tuple[list[A.AltSpec], bool]] = [
        _component(p, kinds[i] if i < len(kinds) else "", genes) for i, p in enumerate(parts)]
    if len(comps) == 1:
        return comps[0]
    coarse = any(c for _, c in comps)
    members: list[A.AltSpec] = []
    for specs, _ in comps:
        if len(specs) == 1:
            members.append(specs[0])
        else:  # a list of variants inside a compound biomarker: its gene's mutation node
            coarse = True
            g = A.Gene(specs[0].gene or "", specs[0].gene_id or "")
            members.append(A.kind_level(g, "MUTATION"))
    keys = sorted({m.key for m in members})
    kindset = {m.kind for m in members}
    compound = A.AltSpec("+".join(keys), " and ".join(m.name for m in members),
                         kindset.pop() if len(kindset) == 1 else "any", "compound",
                         members[0].gene, members[0].gene_id, parents=tuple(members))
    return [compound], coarse


def _component(text: str, kind: str, genes: GeneResolver) -> tuple[list[A.AltSpec], bool]:
    if "__" in text:
        a, b = text.split("__", 1)
        if b in (".", ""):
            return [A.kind_level(A.Gene.of(a, genes), "FUSION")], False
        ga, gb = A.Gene.of(a, genes), A.Gene.of(b, genes)
        five, three = FUSION_ORIENTATION.get(frozenset((ga.symbol, gb.symbol)),
                                             (ga.symbol, gb.symbol))
        order = {ga.symbol: ga, gb.symbol: gb}
        return [A.fusion(order[five], order[three])], False
    gene, _, spec = text.partition(":")
    g = A.Gene.of(gene, genes)
    if spec in (".", ""):
        return [A.kind_level(g, _ANY_BY_TYPE.get(kind, "ALTERATION"))], False
    if spec in _KIND_WORDS:
        return [A.kind_level(g, _KIND_WORDS[spec])], False
    if spec.lstrip(":").startswith("wildtype"):
        return [A.kind_level(g, "WILD TYPE")], False
    if spec.startswith(":consequence::"):
        found = set(re.findall(r"::([a-z_]+):", spec))
        if found and found <= _TRUNCATING:
            return [A.kind_level(g, "TRUNCATING MUTATION")], True
        return [A.kind_level(g, "MUTATION")], True
    out: dict[str, A.AltSpec] = {}
    coarse = False
    for item in (i.strip() for i in spec.split(",") if i.strip()):
        if position := _POSITION_ONLY.fullmatch(item):  # ``.918.``: any change at codon 918
            found_spec = A.codon(g, "", position.group(1))
            out.setdefault(found_spec.key, found_spec)
            continue
        found_spec = A.protein_change(g, item[:-1] if item.endswith(".") else item)
        if found_spec is None:
            found_spec, coarse = A.other(g, item), True
        out.setdefault(found_spec.key, found_spec)
    return list(out.values()), coarse


# ---------------------------------------------------------------------------- loading
class CGILoader:
    def __init__(self, inputs: Inputs, file: Path | None = None):
        self.inputs = inputs
        self.file = file or newest_release(inputs.folder())
        self.acronym_file = ACRONYMS  # the project's crosswalk, shipped with the package
        self.acronyms = read_acronyms(self.acronym_file)

    def version(self) -> str:
        fetched = fetched_version(self.file.parent)
        if fetched:
            return fetched
        m = _DATE.search(self.file.name)
        return f"{m.group(1)}-{m.group(2)}" if m else self.file.stem

    def load(self) -> LoadResult:
        genes, tree = shared_resources(self.inputs)
        drugs = drug_normaliser(self.inputs)
        rows, tumour_col = read_rows(self.file)
        info = source_info(SOURCE, self.version(), source_files([self.file],
                                                                {self.file: len(rows)}))
        self.inputs.borrow("curated", "", [self.acronym_file])
        out = LoadResult(info)
        sink = Sink(out)
        out.loaded["rows read"] = len(rows)
        done: set[str] = set()
        for row in rows:
            key = statement_key(row, tumour_col)
            if key in done:
                out.skipped["row repeats a statement already loaded (per-variant expansion)"] += 1
                continue
            done.add(key)
            self._statement(row, key, tumour_col, genes, tree, drugs, sink)
        out.notes.append(f"CGI file {self.file.name}: one release loaded (the newest present).")
        return self.inputs.stamp(out)

    def _statement(self, row: dict[str, str], key: str, tumour_col: str, genes: GeneResolver,
                   tree: OncoTree, drugs: DrugNormaliser, sink: Sink) -> None:
        out = sink.out
        form, names = parse_drugs(row["Drug"])
        if form == "class only":
            out.skipped["statement names a drug class, no drug"] += 1
            return
        if form == "class in combination":
            out.skipped["combination includes an unnamed drug class"] += 1
            return
        infos = [drugs.lookup(n) for n in names]
        families = [f.strip() for f in row["Drug family"].strip("[]").split(";")]
        for i, d in enumerate(infos):
            if not d.drug_class and families and families[min(i, len(families) - 1)]:
                d.drug_class = families[min(i, len(families) - 1)]
        regimens = ([sink.regimen(infos)] if form == "combination"
                    else [sink.regimen([d]) for d in infos])

        specs, coarse = parse_alteration(row["Alteration"], row["Alteration type"], genes)
        if coarse:
            out.loaded["alterations coarsened to a broader node"] += 1
        tier = best_tier(row["Evidence level"])
        if tier is None:
            out.loaded["evidence level without a common tier"] += 1
        assoc = row["Association"].strip()
        sig = SIGNIFICANCE.get(re.sub(r"\s*\(.*\)$", "", assoc).lower())
        tumours, precision = self._tumours(row[tumour_col], tree, sink)
        eid = f"cgi:{key}"
        tumour_names = row.get("Primary Tumor type") if tumour_col != "Primary Tumor type" \
            else None
        disease = tumour_names or "; ".join(
            self.acronyms[a].name if a in self.acronyms else a
            for a in row[tumour_col].split(";"))
        sink.node(eid, Label.EVIDENCE,
                  name=f"{row['Biomarker']} / {row['Drug']} / {row[tumour_col]} ({assoc})",
                  source_level=row["Evidence level"], common_tier=tier,
                  evidence_type="Toxicity" if sig == "Adverse Response" else "Predictive",
                  direction="supports", significance=sig or assoc,
                  statement=f"{row['Biomarker']}: {assoc} to "
                            f"{row.get('Drug full name') or row['Drug']} in {disease} "
                            f"({row['Evidence level']}; {row['Source']})",
                  disease_name=disease, mapping_precision=precision)
        for spec in specs:
            sink.edge(eid, Rel.FOR_ALTERATION, sink.alteration(spec, genes))
        for rid in regimens:
            sink.edge(eid, Rel.FOR_REGIMEN, rid)
        for tid, prec in tumours:
            sink.edge(eid, Rel.IN_TUMOUR, tid, mapping_precision=prec)
        if sink.pubmed(eid, row["Source"]) == 0:
            out.loaded["statements cited without a PMID (guidelines, FDA, abstracts)"] += 1
        out.loaded["evidence statements"] += 1
        if form == "class members":
            out.loaded["statements on drug-class examples (one regimen per drug)"] += 1

    def _tumours(self, text: str, tree: OncoTree, sink: Sink) -> tuple[list[tuple[str, str]], str]:
        """IN_TUMOUR targets with precision; the Evidence's own precision summarises them."""
        out = sink.out
        found: list[tuple[str, str]] = []
        precisions = []
        for acro in (a.strip() for a in text.split(";") if a.strip()):
            entry = self.acronyms.get(acro)
            code = None
            if entry and entry.code:
                current = tree.resolve(entry.code)
                code = current[0] if len(current) == 1 else None
            if code is None:
                out.loaded["tumour acronyms unmapped (evidence kept)"] += 1
                precisions.append("unmapped")
                if entry is None:
                    out.notes.append(f"CGI tumour acronym '{acro}' is not in "
                                     f"{ACRONYMS.name}: add it")
                continue
            out.loaded["tumour acronyms mapped to OncoTree"] += 1
            precisions.append(entry.precision)
            found.append((sink.tumour(tree, code), entry.precision))
        kinds = sorted(set(precisions))
        return found, kinds[0] if len(kinds) == 1 else "mixed"


def load_entry(inputs: Inputs) -> list[LoadResult]:
    return [CGILoader(inputs).load()]


def load(source_dir: Path, data_dir: Path = DATA_DIR) -> LoadResult:
    """CGI on its own from a source folder (tests)."""
    return CGILoader(inputs_for(SOURCE, source_dir, data_dir)).load()


def tumour_mapping_share(result: LoadResult) -> float:
    """Share of statements with at least one OncoTree tumour (reported by tests and README)."""
    with_tumour = {e.src for e in result.edges if e.rel == Rel.IN_TUMOUR}
    n = result.loaded["evidence statements"]
    return len(with_tumour) / n if n else 0.0

