"""data/drug_classes.csv: every class a drug belongs to, one row per (drug, class), each cited.

A drug may act on several targets (entrectinib: TRK, ROS1 and ALK), so it belongs to several
classes; ``drugs.csv`` keeps one of them as its primary ``drug_class``. Each row names the drug's
targets that the class covers (a subset of the drug's ``targets`` in drugs.csv), so an analysis
can tell which class a drug acts in for a given gene (entrectinib on NTRK1 is a TRK inhibitor).
Antibody-drug conjugates are classed by target and payload, so trastuzumab emtansine
(maytansinoid) and trastuzumab deruxtecan (topoisomerase I inhibitor) stay apart.

A folder without the table (test fixtures) gives each drug its primary class alone.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from kg.errors import Issue
from loaders.tables import Column, Row, TableSpec, display_path, read_table, split_list

FILE = "drug_classes.csv"
_SOURCE = r"(doi:10\..+|pubmed:\d+|https?://\S+)"

DRUG_CLASSES = TableSpec("drug_classes", (
    Column("drug", required=True), Column("drug_class", required=True), Column("targets"),
    Column("source", required=True, pattern=_SOURCE), Column("note"),
))


def joined(classes: set[str] | list[str]) -> str | None:
    """The ``;``-joined, sorted form stored on Drug and Regimen nodes (None when empty)."""
    return ";".join(sorted(set(classes))) or None


def read_classes(path: Path, drugs: dict[str, Row], issues: list[Issue],
                 drugs_path: Path) -> dict[str, dict[str, list[str]]]:
    """drug name → {class → the drug's targets it covers}, validated against drugs.csv rows.

    Problems go to ``issues`` (file, row, field): an unknown drug, a target the drug does not
    have, a repeated (drug, class), a drug without a row, a primary class not among its rows."""
    if not path.exists():
        return {name: {r["drug_class"]: split_list(r["targets"])} for name, r in drugs.items()
                if r["drug_class"]}
    shown = display_path(path)
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for r in read_table(path, DRUG_CLASSES, issues):
        drug, cls = r["drug"], r["drug_class"]
        if drug is None or cls is None:
            continue
        if drug not in drugs:
            issues.append(Issue(shown, r.line, "drug", f"unknown drug '{drug}' (not in drugs.csv)"))
            continue
        if cls in out[drug]:
            issues.append(Issue(shown, r.line, "drug_class",
                                f"'{drug}' is already in class '{cls}'"))
            continue
        own = set(split_list(drugs[drug]["targets"]))
        genes = split_list(r["targets"])
        for gene in genes:
            if gene not in own:
                issues.append(Issue(shown, r.line, "targets", f"'{gene}' is not a target of "
                                    f"'{drug}' in drugs.csv"))
        out[drug][cls] = [g for g in genes if g in own]
    for name, r in drugs.items():
        if name not in out:
            issues.append(Issue(shown, None, "drug", f"drug '{name}' of drugs.csv has no row"))
        elif r["drug_class"] and r["drug_class"] not in out[name]:
            issues.append(Issue(display_path(drugs_path), r.line, "drug_class",
                                f"'{r['drug_class']}' is not among the classes of '{name}' "
                                f"in {FILE}"))
    return dict(out)


def class_sets(path: Path) -> dict[str, set[str]]:
    """Unvalidated drug name → classes, for loaders that only look drugs up (the curated
    loader validates the same file in every build)."""
    out: dict[str, set[str]] = defaultdict(set)
    if path.exists():
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                if (r.get("drug") or "").strip() and (r.get("drug_class") or "").strip():
                    out[r["drug"].strip()].add(r["drug_class"].strip())
    return dict(out)
