"""CGI biomarkers on the real snapshots: counts, skips, OncoTree share, known facts."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kg.build import build
from kg.errors import ValidationFailed
from kg.schema import Rel
from loaders import cgi
from loaders.curated import CuratedLoader
from loaders.fetch import fetch
from loaders.normalise.genes import gene_resolver, hgnc_file
from loaders.oncotree import oncotree
from loaders.registry import DATA_DIR, BuildOptions, entry

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def result(shared_data):
    return cgi.load(shared_data, DATA_DIR)


@pytest.fixture(scope="module")
def artefact(shared_data, result, tmp_path_factory):
    return build(CuratedLoader(MINI).load() + [result], tmp_path_factory.mktemp("cgi"))


def test_newest_release_is_the_per_variant_file(shared_data):
    assert cgi.newest_release(shared_data / "cgi").name == "cgi_biomarkers_per_variant_2017-12.tsv"


def test_rows_statements_and_skips(result):
    """1,442 rows; 387 repeat a statement (per-variant expansion); of the 1,055 statements 403
    name only a drug class and 14 combine a drug with an unnamed class; 638 are loaded."""
    assert result.source.version == "2017-12"
    assert result.source.files[0].rows == 1442
    assert result.loaded["rows read"] == 1442
    assert dict(result.skipped) == {
        "row repeats a statement already loaded (per-variant expansion)": 387,
        "statement names a drug class, no drug": 403,
        "combination includes an unnamed drug class": 14,
    }
    assert result.loaded["evidence statements"] == 638
    assert sum(1 for n in result.nodes if n.id.startswith("cgi:")) == 638


def test_hand_checked_statement_braf_v600e_vemurafenib_cutaneous_melanoma(result):
    """Row read by eye: ``BRAF:V600E`` / Responsive / Vemurafenib / FDA guidelines / ``CM`` /
    source FDA; data/cgi_tumour_acronyms.csv maps CGI's CM (cutaneous melanoma) to SKCM, not
    OncoTree's CM (conjunctival)."""
    ev = [n for n in result.nodes if n.id.startswith("cgi:")
          and n.props["name"].startswith("BRAF (V600E) / Vemurafenib / CM ")]
    assert len(ev) == 1
    e = ev[0]
    assert (e.props["source_level"], e.props["common_tier"]) == ("FDA guidelines", "A")
    out = {(x.rel, x.dst) for x in result.edges if x.src == e.id}
    assert {(Rel.FOR_ALTERATION, "alt:BRAF:V600E"), (Rel.IN_TUMOUR, "oncotree:SKCM")} <= out
    assert (Rel.IN_TUMOUR, "oncotree:CM") not in out


def test_multi_variant_strings_are_variants_of_one_gene(result):
    """``JAK1:S646F;R683.`` (biomarker ``JAK1 (S646F;R683)``, one alteration type MUT) and
    ``MET:Y1230C;Y1235D`` list variants of one gene, not a second gene; ``RET:.918.`` is any
    change at codon 918 (rows read by eye in cgi_biomarkers_per_variant_2017-12.tsv)."""
    ids = {n.id for n in result.nodes}
    assert {"alt:JAK1:S646F", "alt:JAK1:R683", "alt:MET:Y1230C", "alt:MET:Y1235D",
            "alt:RET:918"} <= ids
    assert not {"gene:R683.", "gene:R683", "gene:Y1235D"} & ids


def test_share_mapped_to_oncotree(result):
    """698 of 701 tumour mentions map (3 unmapped: HEMATO twice, FH once); 635 of 638
    statements (99.5 %) reach at least one OncoTree node."""
    assert result.loaded["tumour acronyms mapped to OncoTree"] == 698
    assert result.loaded["tumour acronyms unmapped (evidence kept)"] == 3
    assert cgi.tumour_mapping_share(result) == pytest.approx(635 / 638)
    evidence = {n.id: n for n in result.nodes if n.id.startswith("cgi:")}
    unmapped = [n for n in evidence.values() if n.props["mapping_precision"] == "unmapped"]
    assert sorted(n.props["disease_name"] for n in unmapped) == [
        "Fibrous histiocytoma", "Hematologic malignancies", "Hematologic malignancies"]


def test_alk_fusion_crizotinib_nsclc(artefact):
    ev = artefact.nodes("Evidence")
    hit = ev[ev["name"] == "ALK fusion / Crizotinib / NSCLC;LUAD (Responsive)"]
    assert len(hit) == 1
    row = hit.iloc[0]
    assert row["source_level"] == "FDA guidelines" and row["common_tier"] == "A"
    assert row["significance"] == "Sensitivity/Response"
    nb = artefact.neighbours(row["id"])
    targets = set(zip(nb["rel"], nb["other"], strict=True))
    assert ("FOR_ALTERATION", "alt:ALK:fusion") in targets
    assert ("IN_TUMOUR", "oncotree:NSCLC") in targets
    assert ("IN_TUMOUR", "oncotree:LUAD") in targets
    regimen = nb[nb["rel"] == "FOR_REGIMEN"]["other"].tolist()
    assert regimen == ["regimen:NCIT:C74061"]  # crizotinib, NCIt from data/drugs.csv
    # the fusion sits under the gene in the alteration hierarchy
    isa = artefact.edges("IS_A")
    assert ((isa["src"] == "alt:ALK:fusion") & (isa["dst"] == "alt:ALK")).any()


