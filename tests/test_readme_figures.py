"""The README's headline figures, added up from named rows of data/cohorts.csv.

Each expectation is the sum of ``n_evaluable`` / ``n_response`` over the current report of every
cohort named below (read from the CSV, not from the graph), so it holds whatever else the table
gains; the analysis must give the same totals and the README must state them.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from loaders.registry import DATA_DIR
from queries.agnostic import histology_posteriors

README = Path(__file__).resolve().parents[1] / "README.md"

#: (treatment group, alteration group, histology) → result ids of data/cohorts.csv
HEADLINES = {
    # dostarlimab rectal is a clinical complete response (not ORR); KEYNOTE-164 cohort A and
    # Le 2015 are inside the FDA 2017 colorectal pool (data/overlaps.csv)
    ("PD-1/PD-L1 inhibitor", "alt:MSI-H", "Colorectal Cancer"): (
        "CHECKMATE-142:nivolumab-msi-h-crc-pretreated@2017",
        "FDA-PEMBROLIZUMAB-MSI-H:pembrolizumab-msi-h:crc@2017",
        "KEYNOTE-164:pembrolizumab-msi-h-crc-cohort-b@2023",
    ),
    # durvalumab's is iRECIST-modified (not standard ORR); GARNET A1 is inside GARNET's dMMR
    # solid set and KEYNOTE-158 D+K shares patients with its non-CRC set, both larger mixed pools
    ("PD-1/PD-L1 inhibitor", "alt:MSI-H", "Endometrial Cancer"): (
        "AVELUMAB-ENDOMETRIAL-P2:avelumab-mmrd-pole-endometrial@2019",
    ),
    ("BRAF inhibitor + MEK inhibitor", "alt:BRAF:V600", "Colorectal Cancer"): (
        "DABRAFENIB-TRAMETINIB-CRC-P1-2:dabrafenib-trametinib-braf-v600-crc@2015",
    ),
}
#: how the README words each headline
README_TEXT = {
    ("PD-1/PD-L1 inhibitor", "alt:MSI-H", "Colorectal Cancer"): "colorectal {k}/{n}",
    ("PD-1/PD-L1 inhibitor", "alt:MSI-H", "Endometrial Cancer"): "endometrial {k}/{n}",
    ("BRAF inhibitor + MEK inhibitor", "alt:BRAF:V600", "Colorectal Cancer"): "BRAF + MEK {k}/{n}",
}


def _rows() -> dict[str, dict[str, str]]:
    with open(DATA_DIR / "cohorts.csv", newline="", encoding="utf-8-sig") as fh:
        return {r["result_id"]: r for r in csv.DictReader(fh)}


def _added_up(result_ids: tuple[str, ...]) -> tuple[int, int]:
    """(responders, evaluable) summed over the rows; a leading ``-`` subtracts a row."""
    rows = _rows()
    k = n = 0
    for rid in result_ids:
        sign = -1 if rid.startswith("-") else 1
        row = rows[rid.lstrip("-")]
        k += sign * int(row["n_response"])
        n += sign * int(row["n_evaluable"])
    return k, n


@pytest.fixture(scope="module")
def posteriors(bundled_artefact):
    return histology_posteriors(bundled_artefact)


@pytest.mark.parametrize("key", list(HEADLINES), ids=lambda k: f"{k[0]}|{k[2]}")
def test_headline_counts_add_up_from_the_named_rows(posteriors, key):
    treatment, alteration, histology = key
    k, n = _added_up(HEADLINES[key])
    hit = posteriors[(posteriors["treatment_group"] == treatment)
                     & (posteriors["alteration_group"] == alteration)
                     & (posteriors["histology"] == histology)]
    assert len(hit) == 1
    assert (int(hit.iloc[0]["k"]), int(hit.iloc[0]["n"])) == (k, n)


@pytest.mark.parametrize("key", list(HEADLINES), ids=lambda k: f"{k[0]}|{k[2]}")
def test_readme_states_the_added_up_figures(key):
    k, n = _added_up(HEADLINES[key])
    text = re.sub(r"\s+", " ", README.read_text())
    assert README_TEXT[key].format(k=k, n=n) in text
