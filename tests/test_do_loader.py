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
    assert (her2.code, her2.precision, her2.via) == ("BREAST", "ancestor-1", "DOID:1612")
    assert mapper.map("3883").precision == "unmapped"  # Lynch syndrome: no tumour type


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
    assert (res.loaded["mapped to OncoTree (exact)"] + res.loaded["mapped to OncoTree (ancestor)"]
            + res.loaded["not mapped"]) == len(diseases)
    mel = next(n for n in diseases if n.id == "DOID:1909")
    assert mel.props["mapping_precision"] == "exact" and mel.props["oncotree"] == "MEL"
    maps = {(e.src, e.dst) for e in res.edges if e.rel == Rel.MAPS_TO}
    assert ("DOID:1909", "oncotree:MEL") in maps
    tumour_ids = {n.id for n in res.nodes if n.label == Label.TUMOUR_TYPE}
    assert {dst for _, dst in maps} <= tumour_ids  # MAPS_TO never dangles
