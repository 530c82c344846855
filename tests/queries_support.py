"""Small synthetic graphs for the analyses tests, written as real CSVs in the data/ format.

Every count is chosen so that the expected answers can be worked out by hand (see the tests).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from loaders.curated import COHORTS
from tests.conftest import MINI

TRIALS = [
    ("BASKET-A", "Basket A", "", "NL", "basket", "doi:10.1000/a"),
    ("BASKET-B", "Basket B", "", "US", "basket", "doi:10.1000/b"),
    ("BASKET-C", "Basket C", "", "FR", "basket", "doi:10.1000/c"),
]
GENES = [("BRAF", "HGNC:1097", "673"), ("PDCD1", "HGNC:8760", "5133"),
         ("MAP2K1", "HGNC:6840", "5604")]
DRUGS = [
    ("braftinib", "C90001", "", "BRAF inhibitor", "BRAF", "", "test"),
    ("mektinib", "C90002", "", "MEK inhibitor", "MAP2K1", "", "test"),
    ("pdonemab", "C90003", "", "PD-1/PD-L1 inhibitor", "PDCD1", "", "test"),
    ("pdtwomab", "C90004", "", "PD-1/PD-L1 inhibitor", "PDCD1", "", "test"),
]
ALTERATIONS = [
    ("BRAF", "BRAF", "BRAF (any)", "any", "gene", "", ""),
    ("BRAF:mutation", "BRAF", "BRAF mutation", "mutation", "kind", "", "BRAF"),
    ("BRAF:V600", "BRAF", "BRAF V600", "mutation", "codon", "", "BRAF:mutation"),
    ("BRAF:V600E", "BRAF", "BRAF V600E", "mutation", "variant", "V600E", "BRAF:V600"),
    ("MSI-H", "", "MSI-H/dMMR", "signature", "signature", "", ""),
]
TUMOURS = [
    ("TISSUE", "Tissue", "", "", 0, ""),
    ("BOWEL", "Bowel", "", "Bowel", 1, "TISSUE"),
    ("COADREAD", "Colorectal Adenocarcinoma", "Colorectal Cancer", "Bowel", 2, "BOWEL"),
    ("READ", "Rectal Adenocarcinoma", "Colorectal Cancer", "Bowel", 3, "COADREAD"),
    ("LUNG", "Lung", "", "Lung", 1, "TISSUE"),
    ("NSCLC", "Non-Small Cell Lung Cancer", "Non-Small Cell Lung Cancer", "Lung", 2, "LUNG"),
    ("SKIN", "Skin", "", "Skin", 1, "TISSUE"),
    ("MEL", "Melanoma", "Melanoma", "Skin", 2, "SKIN"),
    ("UTERUS", "Uterus", "", "Uterus", 1, "TISSUE"),
    ("UCEC", "Endometrial Carcinoma", "Endometrial Cancer", "Uterus", 2, "UTERUS"),
    ("STOMACH", "Esophagus/Stomach", "", "Esophagus/Stomach", 1, "TISSUE"),
    ("STAD", "Stomach Adenocarcinoma", "Esophagogastric Cancer", "Esophagus/Stomach", 2,
     "STOMACH"),
    ("THYROID", "Thyroid", "", "Thyroid", 1, "TISSUE"),
    ("THPA", "Papillary Thyroid Cancer", "Thyroid Cancer", "Thyroid", 2, "THYROID"),
]
CBR16 = "objective response or stable disease >=16 weeks"


def report(result_id: str, cohort_id: str, trial: str, drugs: str, alteration: str,
           tumour: str, year: int | None, n: int | None, resp: int | None,
           benefit: int | None = None, parent: str = "", supersedes: str = "",
           benefit_definition: str = "", pfs: float | None = None, arm: str = "",
           kind: str = "final") -> dict:
    """One cohorts.csv row with the fields the analyses read; the rest empty."""
    row = {c.name: "" for c in COHORTS.columns if not c.optional_column}
    row.update(result_id=result_id, cohort_id=cohort_id, trial_id=trial, arm=arm or cohort_id,
               parent_cohort_id=parent, drugs=drugs, alteration_id=alteration,
               tumour_type=tumour, analysis_kind=kind, year="" if year is None else str(year),
               n_enrolled="" if n is None else str(n), n_evaluable="" if n is None else str(n),
               n_response="" if resp is None else str(resp),
               n_benefit="" if benefit is None else str(benefit),
               benefit_definition=benefit_definition,
               median_pfs_months="" if pfs is None else str(pfs),
               citation=f"doi:10.1000/{result_id.replace(':', '-').replace('@', '-')}",
               confidence="high", supersedes=supersedes, note="synthetic")
    return row


def write_tables(folder: Path, reports: list[dict], arms: list[dict] | None = None) -> Path:
    """Reference tables + the given cohort reports (and arms) as CSVs in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    _write(folder / "trials.csv", ["trial_id", "name", "registry_ids", "country", "design",
                                   "source"], TRIALS)
    _write(folder / "genes.csv", ["symbol", "hgnc_id", "entrez"], GENES)
    _write(folder / "drugs.csv", ["name", "ncit", "rxnorm", "drug_class", "targets",
                                  "synonyms", "source"], DRUGS)
    _write(folder / "alterations.csv", ["alteration_id", "gene", "name", "kind", "level",
                                        "protein_change", "parent"], ALTERATIONS)
    _write(folder / "tumour_types.csv", ["code", "name", "main_type", "tissue", "level",
                                         "parent"], TUMOURS)
    cols = [c.name for c in COHORTS.columns if not c.optional_column]
    _write(folder / "cohorts.csv", cols, [[r[c] for c in cols] for r in reports])
    arm_cols = ["cohort_id", "trial_id", "arm", "drugs", "alteration_id", "tumour_type",
                "tumour_scope", "status", "status_date", "source_url", "note"]
    _write(folder / "arms.csv", arm_cols, [[a.get(c, "") for c in arm_cols]
                                           for a in (arms or [])])
    return folder


def _write(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def copy_mini(folder: Path) -> Path:
    shutil.copytree(MINI, folder)
    return folder


def signal_reports() -> list[dict]:
    """A PD-1 x MSI-H group active alike in three main types (must be tumour-agnostic) and a
    BRAF-inhibitor x V600E group active in melanoma and lung but not colorectal (must be
    histology-dependent)."""
    return [
        report("BASKET-A:pd1-msi:crc@2020", "BASKET-A:pd1-msi:crc", "BASKET-A", "pdonemab",
               "MSI-H", "COADREAD", 2020, 30, 12),
        report("BASKET-B:pd1-msi:ucec@2021", "BASKET-B:pd1-msi:ucec", "BASKET-B", "pdtwomab",
               "MSI-H", "UCEC", 2021, 30, 14),
        report("BASKET-A:pd1-msi:stad@2021", "BASKET-A:pd1-msi:stad", "BASKET-A", "pdonemab",
               "MSI-H", "STAD", 2021, 30, 13),
        report("BASKET-A:brafi:mel@2016", "BASKET-A:brafi:mel", "BASKET-A", "braftinib",
               "BRAF:V600E", "MEL", 2016, 40, 22),
        report("BASKET-B:brafi:nsclc@2018", "BASKET-B:brafi:nsclc", "BASKET-B", "braftinib",
               "BRAF:V600E", "NSCLC", 2018, 35, 15),
        report("BASKET-C:brafi:crc@2019", "BASKET-C:brafi:crc", "BASKET-C", "braftinib",
               "BRAF:V600E", "COADREAD", 2019, 30, 1),
    ]
