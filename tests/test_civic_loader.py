"""CIViC loader on the real 2021 release (v1 layout, named explicitly: the folder also holds the
newer 2024 release that a default build reads) and on the v2-layout fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import build
from kg.schema import Label, Rel
from loaders import civic as C
from loaders import disease_ontology, oncotree
from loaders.curated import CuratedLoader
from loaders.registry import DATA_DIR

pytestmark = pytest.mark.shared_data
FIXTURE_V2 = Path(__file__).parent / "fixtures" / "civic_v2"
MINI = Path(__file__).parent / "fixtures" / "mini"
RELEASE_2021 = "01-Aug-2021"


@pytest.fixture(scope="module")
def result(shared_data):
    return C.CivicLoader(shared_data, DATA_DIR / "drugs.csv", release=RELEASE_2021).load()


def edges_from(result, src: str, rel: Rel) -> set[str]:
    return {e.dst for e in result.edges if e.src == src and e.rel == rel}


def test_raw_files_row_counts(shared_data):
    folder = shared_data / "civic"
    ev = C.read_tsv(folder / "01-Aug-2021-ClinicalEvidenceSummaries.tsv")
    assert (len(ev.rows), len(ev.header), ev.spilled) == (3650, 41, 0)
    var = C.read_tsv(folder / "01-Aug-2021-VariantSummaries.tsv")
    assert (len(var.rows), len(var.header), var.spilled) == (1469, 28, 6)
    spilled = next(r for r in var.rows if r["assertion_civic_urls"].count("http") > 1)
    assert spilled["assertion_civic_urls"].count("assertions/") >= 2  # kept, not lost
    assert len(C.read_tsv(folder / "01-Aug-2021-GeneSummaries.tsv").rows) == 439
    assert len(C.read_tsv(folder / "01-Aug-2021-AssertionSummaries.tsv").rows) == 18
    rel = C.find_release(folder, RELEASE_2021)
    assert (rel.version, rel.layout) == ("01-Aug-2021", "v1")
    assert rel.variants and rel.variants.name == "01-Aug-2021-VariantSummaries.tsv"
    newest = C.find_release(folder)  # SOURCE.md: the 2024 evidence file, v2 layout, alone
    assert (newest.version, newest.layout, newest.assertions) == ("01-Apr-2024", "v2", None)


def test_loaded_and_skipped_with_reasons(result):
    assert result.source.licence == "CC0 1.0" and result.source.version == "01-Aug-2021"
    assert result.loaded["evidence rows"] == 3650
    assert result.loaded["assertion rows"] == 18
    assert result.loaded["variant file rows"] == 1469
    assert sum(1 for n in result.nodes if n.label == Label.EVIDENCE) == 3650 + 18  # none dropped
    assert result.skipped["evidence: no DOID (no disease or tumour-type link)"] == 20
    assert result.skipped["evidence: disease not mapped to OncoTree (Disease link only)"] == 130
    # 150 rows on 105 names: methylation, rs ids, splice sites, star alleles, serum levels…
    assert result.skipped["evidence: variant name not normalised (kept under its gene)"] == 150
    assert not any("common tier" in k for k in result.skipped)  # every level A-E has a tier


#: Evidence rows per DOID of the diseases whose OncoTree node changed when cancer types were
#: preferred to tissue nodes (test_do_loader.CANCER_TYPE_CASES), counted in the evidence file's
#: ``doid`` column (5th in 2021, 4th in 2024) with awk -F'\t' 'NR>1 {n[$5]++}'.
ROWS_2021 = {"9256": 288, "2394": 61, "1380": 16, "11054": 1}
ROWS_2024 = {"9256": 341, "2394": 57, "1380": 23, "11054": 2}


def test_share_of_evidence_mapped_to_oncotree(result):
    """Before the change 2626 rows were exact and 874 mapped through a DO ancestor (now all
    ``broader``). Colorectal, ovarian and endometrial cancer became ``close``; urinary bladder
    cancer ``broader`` (no thymus, vaginal or anus cancer rows)."""
    exact = result.loaded["evidence mapped to OncoTree (exact)"]
    close = result.loaded["evidence mapped to OncoTree (close)"]
    broader = result.loaded["evidence mapped to OncoTree (broader)"]
    assert close == 288 + 61 + 16
    assert broader == 874 + 1
    assert exact == 2626 - close - 1
    assert exact + close + broader + 130 + 20 == 3650  # mapped + unmapped + no DOID = every row
    assert (exact + close + broader) / 3650 >= 0.80  # 95.9 %
    assert exact / 3650 >= 0.60  # 61.9 % exact


@pytest.fixture(scope="module")
def result_2024(shared_data):
    return C.CivicLoader(shared_data, MINI / "drugs.csv").load()


def test_share_of_2024_evidence_mapped_to_oncotree(result_2024):
    """2024: 3009 exact and 1026 by an ancestor before the change, moved as in 2021."""
    loaded = result_2024.loaded
    assert result_2024.source.version == "01-Apr-2024"
    close = loaded["evidence mapped to OncoTree (close)"]
    assert close == 341 + 57 + 23
    assert loaded["evidence mapped to OncoTree (broader)"] == 1026 + 2
    assert loaded["evidence mapped to OncoTree (exact)"] == 3009 - close - 2



def test_2024_citations_give_evidence_years(result_2024):
    """The 2024 release cites "Levine et al., 2005" (no journal after the year, unlike 2021's
    "Levine et al., 2005, Blood"); rows read by eye in 01-Apr-2024-ClinicalEvidenceSummaries.tsv:
    EID1 "Levine et al., 2005", EID1000 "Weekes et al., 2013", EID7066 "Alexander E. Drilon,
    2018, ASCO Annual Meeting, Abstract 102" (the abstract number is not a year)."""
    years = {n.props["name"]: n.props["year"] for n in result_2024.nodes
             if n.label == Label.EVIDENCE}
    assert (years["EID1"], years["EID1000"], years["EID7066"]) == (2005, 2013, 2018)


