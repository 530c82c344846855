"""Fixtures for the export tests (RDF, GraphML, neo4j-admin CSV; test_rdf_*, test_export_*).

``export_artefact``: the bundled curated tables when data/cohorts.csv exists, else the mini slice.
``committee_artefact``: the mini slice plus a committee's private cohort table written here, whose
one row is a new cohort testing a combination no public row names (so its Regimen node exists
only because of the private table). Values are test values, not curated claims.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kg.artefact import Artefact
from kg.build import build
from loaders.curated import DATA_DIR, CuratedLoader

HERE = Path(__file__).parent
MINI = HERE / "fixtures" / "mini"

PRIVATE_COHORT = "cohort:DRUP:committee-combo:coadread"
PRIVATE_RESULT = "result:DRUP:committee-combo:coadread@2024"
PRIVATE_REGIMEN = "regimen:NCIT:C64768+NCIT:C68814"  # nivolumab + vemurafenib, named nowhere else


def write_committee_table(path: Path) -> Path:
    header = (MINI / "cohorts.csv").read_text().splitlines()[0].split(",")
    row = {c: "" for c in header}
    row.update({
        "result_id": PRIVATE_RESULT.removeprefix("result:"),
        "cohort_id": PRIVATE_COHORT.removeprefix("cohort:"),
        "trial_id": "DRUP", "arm": "committee combination CRC", "drugs": "nivolumab;vemurafenib",
        "alteration_id": "BRAF:V600E", "biomarker": "BRAF V600E", "tumour_type": "COADREAD",
        "analysis": "interim (committee)", "analysis_kind": "interim", "year": "2024",
        "n_enrolled": "8", "n_evaluable": "8", "n_response": "2", "n_benefit": "3",
        "source_url": "committee minutes", "confidence": "medium", "note": "test row",
    })
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerow(row)
    return path


@pytest.fixture(scope="session")
def export_artefact(request) -> Artefact:
    if (DATA_DIR / "cohorts.csv").exists():
        return request.getfixturevalue("bundled_artefact")
    return request.getfixturevalue("mini_artefact")


@pytest.fixture(scope="session")
def committee_artefact(tmp_path_factory) -> Artefact:
    root = tmp_path_factory.mktemp("committee")
    table = write_committee_table(root / "committee.csv")
    return build(CuratedLoader(MINI, [table]).load(), root / "build")
