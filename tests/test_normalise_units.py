"""Normaliser unit tests: hand-computed answers for genes, alterations, drugs and tiers."""

from __future__ import annotations

import pytest

from loaders.normalise.alterations import parse_alteration, signature
from loaders.normalise.drugs import DrugInfo, DrugNormaliser, normalise_name, regimen_props
from loaders.normalise.genes import GeneResolver, gene_resolver, hgnc_file
from loaders.normalise.tiers import common_tier, direction


@pytest.fixture(scope="module")
def genes(shared_data) -> GeneResolver:
    return gene_resolver(hgnc_file(shared_data / "hgnc"))


def keys(spec) -> list[str]:
    return [s.key for s in spec.lineage()]


# ---------------------------------------------------------------- genes
def test_her2_alias_resolves_to_erbb2(genes):
    rec = genes.resolve("HER2")
    assert (rec.hgnc_id, rec.symbol, rec.entrez) == ("HGNC:3430", "ERBB2", "2064")
    assert genes.resolve("her2") == rec  # case does not matter


def test_previous_symbols_and_entrez_resolve(genes):
    assert genes.resolve("MLL").symbol == "KMT2A"  # previous symbol
    assert genes.resolve("H3F3A").symbol == "H3-3A"
    assert genes.resolve(entrez="673").hgnc_id == "HGNC:1097"  # BRAF by Entrez
    assert genes.resolve("NOT_A_GENE_123") is None


def test_official_hgnc_layout_is_read(tmp_path):
    """genenames.org's hgnc_complete_set.txt: lower-case headers, '|'-separated aliases."""
    path = tmp_path / "hgnc_complete_set.txt"
    path.write_text("hgnc_id\tsymbol\tname\tstatus\talias_symbol\tprev_symbol\tentrez_id\n"
                    "HGNC:3430\tERBB2\terb-b2 receptor tyrosine kinase 2\tApproved\t"
                    "\"NEU|HER-2|HER2\"\t\"NGL\"\t2064\n")
    r = GeneResolver.from_file(path)
    assert r.resolve("HER2").hgnc_id == "HGNC:3430"
    assert r.resolve("NGL").symbol == "ERBB2"
    assert r.resolve(entrez="2064").symbol == "ERBB2"


