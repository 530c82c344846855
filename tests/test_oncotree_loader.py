"""OncoTree loader on the real 2025_10_03 snapshot: counts, xrefs, retired-code resolution."""

from __future__ import annotations

from collections import Counter

import pytest

from kg.schema import Label, Rel
from loaders import oncotree as O

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def tree(shared_data) -> O.OncoTree:
    return O.OncoTree.from_folder(shared_data / "oncotree")


def test_full_tree_counts(tree):
    assert len(tree.nodes) == 898
    levels = Counter(n.level for n in tree.nodes.values())
    assert levels == {0: 1, 1: 32, 2: 233, 3: 333, 4: 147, 5: 131, 6: 21}
    assert tree.version == "oncotree_2025_10_03"
    assert [f.rows for f in tree.files] == [898, 852]  # tree + ontology_mappings.txt


def test_node_fields_and_xrefs(tree):
    mel = tree.nodes["MEL"]
    assert (mel.name, mel.main_type, mel.tissue, mel.level, mel.parent) == (
        "Melanoma", "Melanoma", "Skin", 2, "SKIN")
    assert mel.nci == ["C3224"] and mel.umls == ["C0025202"]
    assert mel.icdo_morphology == ["8720/3"] and mel.hemonc == ["629"]  # from ontology_mappings
    assert tree.ancestors("SKCM") == ["MEL", "SKIN", "TISSUE"]
    assert sum(1 for n in tree.nodes.values() if n.history) == 19
    assert sum(1 for n in tree.nodes.values() if n.precursors) == 7
    assert sum(1 for n in tree.nodes.values() if n.revocations) == 8


def test_retired_codes_resolve_to_current_ones(tree):
    assert tree.resolve("ALL") == ["TLL", "BLL"]
    assert tree.resolve_one("ALL") == ("LNM", "common-ancestor")  # nearest node above both
    assert tree.resolve_one("BALL") == ("BLL", "renamed")
    assert tree.resolve_one("TALL") == ("TLL", "renamed")
    assert tree.resolve_one("LEUK") == ("MNM", "renamed")
    assert tree.resolve_one("MM") == ("PCM", "renamed")
    assert tree.resolve_one("MEL") == ("MEL", "current")
    assert tree.resolve_one("MLN") == (None, "unknown")  # no successor recorded upstream


def test_flat_tsv_gives_the_same_tree(shared_data, tmp_path):
    """The derived flat TSV and the official JSON (both without ontology_mappings) agree."""
    for name in ("oncotree_2025_10_03_flat.tsv", "oncotree_2025_10_03.json"):
        (tmp_path / name.split(".")[1]).mkdir()
        (tmp_path / name.split(".")[1] / name).symlink_to(shared_data / "oncotree" / name)
    flat = O.OncoTree.from_folder(tmp_path / "tsv")
    nested = O.OncoTree.from_folder(tmp_path / "json")
    assert flat.nodes == nested.nodes
    assert flat.version == nested.version == "oncotree_2025_10_03"


def test_load_emits_every_node_with_is_a_and_provenance(shared_data):
    res = O.load(shared_data)
    assert res.source.licence == "CC BY 4.0" and res.source.version == "oncotree_2025_10_03"
    assert len(res.nodes) == 898 and {n.label for n in res.nodes} == {Label.TUMOUR_TYPE}
    assert len(res.edges) == 897 and {e.rel for e in res.edges} == {Rel.IS_A}
    ids = {n.id for n in res.nodes}
    assert {"oncotree:TISSUE", "oncotree:MEL", "oncotree:NSCLC"} <= ids  # curated ids unchanged
    assert res.loaded["tumour types"] == 898
