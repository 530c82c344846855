"""Helpers behind the pages: identifier links (kg.links), the private label
(kg.stores.selection), neighbourhood walks (queries.neighbourhood) and drawing (ui.render)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import FIXTURES, MINI, build_from

from kg.links import first_nct, link_for
from kg.stores.selection import private_label
from queries.estimates import clopper_pearson_many
from queries.neighbourhood import neighbourhood, search_nodes
from ui import render

COMMITTEE = FIXTURES / "ui" / "committee_cohorts.csv"


@pytest.fixture(scope="module")
def art(tmp_path_factory):
    return build_from(MINI, tmp_path_factory.mktemp("ui-data"), cohort_tables=[COMMITTEE])


@pytest.mark.parametrize(("curie", "url"), [
    ("pubmed:26287849", "https://pubmed.ncbi.nlm.nih.gov/26287849"),  # = the RDF IRI
    ("HGNC:1097", "http://identifiers.org/hgnc/1097"),  # = the RDF IRI
    ("gene:R683.", None),  # not an identifier: never a link
    ("doi:10.1056/NEJMoa1502309", "https://doi.org/10.1056/NEJMoa1502309"),
    ("NCT02925234", "https://www.clinicaltrials.gov/study/NCT02925234"),
    ("civic.eid:1409", "https://civicdb.org/links/evidence/1409"),
    ("https://example.org/x", "https://example.org/x"),
    ("cgi:abc123", None),  # bioregistry has no cgi prefix: no link rather than a wrong one
    (None, None),
    ("", None),
])
def test_link_for(curie, url):
    assert link_for(curie) == url


def test_origin_marks_private_rows():
    assert private_label("committee:t.csv", True) == "🔒 private · committee:t.csv"
    assert private_label("curated", False) == "curated"
    assert private_label("curated", pd.NA) == "curated"


def test_first_nct():
    assert first_nct("EudraCT 2015-1; NCT02925234;NCT1") == "NCT02925234"
    assert first_nct(None) is None


def test_exact_ci_matches_known_clopper_pearson():
    low, high = clopper_pearson_many(pd.Series([0, 8]), pd.Series([10, 19]))
    assert low[0] == 0 and high[0] == pytest.approx(0.3085, abs=1e-4)
    assert low[1] == pytest.approx(0.2025, abs=1e-4) and high[1] == pytest.approx(0.6650, abs=1e-4)


def test_neighbourhood_cap_keeps_closest(art):
    nodes, edges, total = neighbourhood(art, "alt:BRAF:V600", depth=2, max_nodes=5)
    assert total > 5 and len(nodes) == 5
    assert nodes["hops"].tolist() == sorted(nodes["hops"].tolist())
    assert set(edges["src"]) | set(edges["dst"]) <= set(nodes["id"])


def test_search_says_when_it_hit_its_cap(art):
    """"a" occurs in many names and ids of the mini graph: the cap is reported, not hidden."""
    hits, total = search_nodes(art, "a", limit=3)
    assert len(hits) == 3 and total > 3


def test_network_html_escapes_markup(art):
    nodes, edges, _ = neighbourhood(
        art, "cohort:DRUP:committee-vemurafenib-braf-v600e:coadread", depth=1)
    html = render.network_html(nodes, edges)
    assert "<script>alert(1)" not in html
    assert "\\u003cscript\\u003ealert(1)" in html
    assert "https://cdn" not in html  # vis-network inlined, Bootstrap dropped: draws offline


def test_no_pages_folder_beside_the_entry_script():
    """Streamlit runs a legacy multipage app, ignoring st.navigation, whenever a pages/ folder
    sits beside the entry script: the sidebar controls and page titles would vanish."""
    from pathlib import Path

    ui_dir = Path(render.__file__).parent
    assert (ui_dir / "app.py").exists()
    assert not (ui_dir / "pages").exists(), "move page scripts to ui/views/"