def test_a_non_hgnc_file_is_refused(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("a\tb\n1\t2\n")
    with pytest.raises(ValueError, match="not an HGNC file"):
        GeneResolver.from_file(path)


# ---------------------------------------------------------------- alterations
def test_v600e_equals_p_val600glu_and_has_the_curated_lineage():
    a, b = parse_alteration("V600E", "BRAF"), parse_alteration("p.Val600Glu", "BRAF")
    assert a.id == b.id == "alt:BRAF:V600E"
    assert a.hgvs_p == "p.Val600Glu" and a.protein_change == "V600E"
    assert keys(a) == ["BRAF:V600E", "BRAF:V600", "BRAF:mutation", "BRAF"]
    assert [s.level for s in a.lineage()] == ["variant", "codon", "kind", "gene"]


def test_codon_exon_and_cna_levels(genes):
    assert parse_alteration("V600", "BRAF").id == "alt:BRAF:V600"
    # spelled as in data/alterations.csv (ERBB2:exon20, EGFR:exon20ins, MET:exon14-skipping)
    assert keys(parse_alteration("EXON 19 DELETION", "EGFR")) == [
        "EGFR:exon19del", "EGFR:exon19", "EGFR:mutation", "EGFR"]
    assert parse_alteration("exon 20 insertion", "EGFR").id == "alt:EGFR:exon20ins"
    assert parse_alteration("EXON 20 MUTATION", "ERBB2").id == "alt:ERBB2:exon20"
    assert parse_alteration("EXON 14 SKIPPING MUTATION", "MET").id == "alt:MET:exon14-skipping"
    amp = parse_alteration("AMPLIFICATION", "HER2", genes)
    assert (amp.id, amp.kind, amp.gene_id) == ("alt:ERBB2:amplification", "amplification",
                                               "HGNC:3430")
    assert parse_alteration("ERBB2:amp").id == "alt:ERBB2:amplification"
    assert parse_alteration("DELETION", "CDKN2A").kind == "deletion"
    assert parse_alteration("WILD TYPE", "KRAS").parents == ()  # wild type is no alteration


def test_fusions_with_partners_in_either_notation(genes):
    v1 = parse_alteration("EML4-ALK", "ALK", genes)
    v2 = parse_alteration("EML4::ALK Fusion", None, genes)
    assert v1 == v2
    assert v1.id == "alt:EML4::ALK" and v1.kind == "fusion"
    assert {p.key for p in v1.parents} == {"ALK:fusion", "EML4:fusion"}
    assert parse_alteration("BCR-ABL", "ABL1", genes).id == "alt:BCR::ABL1"  # ABL → ABL1
    assert parse_alteration("ALK FUSIONS", "ALK", genes).id == "alt:ALK:fusion"
    t315i = parse_alteration("BCR-ABL T315I", "ABL1", genes)
    assert {p.id for p in t315i.parents} == {"alt:ABL1:T315I", "alt:BCR::ABL1"}


def test_signatures_are_gene_less():
    for text in ("MSI-H", "MSI-High", "microsatellite instability-high", "dMMR"):
        s = parse_alteration(text)
        assert (s.id, s.gene, s.parents) == ("alt:MSI-H", None, ())
    assert signature("TMB-H").id == "alt:TMB-H"
    assert signature("high TMB").id == "alt:TMB-H"


def test_other_spellings(genes):
    assert parse_alteration("V555_V559DEL", "KIT").id == "alt:KIT:V555_V559del"
    assert parse_alteration("H191FS (c.571delC)", "TP53").id == "alt:TP53:H191fs"
    assert parse_alteration("S65W (c.194C>G)", "GNAS").id == "alt:GNAS:S65W"
    assert parse_alteration("R175*", "TP53").hgvs_p == "p.Arg175Ter"
    assert parse_alteration("p.Arg175Ter", "TP53").id == "alt:TP53:R175*"
    assert parse_alteration("TKD MUTATION", "FLT3").id == "alt:FLT3:tkd-mutation"
    assert parse_alteration("R135FSX177", "RUNX1").id == "alt:RUNX1:R135fs"
    assert parse_alteration("V769_770insASV", "EGFR").id == "alt:EGFR:V769_770insASV"
    in_fusion = parse_alteration("ALK FUSION G1202R", "ALK")
    assert {p.id for p in in_fusion.parents} == {"alt:ALK:G1202R", "alt:ALK:fusion"}
    both = parse_alteration("EGFR L858R AND EGFR T790M", None, genes)
    assert {p.id for p in both.parents} == {"alt:EGFR:L858R", "alt:EGFR:T790M"}


def test_unparsed_text_is_kept_under_its_gene():
    s = parse_alteration("c.341-59_341-14del", "PTEN")
    assert (s.id, s.parsed, [p.key for p in s.parents]) == ("alt:PTEN:c.341-59_341-14del", False,
                                                            ["PTEN"])
    assert parse_alteration("Non-V600", "BRAF").id == "alt:BRAF:non-V600"  # as curated


# ---------------------------------------------------------------- drugs
def test_drug_salts_and_case_are_normalised():
    assert normalise_name("Imatinib Mesylate") == "imatinib"
    assert normalise_name("Trametinib Dimethyl Sulfoxide") == "trametinib"
    assert normalise_name("Pictilisib Bismesylate") == "pictilisib"
    assert normalise_name("  Erlotinib   Hydrochloride ") == "erlotinib"
    assert normalise_name("Trastuzumab Emtansine") == "trastuzumab emtansine"


def test_drug_codes_from_curated_table_and_moa_crosswalk(shared_data, tmp_path):
    curated = tmp_path / "drugs.csv"
    curated.write_text("name,ncit,rxnorm,drug_class,targets,synonyms,source\n"
                       "vemurafenib,C64768,1147220,BRAF inhibitor,BRAF,Zelboraf,test\n")
    drugs = DrugNormaliser.from_files(curated, shared_data / "moalmanac" /
                                      "therapy_crosswalk.tsv")
    assert drugs.lookup("Zelboraf").id == "NCIT:C64768"  # brand → generic via synonyms
    assert drugs.lookup("VEMURAFENIB").drug_class == "BRAF inhibitor"
    assert drugs.lookup("Imatinib Mesylate").id == drugs.lookup("imatinib").id == "NCIT:C62035"
    assert drugs.lookup("Unknown Compound X-1").id == "drug:unknown-compound-x-1"


def test_regimen_matches_the_curated_loader():
    a, b = DrugInfo("trametinib", "C77908"), DrugInfo("dabrafenib", "C82386")
    assert regimen_props([a, b]) == {"name": "trametinib + dabrafenib", "drug_classes": None,
                                     "n_drugs": 2}


# ---------------------------------------------------------------- tiers
def test_common_tier_across_sources():
    assert [common_tier("civic", x) for x in "ABCDE"] == ["A", "B", "C", "D", "E"]
    assert common_tier("moa", "FDA-Approved") == common_tier("moa", "Guideline") == "A"
    assert common_tier("moa", "Clinical trial") == "B"
    assert common_tier("moa", "Clinical evidence") == "C"
    assert common_tier("cgi", "NCCN guidelines") == "A"
    assert common_tier("cgi", "Early trials") == "B"
    assert common_tier("cgi", "Pre-clinical") == "D"
    assert common_tier("amp", "Tier I - Level A") == "A"
    assert common_tier("civic", "Z") is None


def test_does_not_support_keeps_its_direction():
    assert direction("Does Not Support") == "does not support"
    assert direction("Supports") == "supports"
    assert direction("N/A") is None
