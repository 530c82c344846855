"""Disease Ontology loader and the DOID → OncoTree mapper on the real snapshots."""

from __future__ import annotations

import pytest

from kg.schema import Label, Rel
from loaders import disease_ontology as D
from loaders.oncotree import OncoTree

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def do(shared_data) -> D.DiseaseOntology:
    return D.DiseaseOntology.from_folder(shared_data / "disease_ontology")


@pytest.fixture(scope="module")
def mapper(do, shared_data) -> D.DiseaseMapper:
    return D.DiseaseMapper(do, OncoTree.from_folder(shared_data / "oncotree"))


def test_full_ontology_counts(do):
    assert len(do.terms) == 11454
    assert sum(1 for t in do.terms.values() if t.nci) == 4547
    assert do.terms["DOID:1909"].name == "melanoma"
    assert do.terms["DOID:1909"].parents == ["DOID:0050687"]  # cell type cancer
    assert "DOID:162" in do.ancestors("DOID:1909")


def test_bare_numbers_and_alt_ids_resolve(do):
    assert do.canonical("1909") == "DOID:1909"  # CIViC writes DOIDs without the prefix
    assert do.canonical("715") == "DOID:5603"  # alt id
    assert do.canonical("0050618") == "DOID:2997"
    assert do.canonical("99999999") is None


def test_mapping_exact_and_by_ancestor(mapper):
    """Checked by eye: doid_xrefs.tsv gives DOID:1909 ncit C3224, DOID:8923 C3510, DOID:3908
    C2926, DOID:3910 C27745|C3512; oncotree_2025_10_03_flat.tsv has those NCIt codes on MEL,
    SKCM, NSCLC and LUAD."""
    assert (mapper.map("3910").code, mapper.map("3910").precision) == ("LUAD", "exact")
    m = mapper.map("1909")
    assert (m.code, m.precision) == ("MEL", "exact")
    assert mapper.map("8923").code == "SKCM"  # skin melanoma
    assert mapper.map("3908").code == "NSCLC"
    assert mapper.map("162").code == "TISSUE"  # "cancer" = any tumour type, the root
    her2 = mapper.map("0060079")  # HER2-positive breast cancer → breast cancer → BREAST
    assert (her2.code, her2.precision, her2.via, her2.generations) == \
        ("BREAST", "broader", "DOID:1612", 1)
    assert mapper.map("3883").precision == "unmapped"  # Lynch syndrome: no tumour type


#: Checked by eye. DO terms as read in disease_ontology/doid_full_2024-07.json (name, is_a, NCI
#: xrefs, synonyms); OncoTree rows as in oncotree/oncotree_2025_10_03_flat.tsv (line: code, name,
#: main type, parent), where a main type's nodes were listed with
#: awk -F'\t' '$3=="<main type>"'.
CANCER_TYPE_CASES = [
    # colorectal cancer (xrefs C2956, C4978: in no OncoTree row) is the main type Colorectal
    # Cancer, whose 7 rows are COADREAD (l.406) with its 5 children (READ, MACR, COAD, SRCCR,
    # CAIS) and CMC (l.397, medullary); both sit under BOWEL (l.386, main type Bowel Cancer, also
    # anal, appendiceal and small-bowel cancers): COADREAD holds 6 of 7, a little narrower
    ("9256", "COADREAD", "close"),
    # ovarian cancer: main type Ovarian Cancer = OVT (l.8, 22 rows with its subtree) and OOVC
    # (l.4, 4 rows), under OVARY (l.3, Ovarian/Fallopian Tube Cancer)
    ("2394", "OVT", "close"),
    # endometrial cancer: main type Endometrial Cancer = UCEC (l.671, 13 rows) and OUTT (l.670),
    # under UTERUS (l.655, Uterine Cancer)
    ("1380", "UCEC", "close"),
    # lung cancer (no NCI xref in this release): main type Lung Cancer is LUNG's own (l.620); not
    # NSCLC (l.627), which is one kind of lung cancer
    ("1324", "LUNG", "exact"),
    # lung non-small cell carcinoma: xref NCI:C2926 = NSCLC's NCIt code (l.627)
    ("3908", "NSCLC", "exact"),
    # breast cancer: main type Breast Cancer is BREAST's own (l.262)
    ("1612", "BREAST", "exact"),
    # urinary bladder cancer, synonym "bladder cancer": main type Bladder Cancer has 16 rows in
    # 12 separate subtrees under BLADDER (l.465, Bladder/Urinary Tract Cancer), none holding
    # most of them (BLCA l.478 is one row): the tissue node, wider than the disease
    ("11054", "BLADDER", "broader"),
    # ovarian melanoma: is_a ovarian cancer only; a melanoma is not an epithelial tumour, so
    # not OVT: the node that holds all ovarian cancers, OVARY (l.3)
    ("0050928", "OVARY", "broader"),
    # colon cancer: is_a colorectal cancer; xref NCI:C9242 is in no OncoTree row; a colon
    # cancer need not be an adenocarcinoma (CMC, l.397), so BOWEL (l.386), not COADREAD
    ("219", "BOWEL", "broader"),
]


