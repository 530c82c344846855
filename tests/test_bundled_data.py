"""The bundled curated tables: coverage the issue promises, and known published numbers."""

from __future__ import annotations

import pandas as pd

from kg.schema import Label
from queries.cohorts import current_results
from queries.summary import graph_stats


def test_coverage(bundled_artefact):
    cov = graph_stats(bundled_artefact)["coverage"]
    assert cov["trials"] >= 6
    assert cov["cohorts"] >= 150
    assert cov["cohorts_with_source_pct"] == 100.0


def test_every_reference_programme_is_present(bundled_artefact):
    names = set(bundled_artefact.nodes(Label.TRIAL)["id"])
    for trial in ("DRUP", "TAPUR", "NCI-MATCH", "MYPATHWAY", "KEYNOTE-158", "VE-BASKET", "ROAR"):
        assert f"trial:{trial}" in names


def test_known_cohort_ve_basket_nsclc(bundled_artefact):
    """Hyman et al., NEJM 2015 (doi:10.1056/NEJMoa1502309): vemurafenib in BRAF V600 NSCLC,
    8 responses in 19 evaluable patients (42%)."""
    current, _ = current_results(bundled_artefact)
    row = current.set_index("cohort").loc["cohort:VE-BASKET:vemurafenib-braf-v600:nsclc"]
    assert (row["n_evaluable"], row["n_response"], row["orr_pct"]) == (19, 8, 42.0)
    assert row["tumour_type"] == "oncotree:NSCLC" and row["alteration"] == "alt:BRAF:V600"
    assert row["citation"] == "doi:10.1056/NEJMoa1502309"


def test_every_report_row_is_traceable(bundled_artefact):
    results = bundled_artefact.nodes(Label.RESULT)
    assert results["source_file"].str.endswith("cohorts.csv").all()
    assert results["source_row"].notna().all()
    assert (results["citation"].notna() | results["source_url"].notna()).all()


def test_no_patients_counted_twice(bundled_artefact):
    current, _ = current_results(bundled_artefact)
    assert current["cohort"].is_unique
    superseded = set(bundled_artefact.edges("SUPERSEDES")["dst"])
    assert not set(current["result"]) & superseded
    assert pd.api.types.is_integer_dtype(current["n_evaluable"])


def test_small_intestine_carcinoma_has_one_code():
    """One histology, one OncoTree code (data/README.md). Reference rows R0147 (KEYNOTE-158
    'small intestine (small bowel) cancer') and R0206 (ROAR 'adenocarcinoma of the small
    intestine') describe the same histology; OncoTree has SBC and a sibling leaf SIC, so a
    roll-up by node would split them unless both rows use the same code."""
    from loaders.curated import DATA_DIR

    rows = pd.read_csv(DATA_DIR / "cohorts.csv", dtype=str, keep_default_na=False)
    # rows whose whole published tumour type is small-intestine cancer (mixed baskets that list
    # it among others are TISSUE)
    published = rows["tumour_type_published"].str.lower()
    small = rows[published.str.match(r"(adenocarcinoma of the )?small (intestine|bowel)")]
    assert len(small) == 2
    assert set(small["tumour_type"]) == {"SBC"}
