"""Pooled totals of the three groups the overlap issue named, added up by hand from data rows.

Each docstring lists the data/cohorts.csv rows (result_id: n_evaluable / n_response) that may
enter the pool, why each left-out row is left out (data/overlaps.csv or a flag), and the sums
worked by hand. The code under test only has to agree.
"""

from __future__ import annotations

from queries.pooled import pooled

DAB_TRAM = "regimen:NCIT:C77908+NCIT:C82386"


def _totals(p) -> tuple[int, int]:
    h = p.attrs["header"]
    return h["pooled_n"], h["pooled_k"]


def _left_out(p) -> set[str]:
    return {r["unit"].removeprefix("cohort:")
            for r in p.attrs["header"]["units_left_out_shared_patients"]}


def test_trk_inhibitors_in_ntrk_fusions(bundled_artefact):
    """Pooled (ORR, any tumour type):
    ADVL1823 infantile-fibrosarcoma@2025 18/17; ADVL1823 other-solid@2025 15/9;
    ENTRECTINIB-INTEGRATED ntrk:nsclc@2019 10/7 and the rest of its arm ntrk@2022 121/74, i.e.
    121 - 10 = 111 / 74 - 7 = 67; ENTRECTINIB-PAEDIATRIC@2022 33/23;
    LAROTRECTINIB-POOLED cns:hgg@2021 19/5, cns:lgg@2021 8/3, cns:paediatric@2019 11/5 (RANO),
    expanded-non-cns@2022 244/168; TRIDENT-1 ntrk-tki-pretreated@2024 48/24.
    n = 18+15+10+111+33+19+8+11+244+48 = 517; k = 17+9+7+67+23+5+3+5+168+24 = 328.
    Left out, contained in expanded-non-cns (overlaps.csv): primary-set 55, paediatric-non-cns
    34, lung 15, salivary 25, thyroid strata 7 + 21, adult-sarcoma 36, sarcoma-review-table 71,
    NAVIGATE GI 43; contained in ENTRECTINIB-INTEGRATED ntrk: ntrk-sarcoma 13.
    Listed, not pooled: TRIDENT-1 ntrk-tki-naive 40/23 (first line beside pretreated).
    Before the overlap relation the same query pooled 771 patients, 524 responders."""
    p = pooled(bundled_artefact, drug_class="TRK inhibitor", alteration="alt:NTRK:fusion",
               tumour_type="TISSUE")
    assert _totals(p) == (517, 328)
    assert {"LAROTRECTINIB-POOLED:primary-set", "LAROTRECTINIB-POOLED:paediatric-non-cns",
            "NAVIGATE:larotrectinib-ntrk-gi"} <= _left_out(p)


def test_pd1_pdl1_inhibitors_in_msi_h(bundled_artefact):
    """Pooled (ORR by standard criteria, any tumour type):
    AVELUMAB-ENDOMETRIAL-P2@2019 15/4; CHECKMATE-142 nivolumab pretreated@2017 74/23;
    DRUP durvalumab-msi@2023 24/7; DRUP nivolumab-msi@2019 30/12 (its 2024 report has no
    counts); FDA-PEMBROLIZUMAB-MSI-H crc@2017 90/32; GARNET dmmr-solid@2023 327/144;
    KEYNOTE-158 noncrc@2025 373/126; KEYNOTE-164 cohort-b@2023 63/22; NCI-MATCH z1d@2020 42/15;
    RATIONALE-209 gynaecologic@2022 17/9.
    n = 15+74+24+30+90+327+373+63+42+17 = 1055; k = 4+23+7+12+32+144+126+22+15+9 = 394.
    Left out (overlaps.csv): KEYNOTE-158 endometrial cohorts D+K 90 (in the non-CRC set), the
    FDA pool's non-CRC 59, GARNET's FDA set 209 and cohort A1 (in dMMR-solid), KEYNOTE-164
    cohort A 61 and Le 2015 10 (in the FDA CRC pool).
    Listed, not pooled: nivolumab + ipilimumab first line (another regimen class), dostarlimab
    rectal 49/49 (clinical complete response, neoadjuvant), durvalumab endometrial 36/17
    (iRECIST: another response criterion).
    Before: 1126 patients, 430 responders."""
    p = pooled(bundled_artefact, drug_class="PD-1/PD-L1 inhibitor", alteration="alt:MSI-H",
               tumour_type="TISSUE")
    assert _totals(p) == (1055, 394)
    assert "KEYNOTE-158:pembrolizumab-msi-h-endometrial-cohorts-d-k" in _left_out(p)
    flagged = p.set_index("unit").loc["cohort:DOSTARLIMAB-DMMR-RECTAL:dostarlimab-dmmr-rectal"]
    assert not flagged["pooled"] and "clinical-complete-response" in flagged["flags"]


def test_dabrafenib_trametinib_in_braf_v600(bundled_artefact):
    """Pooled (ORR by standard criteria, any tumour type):
    BRF113928 NSCLC naive (undated) 36/22 and pretreated@2016 57/36; CDRB436G2201 LGG (undated,
    RANO) 73/34; COMBI-MB cohorts A-D@2017 76/44, 16/9, 16/7, 17/10; dabrafenib + trametinib
    CRC@2015 43/5; NCI-MATCH H@2020 29/11; ROAR asi 3/2, atc 36/20, btc 43/23, gist 1/0, lgg
    13/7@2023, hgg-glioblastoma@2022 31/10 and the rest of ROAR hgg@2023 45/15, i.e.
    45 - 31 = 14 / 15 - 10 = 5; Bouffet paediatric glioma@2023 36/9 (RANO).
    n = 36+57+73+76+16+16+17+43+29+3+36+43+1+31+13+14+36 = 540;
    k = 22+36+34+44+9+7+10+5+11+2+20+23+0+10+7+5+9 = 254.
    Left out (overlaps.csv): the FDA adult pool 131 (ROAR strata + NCI-MATCH H count more
    patients) and the FDA paediatric pool 36 (overlaps Bouffet's glioma cohort: "probably the
    same 36 patients").
    Listed, not pooled: ROAR hairy-cell leukaemia 55/49 (haematological response), CDRB436G2201
    HGG 41/23 (pretreated beside first line).
    Before: 726 patients, 357 responders."""
    p = pooled(bundled_artefact, regimen=DAB_TRAM, alteration="alt:BRAF:V600",
               tumour_type="TISSUE")
    assert _totals(p) == (540, 254)
    assert "FDA-BRAF-AGNOSTIC-ADULT:dabrafenib-trametinib-braf-v600e" in _left_out(p)