@pytest.mark.parametrize(("release", "expected"), [(RELEASE_2021, 30 + 1), (None, 34 + 1)])
def test_braf_v600e_colorectal_evidence_is_under_colorectal_adenocarcinoma(
        result, result_2024, release, expected):
    """BRAF V600E items filed under colorectal cancer (DOID 9256) and colorectal adenocarcinoma
    (DOID 0050861), counted in the evidence files: 2021 (gene BRAF, variant V600E) 30 + 1,
    2024 (molecular profile exactly "BRAF V600E") 34 + 1. Colorectal cancer used to land on the
    tissue node BOWEL, so a colorectal filter found only the adenocarcinoma item."""
    res = result if release else result_2024
    v600e = {e.src for e in res.edges if e.rel == Rel.FOR_ALTERATION
             and e.dst == "alt:BRAF:V600E" and e.src.startswith("civic.eid")}
    colorectal = {e.src for e in res.edges if e.rel == Rel.IN_TUMOUR
                  and e.dst in ("oncotree:COADREAD", "oncotree:READ", "oncotree:COAD")}
    assert len(v600e & colorectal) == expected


#: evidence rows read by eye in both releases' evidence files (disease, doid) and traced through
#: doid_xrefs.tsv (ncit) to the OncoTree code carrying that NCIt code in oncotree_2025_10_03_flat
HAND_CHECKED = {
    "civic.eid:1409": ("DOID:8923", "oncotree:SKCM"),  # Skin Melanoma, NCIt C3510 = SKCM
    "civic.eid:3017": ("DOID:3908", "oncotree:NSCLC"),  # Lung NSCLC, NCIt C2926 = NSCLC
    "civic.eid:11": ("DOID:9119", "oncotree:AML"),  # Acute Myeloid Leukemia, NCIt C3171 = AML
}


