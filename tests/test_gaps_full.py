"""Gaps and candidates on the full graph (curated tables + the knowledgebases in shared data):
a tumour type a group already tested, coarser or finer, is not proposed again."""

from __future__ import annotations

import pytest

from kg.build import build
from kg.stores.cypher_engines import LadybugEngine
from kg.stores.ladybug import export_ladybug
from loaders.registry import BuildOptions, selected
from queries.cypher_library import load
from queries.gaps import candidate_cohorts

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def full(shared_data, tmp_path_factory):
    opts = BuildOptions(source_dir=shared_data)
    results = [r for entry in selected(opts) for r in entry.load(opts)]
    return build(results, tmp_path_factory.mktemp("full"))


def test_kras_g12c_gaps_leave_out_colorectal_and_lung(full, tmp_path):
    """data/cohorts.csv has KRAS G12C cohorts coded COADREAD (CodeBreaK 300, KRYSTAL-1 CRC) and
    NSCLC (CodeBreaK 100, KRYSTAL-1 NSCLC). CIViC files colorectal KRAS G12C items under
    "colorectal cancer" (now COADREAD) and lung items under "lung cancer" (LUNG, above NSCLC):
    neither is a gap. Plasma cell myeloma evidence (CGI) has no cohort, so it stays one."""
    path = tmp_path / "g.lbug"
    export_ladybug(full, path)
    engine = LadybugEngine(path)
    q = load("gap_tumour_types")
    rows = engine.run(q.text, {"alteration": "alt:KRAS:G12C"}).rows
    gaps = {r[0] for r in rows}
    assert "oncotree:COADREAD" not in gaps and "oncotree:BOWEL" not in gaps
    assert "oncotree:LUNG" not in gaps and "oncotree:NSCLC" not in gaps
    assert "oncotree:PCM" in gaps


def test_a_histology_under_a_tested_tissue_is_not_a_candidate(full):
    """ROAR's biliary cohort (data/cohorts.csv ROAR:dabrafenib-trametinib-braf-v600e:btc, 23/43)
    is coded BILIARY_TRACT; CIViC's cholangiocarcinoma items sit below it (CHOL, main type
    Hepatobiliary Cancer). Dabrafenib + trametinib in BRAF V600 biliary cancer is tested, so no
    Hepatobiliary candidate may be proposed for that group."""
    c = candidate_cohorts(full)
    mine = c[(c["treatment_group"] == "BRAF inhibitor + MEK inhibitor")
             & (c["alteration_group"] == "alt:BRAF:V600")]
    assert len(mine) > 0
    assert "Hepatobiliary Cancer" not in set(mine["histology_name"])