@pytest.mark.parametrize(("doid", "code", "precision"), CANCER_TYPE_CASES)
def test_cancer_type_node_preferred_over_tissue_node(mapper, doid, code, precision):
    m = mapper.map(doid)
    assert (m.code, m.precision) == (code, precision)


def test_obo_input_is_accepted(shared_data, tmp_path):
    for name in ("DO_NCIthesaurus_subset.obo", "DO_cancer_slim.obo"):
        (tmp_path / name).symlink_to(shared_data / "disease_ontology" / name)
    do = D.DiseaseOntology.from_folder(tmp_path)
    assert len(do.terms) == 4864  # union of the two subsets, as doid_xrefs.tsv counts
    assert do.version == "doid/releases/2026-07-31/subsets/NCIthesaurus.obo"
    assert "C3224" in do.terms["DOID:1909"].nci
    assert do.canonical("715") == "DOID:5603"


def test_load_emits_neoplasm_branch_with_mapping(shared_data):
    res = D.load(shared_data)
    diseases = [n for n in res.nodes if n.label == Label.DISEASE]
    # 2,800 terms below "disease of cellular proliferation" + 138 ancestors outside it
    assert res.loaded["disease terms"] == len(diseases) == 2938
    assert res.skipped["terms outside the neoplasm branch (not emitted)"] == 11454 - 2800
    # Before cancer types were preferred to tissue nodes: 522 exact, 1412 by an ancestor (now
    # all ``broader``). Since: 4 exact terms are ``close`` (colorectal, ovarian, endometrial
    # cancer as in CANCER_TYPE_CASES; thymus cancer, synonym "thymic tumor" → TET l.348, 3 of
    # the 4 Thymic Tumor rows, under THYMUS l.347, Thymic Cancer) and 3 are ``broader`` (urinary
    # bladder cancer as above; vaginal cancer → VULVA, Vaginal Cancer's 3 rows in 3 subtrees;
    # anus cancer → BOWEL, Anal Cancer's 2 rows AGA l.398 and ANSC l.392).
    assert res.loaded["mapped to OncoTree (exact)"] == 522 - 4 - 3
    assert res.loaded["mapped to OncoTree (close)"] == 4
    assert res.loaded["mapped to OncoTree (broader)"] == 1412 + 3
    assert res.loaded["not mapped"] == 1004
    mel = next(n for n in diseases if n.id == "DOID:1909")
    assert mel.props["mapping_precision"] == "exact" and mel.props["oncotree"] == "MEL"
    maps = {(e.src, e.dst) for e in res.edges if e.rel == Rel.MAPS_TO}
    assert ("DOID:1909", "oncotree:MEL") in maps
    tumour_ids = {n.id for n in res.nodes if n.label == Label.TUMOUR_TYPE}
    assert {dst for _, dst in maps} <= tumour_ids  # MAPS_TO never dangles