def _check_hand_mappings(result) -> None:
    precision = {n.id: n.props["mapping_precision"] for n in result.nodes
                 if n.label == Label.EVIDENCE}
    for eid, (doid, tumour) in HAND_CHECKED.items():
        assert edges_from(result, eid, Rel.IN_DISEASE) == {doid}, eid
        assert edges_from(result, eid, Rel.IN_TUMOUR) == {tumour}, eid
        assert precision[eid] == "exact", eid


def test_hand_checked_disease_mappings_2021(result):
    _check_hand_mappings(result)
    # HER2-positive breast cancer (DOID:0060079) has no OncoTree code of its own: its parent
    # breast cancer (DOID:1612 → BREAST, tests/test_do_loader.py) is one generation up
    her2 = [n for n in result.nodes if n.label == Label.EVIDENCE
            and edges_from(result, n.id, Rel.IN_DISEASE) == {"DOID:0060079"}]
    assert her2 and {n.props["mapping_precision"] for n in her2} == {"broader"}
    mapped = sum(result.loaded[f"evidence mapped to OncoTree ({k})"] for k in ("exact",
                                                                               "close",
                                                                               "broader"))
    assert mapped / 3650 >= 0.80  # README: 95.9 %


def test_default_build_reads_the_2024_release(shared_data):
    """SOURCE.md: the 01-Apr-2024 evidence file (v2), 4,301 rows, is the newest present; it has
    no assertion file, so the 18 assertions come from 01-Aug-2021 with that release."""
    newest = C.CivicLoader(shared_data).load()
    assert newest.source.version == "01-Apr-2024"
    assert newest.loaded["evidence rows"] == 4301 and newest.loaded["assertion rows"] == 18
    _check_hand_mappings(newest)
    aid = next(n for n in newest.nodes if n.id.startswith("civic.aid:"))
    eid = next(n for n in newest.nodes if n.id == "civic.eid:1409")
    assert (aid.source_version, eid.source_version) == ("01-Aug-2021", "01-Apr-2024")
    files = {Path(f.path).name: f.release for f in newest.source.files}
    assert files["01-Aug-2021-AssertionSummaries.tsv"] == "01-Aug-2021"


def test_braf_v600e_melanoma_vemurafenib_level_a(result):
    ev = next(n for n in result.nodes if n.id == "civic.eid:1409")
    p = ev.props
    assert (p["source_level"], p["common_tier"], p["direction"], p["significance"],
            p["evidence_type"]) == ("A", "A", "supports", "Sensitivity/Response", "Predictive")
    assert edges_from(result, ev.id, Rel.FOR_ALTERATION) == {"alt:BRAF:V600E"}
    assert edges_from(result, ev.id, Rel.IN_TUMOUR) == {"oncotree:SKCM"}
    assert edges_from(result, "oncotree:SKCM", Rel.IS_A) == {"oncotree:MEL"}
    assert edges_from(result, ev.id, Rel.IN_DISEASE) == {"DOID:8923"}
    assert edges_from(result, ev.id, Rel.FOR_REGIMEN) == {"regimen:NCIT:C64768"}
    assert edges_from(result, "regimen:NCIT:C64768", Rel.INCLUDES) == {"NCIT:C64768"}
    assert edges_from(result, ev.id, Rel.REPORTED_IN) == {"pubmed:21639808"}  # Chapman 2011, BRIM-3
    assert edges_from(result, "alt:BRAF:V600E", Rel.IS_A) == {"alt:BRAF:V600"}
    assert edges_from(result, "alt:BRAF:V600E", Rel.IN_GENE) == {"HGNC:1097"}


def test_interaction_types_become_regimens(result):
    combo = edges_from(result, "civic.eid:3017", Rel.FOR_REGIMEN)  # dabrafenib + trametinib
    assert combo == {"regimen:NCIT:C77908+NCIT:C82386"}
    assert len(edges_from(result, "civic.eid:34", Rel.FOR_REGIMEN)) == 3  # Substitutes
    assert len(edges_from(result, "civic.eid:296", Rel.FOR_REGIMEN)) == 2  # Sequential
    assert edges_from(result, "civic.eid:1", Rel.FOR_REGIMEN) == set()  # diagnostic, no drug


