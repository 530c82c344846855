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


def test_drugs_with_several_targets_belong_to_each_class(bundled_artefact):
    """Classes read in the FDA labels (section 12.1): entrectinib inhibits TRKA/B/C, ROS1 and
    ALK; repotrectinib ROS1 and TRKA/B/C; crizotinib ALK, c-Met and ROS1; lorlatinib ALK and
    ROS1. The antibody-drug conjugates differ by payload (Kadcyla: DM1, a maytansine
    derivative; Enhertu: DXd, a topoisomerase I inhibitor), the naked antibodies stay apart."""
    drugs = bundled_artefact.nodes(Label.DRUG).set_index("name")
    classes = {name: set(str(v).split(";")) for name, v in drugs["drug_classes"].items()}
    assert classes["entrectinib"] == {"TRK inhibitor", "ROS1 inhibitor", "ALK inhibitor"}
    assert classes["repotrectinib"] == {"ROS1 inhibitor", "TRK inhibitor"}
    assert classes["crizotinib"] == {"ALK inhibitor", "MET inhibitor", "ROS1 inhibitor"}
    assert classes["lorlatinib"] == {"ALK inhibitor", "ROS1 inhibitor"}
    assert classes["trastuzumab emtansine"] == {"HER2 ADC (maytansinoid payload)"}
    assert classes["trastuzumab deruxtecan"] == {"HER2 ADC (topoisomerase I payload)"}
    assert classes["trastuzumab"] == classes["pertuzumab"] == {"HER2 antibody"}
    assert drugs.at["repotrectinib", "drug_class"] == "ROS1 inhibitor"  # primary, as before
    reg = bundled_artefact.nodes(Label.REGIMEN).set_index("name")["drug_classes"]
    assert reg["entrectinib"] == "ALK inhibitor;ROS1 inhibitor;TRK inhibitor"
    assert reg["trametinib + dabrafenib"] == "BRAF inhibitor;MEK inhibitor"  # by NCIt code
    targets = bundled_artefact.edges("TARGETS")
    entrectinib = targets[targets["src"] == drugs.at["entrectinib", "id"]]
    by_gene = dict(zip(entrectinib["dst"], entrectinib["drug_classes"], strict=True))
    assert by_gene["HGNC:8031"] == "TRK inhibitor"  # NTRK1
    assert by_gene["HGNC:427"] == "ALK inhibitor"


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