def test_combination_and_class_examples(artefact):
    ev = artefact.nodes("Evidence")
    fr = artefact.edges("FOR_REGIMEN")
    reg = artefact.nodes("Regimen").set_index("id")
    # "Dabrafenib;Trametinib" is one combination regimen of two drugs
    dt = ev[ev["name"].str.contains("/ Dabrafenib;Trametinib /", regex=False)]
    assert len(dt) >= 1
    rid = fr[fr["src"] == dt["id"].iloc[0]]["dst"].tolist()
    assert len(rid) == 1 and reg.loc[rid[0], "n_drugs"] == 2
    assert set(reg.loc[rid[0], "name"].split(" + ")) == {"dabrafenib", "trametinib"}
    # "[Nilotinib,Dasatinib]" = examples of a class: two single-agent regimens
    cls = ev[ev["name"].str.contains("[Nilotinib,Dasatinib]", regex=False)]
    assert len(cls) >= 1
    rids = fr[fr["src"] == cls["id"].iloc[0]]["dst"].tolist()
    assert len(rids) == 2 and all(reg.loc[r, "n_drugs"] == 1 for r in rids)


def test_acronyms_are_not_matched_as_oncotree_codes(result, shared_data):
    """CGI CM is cutaneous melanoma, MPN a nerve-sheath tumour: never OncoTree CM / MPN."""
    table = cgi.read_acronyms()
    assert table["CM"].code == "SKCM" and table["MPN"].code == "MPNST"
    tree = oncotree(shared_data / "oncotree")
    assert all(e.code in tree.nodes for e in table.values() if e.code)
    with open(shared_data / "cgi" / "cgi_biomarkers_per_variant_2017-12.tsv") as fh:
        used = {a for r in csv.DictReader(fh, delimiter="\t")
                for a in r["Primary Tumor acronym"].split(";")}
    assert used <= set(table)  # every acronym in the snapshot is in the table (89)
    assert len(used) == 89
    targets = {e.dst for e in result.edges if e.rel == Rel.IN_TUMOUR}
    assert "oncotree:CM" not in targets and "oncotree:MPN" not in targets
    assert "oncotree:SKCM" in targets and "oncotree:MPNST" in targets


def test_alteration_spellings(shared_data):
    genes = gene_resolver(hgnc_file(shared_data / "hgnc"))
    keys = {t: [s.key for s in cgi.parse_alteration(t, k, genes)[0]] for t, k in [
        ("BRAF:V600E", "MUT"), ("BRAF:V600.", "MUT"), ("KRAS:.", "MUT"), ("ERBB2:amp", "CNA"),
        ("CDKN2A:del", "CNA"), ("BCL2:over", "EXPR"), ("ALK__.", "FUS"), ("ABL1__BCR", "FUS"),
        ("EGFR:G719A,G719S", "MUT"), ("MET:amp;BRAF:V600E", "CNA;MUT"), ("PTEN:.", "BIA")]}
    assert keys == {
        "BRAF:V600E": ["BRAF:V600E"], "BRAF:V600.": ["BRAF:V600"], "KRAS:.": ["KRAS:mutation"],
        "ERBB2:amp": ["ERBB2:amplification"], "CDKN2A:del": ["CDKN2A:deletion"],
        "BCL2:over": ["BCL2:overexpression"], "ALK__.": ["ALK:fusion"],
        "ABL1__BCR": ["BCR::ABL1"], "EGFR:G719A,G719S": ["EGFR:G719A", "EGFR:G719S"],
        "MET:amp;BRAF:V600E": ["BRAF:V600E+MET:amplification"], "PTEN:.": ["PTEN:deletion"]}


def test_content_ids_are_stable(shared_data, result):
    again = cgi.load(shared_data, DATA_DIR)
    ids = sorted(n.id for n in result.nodes if n.id.startswith("cgi:"))
    assert ids == sorted(n.id for n in again.nodes if n.id.startswith("cgi:"))


def test_older_layout_2017_02(shared_data, tmp_path):
    """The February 2017 file (19 columns, acronyms in 'Primary Tumor type') loads too."""
    for folder in ("hgnc", "oncotree"):
        (tmp_path / folder).symlink_to(shared_data / folder, target_is_directory=True)
    (tmp_path / "cgi").mkdir()
    shutil.copy(shared_data / "cgi" / "cgi_biomarkers_20170208.tsv", tmp_path / "cgi")
    r = cgi.load(tmp_path, MINI)
    assert r.source.version == "2017-02"
    assert r.loaded["rows read"] == 1034
    stmts = r.loaded["evidence statements"]
    assert stmts + sum(r.skipped.values()) == 1034
    assert stmts > 500
    assert Counter(e.rel for e in r.edges)[Rel.IN_TUMOUR] > 0


def test_fetched_folder_gives_version_and_files(shared_data, tmp_path):
    """`kg fetch cgi --from` then the loader reads the cache folder like a snapshot."""
    cache = tmp_path / "cache"
    fetch("cgi", cache, from_path=shared_data / "cgi", release="2017-12")
    for folder in ("hgnc", "oncotree"):
        (cache / folder).symlink_to(shared_data / folder, target_is_directory=True)
    assert entry("cgi").available(BuildOptions(source_dir=cache))
    r = cgi.load(cache, MINI)
    assert r.source.version.startswith("2017-12")
    assert r.loaded["evidence statements"] == 638


def test_missing_columns_name_file_and_column(tmp_path):
    bad = tmp_path / "cgi_biomarkers_bad.tsv"
    bad.write_text("Alteration\tDrug\nBRAF:V600E\tVemurafenib\n")
    with pytest.raises(ValidationFailed) as exc:
        cgi.read_rows(bad)
    text = str(exc.value)
    assert "cgi_biomarkers_bad.tsv, row 1, field 'Association'" in text
    assert "field 'Primary Tumor acronym'" in text
