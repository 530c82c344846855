"""Larger graphs for benchmarks, built through the real validated build.

Two generators share this module:

* ``synthetic_artefact(root, genes)`` (store / export benchmarks): the bundled curated graph plus
  ``genes`` synthetic genes, each with a gene-level and a variant-level alteration, a targeting
  drug and its regimen, a tumour type link and one knowledgebase-style Evidence node with its
  publication — about 7 nodes and 8 edges per gene.
* ``replicate_tables(src, dst, factor)`` (query benchmarks):

``replicate_tables(src, dst, factor)`` writes a data/-format folder whose cohorts.csv and arms.csv
hold ``factor`` copies of every cohort (copy 1 keeps the original ids; copy i appends ``-r<i>``
to the arm slug, so strata, parents and superseded reports stay consistent). Reference tables are
copied unchanged. The folder goes through the normal validated loader, so the benchmark measures
the real build and real queries at ``factor`` times the cohorts and reports.

Run: ``python -m bench.synthetic DST [--factor 10]``.
"""

from __future__ import annotations

import argparse
import csv
import shutil
from pathlib import Path

from kg.artefact import Artefact
from kg.build import build
from kg.records import Edge, LoadResult, Node, SourceInfo
from kg.schema import Label, Rel
from loaders.curated import DATA_DIR, CuratedLoader

REFERENCE = ("trials.csv", "genes.csv", "drugs.csv", "alterations.csv", "tumour_types.csv")


def _copy_id(cohort_id: str, i: int) -> str:
    """``TRIAL:arm[:stratum]`` → ``TRIAL:arm-r<i>[:stratum]`` (copy 1 unchanged)."""
    if i == 1 or not cohort_id:
        return cohort_id
    parts = cohort_id.split(":")
    parts[1] = f"{parts[1]}-r{i}"
    return ":".join(parts)


def _copy_result(result_id: str, i: int) -> str:
    cohort, _, tail = result_id.rpartition("@")
    return f"{_copy_id(cohort, i)}@{tail}"


def replicate_tables(src: Path = DATA_DIR, dst: Path | None = None, factor: int = 10) -> Path:
    if dst is None:
        raise ValueError("give a destination folder")
    dst.mkdir(parents=True, exist_ok=True)
    for name in REFERENCE:
        shutil.copy(src / name, dst / name)
    with (src / "cohorts.csv").open(newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames or [], list(reader)
    out = []
    for i in range(1, factor + 1):
        for r in rows:
            c = dict(r)
            c["result_id"] = _copy_result(r["result_id"], i)
            c["cohort_id"] = _copy_id(r["cohort_id"], i)
            c["parent_cohort_id"] = _copy_id(r["parent_cohort_id"], i)
            c["supersedes"] = ";".join(_copy_result(s.strip(), i)
                                       for s in r["supersedes"].split(";") if s.strip())
            out.append(c)
    _write(dst / "cohorts.csv", fields, out)
    with (src / "arms.csv").open(newline="") as fh:
        reader = csv.DictReader(fh)
        arm_fields, arms = reader.fieldnames or [], list(reader)
    _write(dst / "arms.csv", arm_fields,
           [dict(a, cohort_id=_copy_id(a["cohort_id"], i))
            for i in range(1, factor + 1) for a in arms])
    return dst


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
    print(replicate_tables(args.src, args.dst, args.factor))


if __name__ == "__main__":
    main()
