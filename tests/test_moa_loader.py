"""MOAlmanac (optional, GPL-2.0 research-only) on the real snapshot: counts, OncoTree history,
alteration ids shared with the curated scheme, a known FDA fact, and the optional registry path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.build import build
from kg.errors import ValidationFailed
from loaders import moalmanac
from loaders.curated import CuratedLoader
from loaders.normalise.genes import gene_resolver, hgnc_file
from loaders.registry import SOURCES, BuildOptions, selected

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def result(shared_data):
    return moalmanac.load(shared_data, MINI)


@pytest.fixture(scope="module")
def artefact(result, tmp_path_factory):
    return build(CuratedLoader(MINI).load() + [result], tmp_path_factory.mktemp("moa"))


def test_counts(result):
    """1,018 assertions, 3 deprecated (ids 58, 882, 936) skipped, 1,015 loaded."""
    assert result.loaded["assertions read"] == 1018
    assert dict(result.skipped) == {"deprecated in MOAlmanac": 3}
    assert result.loaded["evidence assertions"] == 1015
    ids = {n.id for n in result.nodes if n.id.startswith("moa:")}
    assert len(ids) == 1015 and not ids & {"moa:58", "moa:882", "moa:936"}
    assert result.loaded["assertions without a therapy (prognostic/diagnostic)"] == 219
    assert result.source.licence.startswith("GPL-2.0")
    assert result.source.files[0].rows == 1018


def test_oncotree_2021_codes_resolved(result):
    """941 current codes, 20 renamed (MM, BALL, TALL, LEUK), 10 split (ALL → BLL + TLL),
    40 'Any solid tumor' → root, 4 unmapped (MLN and 3 without disease): 1,011 of 1,015
    assertions (99.6 %) reach OncoTree."""
    got = {k: v for k, v in result.loaded.items() if k.startswith("tumour")}
    assert got == {"tumour code exact": 941, "tumour code renamed": 20, "tumour code split": 10,
                   "tumour: any solid tumour → OncoTree root (broader)": 40,
                   "tumour unmapped (evidence kept)": 4}
    tumour_of: dict[str, set[str]] = {}
    for e in result.edges:
        if e.rel == "IN_TUMOUR":
            tumour_of.setdefault(e.src, set()).add(e.dst)
    assert len(tumour_of) == 1011
    data = json.loads((Path(result.source.files[0].path)).read_text())
    by_code = {}
    for rec in data:
        if not rec["_deprecated"]:
            by_code.setdefault(rec["oncotree_code"], []).append(f"moa:{rec['assertion_id']}")
    expected = {"ALL": {"oncotree:BLL", "oncotree:TLL"}, "BALL": {"oncotree:BLL"},
                "TALL": {"oncotree:TLL"}, "LEUK": {"oncotree:MNM"}, "MM": {"oncotree:PCM"}}
    for old, new in expected.items():
        for eid in by_code[old]:
            assert tumour_of[eid] == new, (old, eid)
    assert all(eid not in tumour_of for eid in by_code["MLN"])


def test_braf_v600e_dabrafenib_trametinib_melanoma(artefact):
    """FDA approval of dabrafenib + trametinib for BRAF V600E melanoma (assertion 145)."""
    node = artefact.node("moa:145")
    assert node["source_level"] == "FDA-Approved" and node["common_tier"] == "A"
    assert node["direction"] == "supports" and node["significance"] == "Sensitivity/Response"
    nb = artefact.neighbours("moa:145")
    edges = set(zip(nb["rel"], nb["other"], strict=True))
    assert ("FOR_ALTERATION", "alt:BRAF:V600E") in edges
    assert ("IN_TUMOUR", "oncotree:MEL") in edges
    # NCIt codes from therapy_name_mappings: dabrafenib C82386, trametinib C77908
    assert ("FOR_REGIMEN", "regimen:NCIT:C77908+NCIT:C82386") in edges
    inc = artefact.edges("INCLUDES")
    members = set(inc[inc["src"] == "regimen:NCIT:C77908+NCIT:C82386"]["dst"])
    assert members == {"NCIT:C77908", "NCIT:C82386"}
    # same alteration id as the curated scheme: V600E → V600 → mutation → BRAF
    isa = artefact.edges("IS_A")
    pairs = set(zip(isa["src"], isa["dst"], strict=True))
    assert {("alt:BRAF:V600E", "alt:BRAF:V600"), ("alt:BRAF:V600", "alt:BRAF:mutation"),
            ("alt:BRAF:mutation", "alt:BRAF")} <= pairs
    # the curated mini fixture's BRAF V600E node merged with MOAlmanac's
    alt = artefact.node("alt:BRAF:V600E")
    assert set(alt["source"].split(";")) == {"curated", "moalmanac"}


def test_feature_types_become_curated_ids(shared_data):
    genes = gene_resolver(hgnc_file(shared_data / "hgnc"))
    cases = {
        "cn": {"feature_type": "Copy Number", "gene": "HER2", "direction": "Amplification"},
        "fusion": {"feature_type": "Rearrangement", "gene1": "EML4", "gene2": "ALK"},
        "fusion1": {"feature_type": "Rearrangement", "gene1": "NTRK1", "gene2": ""},
        "msi": {"feature_type": "Microsatellite Stability", "status": "MSI-High"},
        "tmb": {"feature_type": "Mutational Burden", "classification": "High"},
        "sig": {"feature_type": "Mutational Signature", "cosmic_signature": "SBS3"},
        "nonsense": {"feature_type": "Germline Variant", "gene": "BRCA2", "protein_change": "",
                     "variant_annotation": "Nonsense"},
    }
    keys = {k: moalmanac.feature_alteration(v, genes)[0].key for k, v in cases.items()}
    assert keys == {"cn": "ERBB2:amplification", "fusion": "EML4::ALK",
                    "fusion1": "NTRK1:fusion", "msi": "MSI-H", "tmb": "TMB-H",
                    "sig": "COSMIC-SBS3", "nonsense": "BRCA2:truncating-mutation"}


def test_sensitivity_zero_keeps_direction(result):
    """17 assertions say the feature does NOT predict sensitivity: kept as such."""
    neg = [n for n in result.nodes if n.id.startswith("moa:")
           and n.props["direction"] == "does not support"]
    assert len(neg) == 17
    assert {n.props["significance"] for n in neg} == {"Sensitivity/Response"}


def test_optional_in_registry(shared_data):
    entry = next(e for e in SOURCES if e.name == "moalmanac")
    assert entry.optional and "GPL-2.0" in entry.licence
    default = [e.name for e in selected(BuildOptions(source_dir=shared_data))]
    assert "moalmanac" not in default
    asked = [e.name for e in selected(BuildOptions(source_dir=shared_data,
                                                   sources=("moalmanac",)))]
    assert asked == ["curated", "moalmanac"]


def test_bad_json_names_the_file(tmp_path):
    bad = tmp_path / "molecular-oncology-almanac.json"
    bad.write_text('[{"assertion_id": 1}]')
    with pytest.raises(ValidationFailed, match=r"molecular-oncology-almanac.json.*feature_type"):
        moalmanac.read_assertions(bad)
