"""Larger graphs for benchmarks, built through the real validated build.

Two generators share this module:

* ``scaled_tables(dst, factor, seed)`` + ``scaled_knowledgebase(results, factor, src)`` (the
  ``python -m bench`` scales ×1/×10/×100): the real graph's shape ``factor`` times over. Copy 1 is
  the bundled data unchanged; copy i ≥ 2 renames every curated entity (trials ``T-S<i>``, genes
  ``SYM-S<i>``, drugs ``name-s<i>``, alterations ``ID-s<i>``, tumour types ``CODE_S<i>`` under the
  shared OncoTree root), so the alteration and tumour hierarchies keep their depth and
  proportions, and cohorts keep their strata, parents and superseded reports. Response counts of
  copies are redrawn (seeded binomial at the published rate) where no stratum arithmetic depends
  on them. The tables go through the real validated curated loader. Knowledgebase records
  (CIViC, CGI, …) are replicated at the record level with the same renaming (evidence,
  publications, alterations, genes, drugs, regimens get copy ids; OncoTree and Disease Ontology
  terms stay shared, except the curated tumour types, which have copies).

* ``synthetic_artefact(root, genes)`` (store / export benchmarks): the bundled curated graph plus
  ``genes`` synthetic genes, each with a gene-level and a variant-level alteration, a targeting
  drug and its regimen, a tumour type link and one knowledgebase-style Evidence node with its
  publication — about 7 nodes and 8 edges per gene.

Run: ``python -m bench.synthetic DST [--factor 10]`` writes the scaled curated tables to DST.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import replace
from pathlib import Path

import numpy as np

from kg.artefact import Artefact
from kg.build import build
from kg.records import Edge, LoadResult, Node, SourceInfo
from kg.schema import ROOT_TUMOUR, Label, Rel
from kg.schema import alteration_id as alt_node_id
from kg.schema import drug_id as drug_node_id
from kg.schema import gene_id as gene_node_id
from kg.schema import regimen_id as regimen_node_id
from kg.schema import tumour_type_id as tumour_node_id
from loaders.curated import DATA_DIR, CuratedLoader


def synthetic_artefact(root: Path, genes: int = 20_000, data_dir: Path = DATA_DIR) -> Artefact:
    """The curated graph plus ``genes`` synthetic genes with alterations, drugs and evidence."""
    kb = LoadResult(SourceInfo("synthetic", "1", "CC0", "synthetic benchmark records"))

    def node(nid: str, label: Label, **props) -> None:
        kb.nodes.append(Node(nid, label, props, "synthetic", "1"))

    def edge(src: str, rel: Rel, dst: str, **props) -> None:
        kb.edges.append(Edge(src, rel, dst, "synthetic", "1", props))

    tumours = ["oncotree:TISSUE"]
    for i in range(genes):
        sym = f"SYN{i}"
        gid, gene_alt, variant = f"gene:{sym}", f"alt:{sym}", f"alt:{sym}:V{i % 900 + 1}E"
        drug, regimen = f"drug:syn-{i}", f"regimen:drug:syn-{i}"
        evidence, pub = f"moa:syn-{i}", f"pubmed:{90_000_000 + i}"
        node(gid, Label.GENE, name=sym, symbol=sym)
        node(gene_alt, Label.ALTERATION, name=sym, gene=sym, kind="any", level="gene")
        node(variant, Label.ALTERATION, name=f"{sym} V{i % 900 + 1}E", gene=sym,
             kind="mutation", level="variant", protein_change=f"V{i % 900 + 1}E")
        node(drug, Label.DRUG, name=f"syn-{i}", drug_class=f"{sym} inhibitor")
        node(regimen, Label.REGIMEN, name=f"syn-{i}", drug_classes=f"{sym} inhibitor",
             n_drugs=1)
        node(evidence, Label.EVIDENCE, name=f"{sym} evidence", source_level="Clinical trial",
             common_tier="B", direction="supports", significance="Sensitivity/Response",
             year=2000 + i % 25)
        node(pub, Label.PUBLICATION, name=f"PMID:{90_000_000 + i}", year=2000 + i % 25)
        edge(gene_alt, Rel.IN_GENE, gid)
        edge(variant, Rel.IN_GENE, gid)
        edge(variant, Rel.IS_A, gene_alt)
        edge(drug, Rel.TARGETS, gid)
        edge(regimen, Rel.INCLUDES, drug)
        edge(evidence, Rel.FOR_ALTERATION, variant)
        edge(evidence, Rel.FOR_REGIMEN, regimen)
        edge(evidence, Rel.IN_TUMOUR, tumours[0], mapping_precision="exact")
        edge(evidence, Rel.REPORTED_IN, pub)
    return build(CuratedLoader(data_dir).load() + [kb], root)


SEED = 20261125
ROOT_CODE = ROOT_TUMOUR.split(":", 1)[1]
#: Labels whose knowledgebase records get a copy per scale step (ontology terms stay shared).
REPLICATED = (Label.EVIDENCE, Label.PUBLICATION, Label.ALTERATION, Label.GENE, Label.DRUG,
              Label.REGIMEN)


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _split(text: str) -> list[str]:
    return [x.strip() for x in (text or "").split(";") if x.strip()]


class CopyNames:
    """How copy ``i`` renames the curated keys (copy 1 keeps every key)."""

    def __init__(self, i: int):
        self.i = i

    def trial(self, t: str) -> str:
        return t if self.i == 1 or not t else f"{t}-S{self.i}"

    def gene(self, g: str) -> str:
        return g if self.i == 1 or not g else f"{g}-S{self.i}"

    def drug(self, d: str) -> str:
        return d if self.i == 1 or not d else f"{d}-s{self.i}"

    def alteration(self, a: str) -> str:
        return a if self.i == 1 or not a else f"{a}-s{self.i}"

    def tumour(self, c: str) -> str:
        return c if self.i == 1 or not c or c == ROOT_CODE else f"{c}_S{self.i}"

    def label(self, text: str) -> str:
        return text if self.i == 1 or not text else f"{text} (copy {self.i})"

    def cohort(self, cohort_id: str) -> str:
        """``TRIAL:arm[:stratum]`` → ``TRIAL-S<i>:arm[:stratum]``."""
        if self.i == 1 or not cohort_id:
            return cohort_id
        trial, _, rest = cohort_id.partition(":")
        return f"{self.trial(trial)}:{rest}"

    def result(self, result_id: str) -> str:
        cohort, _, tail = result_id.rpartition("@")
        return f"{self.cohort(cohort)}@{tail}"

    def many(self, fn, text: str) -> str:
        return ";".join(fn(x) for x in _split(text))


def scaled_tables(dst: Path, factor: int = 10, src: Path = DATA_DIR, seed: int = SEED) -> Path:
    """A data/-format folder holding ``factor`` renamed copies of every curated table."""
    if factor < 1:
        raise ValueError("factor must be >= 1")
    dst.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tables = {p.name: _read(p) for p in sorted(src.glob("*.csv"))}
    copies = [CopyNames(i) for i in range(1, factor + 1)]
    rewrite = {
        "trials.csv": lambda r, c: r | {"trial_id": c.trial(r["trial_id"]),
                                        "name": c.label(r["name"])},
        "genes.csv": lambda r, c: r if c.i == 1 else r | {
            "symbol": c.gene(r["symbol"]), "hgnc_id": "", "entrez": ""},
        "drugs.csv": lambda r, c: r if c.i == 1 else r | {
            "name": c.drug(r["name"]), "ncit": "", "rxnorm": "", "synonyms": "",
            "targets": c.many(c.gene, r["targets"])},
        "alterations.csv": lambda r, c: r | {
            "alteration_id": c.alteration(r["alteration_id"]), "gene": c.gene(r["gene"]),
            "name": c.label(r["name"]), "parent": c.alteration(r["parent"])},
        "tumour_types.csv": lambda r, c: (r if c.i == 1 else None) if r["code"] == ROOT_CODE
        else r | {
            "code": c.tumour(r["code"]), "name": c.label(r["name"]),
            "main_type": c.label(r["main_type"]), "tissue": c.label(r["tissue"]),
            "parent": c.tumour(r["parent"])},
        "overlaps.csv": lambda r, c: r | {
            "cohort_id": c.cohort(r["cohort_id"]),
            "other_cohort_id": c.cohort(r["other_cohort_id"])},
        "drug_classes.csv": lambda r, c: r if c.i == 1 else r | {
            "drug": c.drug(r["drug"]), "targets": c.many(c.gene, r["targets"])},
        "arms.csv": lambda r, c: r | {
            "cohort_id": c.cohort(r["cohort_id"]), "trial_id": c.trial(r["trial_id"]),
            "drugs": c.many(c.drug, r["drugs"]),
            "alteration_id": c.alteration(r["alteration_id"]),
            "tumour_type": c.tumour(r["tumour_type"])},
    }
    for name, (fields, rows) in tables.items():
        if name == "cohorts.csv":
            out = _scaled_cohorts(rows, copies, rng)
        elif name in rewrite:
            out = [x for c in copies for r in rows if (x := rewrite[name](dict(r), c))]
        else:  # lookup tables (e.g. CGI tumour acronyms): the same for every copy
            out = rows
        _write(dst / name, fields, out)
    return dst


def _scaled_cohorts(rows: list[dict], copies: list[CopyNames],
                    rng: np.random.Generator) -> list[dict]:
    in_strata = {r["parent_cohort_id"] for r in rows if r["parent_cohort_id"]}
    in_strata |= {r["cohort_id"] for r in rows if r["parent_cohort_id"]}
    out = []
    for c in copies:
        for r in rows:
            row = dict(r) | {
                "result_id": c.result(r["result_id"]), "cohort_id": c.cohort(r["cohort_id"]),
                "trial_id": c.trial(r["trial_id"]),
                "parent_cohort_id": c.cohort(r["parent_cohort_id"]),
                "drugs": c.many(c.drug, r["drugs"]),
                "alteration_id": c.alteration(r["alteration_id"]),
                "tumour_type": c.tumour(r["tumour_type"]),
                "supersedes": c.many(c.result, r["supersedes"])}
            if c.i > 1 and r["cohort_id"] not in in_strata:
                _redraw(row, rng)
            out.append(row)
    return out


def _redraw(row: dict, rng: np.random.Generator) -> None:
    """New responder count ~ Binomial(evaluable, published rate); percentages follow."""
    if not (row["n_evaluable"].isdigit() and row["n_response"].isdigit()):
        return
    n, k = int(row["n_evaluable"]), int(row["n_response"])
    if n == 0:
        return
    k_new = int(rng.binomial(n, k / n))
    row["n_response"] = str(k_new)
    if row["n_benefit"].isdigit():
        row["n_benefit"] = str(min(n, max(int(row["n_benefit"]), k_new)))
        if row["cbr_pct"]:
            row["cbr_pct"] = f"{100 * int(row['n_benefit']) / n:.1f}"
    if row["orr_pct"]:
        row["orr_pct"] = f"{100 * k_new / n:.1f}"
    row["orr_ci_low"] = row["orr_ci_high"] = ""
    if "ci_level" in row:
        row["ci_level"] = ""  # no published CI on a redrawn count


def scaled_knowledgebase(results: list, factor: int, src: Path = DATA_DIR) -> list:
    """``results`` (LoadResults of a real build) with knowledgebase records replicated ``factor``
    times under copy ids consistent with :func:`scaled_tables`; curated and ontology results are
    returned unchanged (the curated copies come from the scaled tables)."""
    if factor == 1:
        return list(results)
    label_of = {n.id: n.label for r in results for n in r.nodes}
    curated = _curated_ids(src)
    out = []
    for r in results:
        own = [n for n in r.nodes if n.label in REPLICATED]
        if r.source.name in ("curated", "oncotree", "disease_ontology") or not own:
            out.append(r)
            continue
        nodes, edges = list(r.nodes), list(r.edges)
        for i in range(2, factor + 1):
            rename = _kb_renamer(i, label_of, curated)
            nodes += [replace(n, id=rename(n.id)) for n in own]
            edges += [replace(e, src=rename(e.src), dst=rename(e.dst)) for e in r.edges
                      if label_of.get(e.src) in REPLICATED]
        out.append(replace(r, nodes=nodes, edges=edges))
    return out


def _curated_ids(src: Path) -> dict[str, tuple[str, str]]:
    """Graph id of every curated gene, drug, alteration, tumour type → (kind, curated key)."""
    ids: dict[str, tuple[str, str]] = {}
    for r in _read(src / "genes.csv")[1]:
        ids[gene_node_id(r["hgnc_id"], r["symbol"])] = ("gene", r["symbol"])
    for r in _read(src / "drugs.csv")[1]:
        ids[drug_node_id(r["ncit"], r["name"])] = ("drug", r["name"])
    for r in _read(src / "alterations.csv")[1]:
        ids[alt_node_id(r["alteration_id"])] = ("alteration", r["alteration_id"])
    for r in _read(src / "tumour_types.csv")[1]:
        ids[tumour_node_id(r["code"])] = ("tumour", r["code"])
    return ids


def _kb_renamer(i: int, label_of: dict, curated: dict[str, tuple[str, str]]):
    c = CopyNames(i)

    def rename(node_id: str) -> str:
        if node_id in curated:  # the curated copy's own id, so both sources meet as in ×1
            kind, key = curated[node_id]
            if kind == "gene":
                return gene_node_id(None, c.gene(key))
            if kind == "drug":
                return drug_node_id(None, c.drug(key))
            if kind == "alteration":
                return alt_node_id(c.alteration(key))
            return tumour_node_id(c.tumour(key))
        label = label_of.get(node_id)
        if label == Label.REGIMEN and node_id.startswith("regimen:"):
            return regimen_node_id([rename(d) for d in node_id[len("regimen:"):].split("+")])
        if label in REPLICATED:
            return f"{node_id}-s{i}"
        return node_id  # ontology terms (OncoTree, DO) stay shared

    return rename


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dst", type=Path)
    ap.add_argument("--factor", type=int, default=10)
    ap.add_argument("--src", type=Path, default=DATA_DIR)
    args = ap.parse_args()
    print(scaled_tables(args.dst, args.factor, args.src))


if __name__ == "__main__":
    main()
