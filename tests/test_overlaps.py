"""data/overlaps.csv: patient overlap across cohort ids is validated (ids, relation, source,
cycles, self-links, arm/stratum pairs, repeated pairs: one line each, all at once) and reaches the
graph as CONTAINS_PATIENTS_OF / SHARES_PATIENTS_WITH edges with their citation."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from kg.errors import ValidationFailed
from kg.schema import Rel, cohort_id
from loaders.curated import DATA_DIR, CuratedLoader
from tests.conftest import MINI, build_from

HEADER = ["cohort_id", "relation", "other_cohort_id", "source", "note"]
ARM = "VE-BASKET:vemurafenib-braf-v600"
CRC = "VE-BASKET:vemurafenib-braf-v600:crc"
NSCLC = "VE-BASKET:vemurafenib-braf-v600:nsclc"
DRUP = "DRUP:nivolumab-msi"
DRUP_ARM = "DRUP:vemurafenib-braf-v600:nsclc"  # only in arms.csv of the mini fixture


def with_overlaps(tmp_path: Path, rows: list[list[str]]) -> Path:
    d = tmp_path / "data"
    shutil.copytree(MINI, d)
    with open(d / "overlaps.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    return d


def issues_of(data_dir: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        CuratedLoader(data_dir).load()
    return [str(i) for i in info.value.issues]


def overlap_edges(results) -> list:
    return [e for r in results for e in r.edges
            if e.rel in (Rel.CONTAINS_PATIENTS_OF, Rel.SHARES_PATIENTS_WITH)]


def test_valid_rows_become_edges_with_their_citation(tmp_path):
    d = with_overlaps(tmp_path, [
        [DRUP, "overlaps", NSCLC, "doi:10.1/x", "shared patients"],
        [DRUP_ARM, "contains", CRC, "https://example.org/y", ""],
    ])
    edges = overlap_edges(CuratedLoader(d).load())
    got = {(e.src, e.rel, e.dst, e.props["citation"], e.props["note"]) for e in edges}
    assert got == {
        (cohort_id(DRUP), Rel.SHARES_PATIENTS_WITH, cohort_id(NSCLC), "doi:10.1/x",
         "shared patients"),
        (cohort_id(DRUP_ARM), Rel.CONTAINS_PATIENTS_OF, cohort_id(CRC), "https://example.org/y",
         ""),
    }
    assert all(e.source == "curated" for e in edges)


def test_every_bad_row_is_reported_at_once(tmp_path):
    """Seven bad rows (file lines 2-8), one valid row (line 9): seven one-line problems."""
    d = with_overlaps(tmp_path, [
        ["NOPE:arm", "contains", DRUP, "doi:10.1/x", ""],            # 2 unknown id
        [DRUP, "includes", NSCLC, "doi:10.1/x", ""],                 # 3 bad relation
        [DRUP, "overlaps", CRC, "", ""],                              # 4 no source
        [DRUP, "overlaps", DRUP, "doi:10.1/x", ""],                  # 5 self-link
        [CRC, "overlaps", ARM, "doi:10.1/x", ""],                    # 6 stratum and its arm
        [DRUP_ARM, "overlaps", DRUP, "doi:10.1/x", ""],              # 7 first of a pair …
        [DRUP, "contains", DRUP_ARM, "doi:10.1/x", ""],              # 8 … repeated
        [NSCLC, "overlaps", CRC, "doi:10.1/x", ""],                  # 9 fine
    ])
    issues = issues_of(d)
    f = "overlaps.csv"
    expected = [
        f"{f}, row 2, field 'cohort_id': unknown cohort 'NOPE:arm'",
        f"{f}, row 3, field 'relation': 'includes' is not one of contains, overlaps",
        f"{f}, row 4, field 'source': value is required",
        f"{f}, row 5, field 'other_cohort_id': '{DRUP}' is linked to itself",
        f"{f}, row 6, field 'other_cohort_id': '{CRC}' and '{ARM}' are arm and stratum",
        f"{f}, row 8, field 'other_cohort_id': '{DRUP}' and '{DRUP_ARM}' are already related "
        "on row 7",
    ]
    for text in expected:
        assert sum(text in i for i in issues) == 1, (text, issues)
    assert len(issues) == len(expected)
    assert all("\n" not in i for i in issues)


def test_cycles_of_containment_are_refused(tmp_path):
    """Lines 2-4 close DRUP -> DRUP_ARM -> NSCLC -> DRUP: one problem, on the last line."""
    d = with_overlaps(tmp_path, [
        [DRUP, "contains", DRUP_ARM, "doi:10.1/x", ""],   # 2
        [DRUP_ARM, "contains", NSCLC, "doi:10.1/x", ""],  # 3
        [NSCLC, "contains", DRUP, "doi:10.1/x", ""],      # 4
    ])
    issues = issues_of(d)
    assert len(issues) == 1
    assert "overlaps.csv, row 4, field 'other_cohort_id': cycle of containment" in issues[0]
    assert all(f"'{c}'" in issues[0] for c in (DRUP, DRUP_ARM, NSCLC))


def test_cycle_through_a_stratum_is_refused(tmp_path):
    """The arm contains its colorectal stratum (parent_cohort_id); a row saying the stratum
    contains DRUP and DRUP contains the arm closes arm -> crc -> DRUP -> arm."""
    d = with_overlaps(tmp_path, [
        [CRC, "contains", DRUP, "doi:10.1/x", ""],   # 2
        [DRUP, "contains", ARM, "doi:10.1/x", ""],   # 3
    ])
    issues = issues_of(d)
    assert len(issues) == 1
    assert "row 3, field 'other_cohort_id': cycle of containment" in issues[0]
    for c in (ARM, CRC, DRUP):
        assert f"'{c}'" in issues[0]


def test_missing_file_means_no_overlaps():
    assert not (MINI / "overlaps.csv").exists()
    assert overlap_edges(CuratedLoader(MINI).load()) == []


@pytest.mark.skipif(not (DATA_DIR / "overlaps.csv").exists(), reason="no curated data")
def test_bundled_overlaps_reach_the_graph(tmp_path):
    """Hand-checked against ../shared/reference/cohort_reports.csv:
    - R0169 (larotrectinib adult and paediatric non-CNS, ESMO 2020) and R0187 (paediatric
      non-CNS, n=34): the paediatric set is drawn from the same three trials as the pooled set,
      so the expanded pooled set contains it.
    - R0215 (FDA adult BRAF V600E pool, 131 adults) note: 'NCI-MATCH arm H patients are in the
      131-adult FDA pool' (R0042/R0219 = arm H), so the FDA pool contains arm H.
    - R0199/R0200 (TRIDENT-1): the G2032R subgroup partly overlaps the 1-prior-TKI cohort.
    """
    art = build_from(DATA_DIR, tmp_path)
    edges = art.all_edges
    have = set(zip(edges["src"], edges["rel"], edges["dst"], strict=True))
    assert (cohort_id("LAROTRECTINIB-POOLED:expanded-non-cns"), Rel.CONTAINS_PATIENTS_OF,
            cohort_id("LAROTRECTINIB-POOLED:paediatric-non-cns")) in have
    assert (cohort_id("FDA-BRAF-AGNOSTIC-ADULT:dabrafenib-trametinib-braf-v600e"),
            Rel.CONTAINS_PATIENTS_OF, cohort_id("NCI-MATCH:h-dabrafenib-trametinib-braf-v600")
            ) in have
    assert (cohort_id("TRIDENT-1:repotrectinib-ros1-g2032r-nsclc"), Rel.SHARES_PATIENTS_WITH,
            cohort_id("TRIDENT-1:repotrectinib-ros1-1-prior-tki-nsclc")) in have