def test_does_not_support_keeps_its_direction(result):
    ev = next(n for n in result.nodes if n.id == "civic.eid:11")
    assert (ev.props["direction"], ev.props["significance"]) == ("does not support",  # not flipped
                                                                 "Resistance")


def test_assertion_tiers(result):
    aids = [n for n in result.nodes if n.id.startswith("civic.aid:")]
    assert len(aids) == 18
    tiers = {n.props["source_level"]: n.props["common_tier"] for n in aids
             if n.props["source_level"]}
    assert tiers["Tier I - Level A"] == "A"


def _v1_slice(shared_data: Path, folder: Path, eids: set[str]) -> None:
    src = shared_data / "civic" / "01-Aug-2021-ClinicalEvidenceSummaries.tsv"
    lines = src.read_text(encoding="utf-8").split("\n")
    keep = [lines[0]] + [ln for ln in lines[1:] if ln and ln.split("\t")[20] in eids]
    assert len(keep) == len(eids) + 1
    folder.mkdir()
    (folder / src.name).write_text("\n".join(keep) + "\n", encoding="utf-8")


def _records(result) -> tuple[set, set]:
    nodes = {(n.id, n.label, tuple(sorted(n.props.items()))) for n in result.nodes}
    edges = {(e.src, e.rel, e.dst, tuple(sorted(e.props.items()))) for e in result.edges}
    return nodes, edges


def test_v2_fixture_gives_the_same_records_as_its_v1_rows(shared_data, tmp_path):
    v2_file = FIXTURE_V2 / "nightly-ClinicalEvidenceSummaries.tsv"
    eids = {r["evidence_id"] for r in C.read_tsv(v2_file).rows}
    assert len(eids) == 13
    _v1_slice(shared_data, tmp_path / "v1", eids)
    v1 = C.CivicLoader(shared_data, civic_dir=tmp_path / "v1").load()
    v2 = C.CivicLoader(shared_data, civic_dir=FIXTURE_V2).load()
    assert C.find_release(FIXTURE_V2).layout == "v2" and v2.source.version == "nightly"
    assert _records(v1) == _records(v2)
    assert v1.loaded == v2.loaded and v1.skipped == v2.skipped
    assert sum(1 for n in v2.nodes if n.label == Label.EVIDENCE) == 13


def test_builds_with_curated_cohorts_and_meets_braf_v600(shared_data, tmp_path):
    """Referential integrity across sources, and the hierarchy join: a cohort selecting
    BRAF V600 (curated) and CIViC evidence on BRAF V600E share alt:BRAF:V600."""
    results = [*CuratedLoader(MINI).load(), oncotree.load(shared_data),
               disease_ontology.load(shared_data),
               C.CivicLoader(shared_data, MINI / "drugs.csv", release=RELEASE_2021).load()]
    art = build(results, tmp_path / "kg")
    is_a = art.edges(Rel.IS_A)
    v600 = is_a[(is_a.src == "alt:BRAF:V600E") & (is_a.dst == "alt:BRAF:V600")]
    assert set(v600.source) == {"curated", "civic"}
    assert len(art.nodes(Label.TUMOUR_TYPE)) == 898
    names = {s["name"]: s for s in art.manifest["sources"]}
    assert names["civic"]["loaded"]["evidence rows"] == 3650


def test_drug_lists_keep_chemical_names_whole():
    assert C.split_drugs("Gefitinib,Erlotinib") == ["Gefitinib", "Erlotinib"]
    assert C.split_drugs("Crizotinib,2,4-pyrimidinediamine") == ["Crizotinib",
                                                                 "2,4-pyrimidinediamine"]
