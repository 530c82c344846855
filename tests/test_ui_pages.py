"""Every Streamlit page, driven through streamlit.testing's AppTest on a real built graph.

The graph is the mini fixture plus a committee (private) cohort table whose arm name carries
markup. Expected row counts are worked out by hand from tests/fixtures/mini/cohorts.csv and
tests/fixtures/ui/committee_cohorts.csv:

current reports: DRUP nivolumab MSI-H (2023 final), VE-BASKET BRAF V600 mixed, CRC, NSCLC,
committee BRAF V600E CRC (2024) = 5 rows.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from conftest import FIXTURES, MINI, build_from
from streamlit.testing.v1 import AppTest

from kg.artefact import Artefact
from queries.cohorts import current_results

APP = Path(__file__).resolve().parents[1] / "ui" / "app.py"
COMMITTEE = FIXTURES / "ui" / "committee_cohorts.csv"
MARKUP = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def ui_artefact(tmp_path_factory) -> Artefact:
    return build_from(MINI, tmp_path_factory.mktemp("ui"), cohort_tables=[COMMITTEE])


@pytest.fixture
def app(ui_artefact, monkeypatch) -> AppTest:
    monkeypatch.setenv("REDISCOVER_BUILD_DIR", str(ui_artefact.path.parent.parent))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame(at: AppTest, index: int = 0):
    return at.dataframe[index].value


def frame_with(at: AppTest, column: str):
    """The one table on the page that has ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"{len(found)} tables with {column}"
    return found[0]


def evidence_rows(at: AppTest) -> int:
    return len(frame(at))


# ---------------------------------------------------------------- overview
def test_overview_counts_and_private_label(app):
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Trials"] == "2"
    assert metrics["Cohorts"] == "6"
    assert metrics["Reports"] == "6"
    assert metrics["Cohorts with a current report"] == "5"
    by_trial = frame(app, 0)
    assert "🔒 private · committee:committee_cohorts.csv" in set(by_trial["source"])
    assert any("private" in i.value for i in app.info)


def test_overview_forest_plot_per_trial_gene_or_class(app):
    # Cohorts with counts: VE-BASKET CRC 0/10 and NSCLC 8/19; DRUP nivolumab MSI-H 12/28 and the
    # committee vemurafenib BRAF V600E CRC 2/8 (a DRUP cohort); the mixed VE arm has no counts.
    # Two trials with two cohorts each: the first by name, DRUP, is shown first.
    rates = frame(app, 3)
    assert sorted(rates["n_evaluable"]) == [8, 28]
    drup = rates[rates["n_evaluable"] == 28].iloc[0]
    assert drup["orr"] == pytest.approx(12 / 28)
    assert drup["ci_low"] == pytest.approx(0.2446, abs=1e-3)  # Clopper-Pearson 12/28
    app.selectbox(key="overview_group_trial").set_value("VE-BASKET").run()
    assert sorted(frame(app, 3)["n_evaluable"]) == [10, 19]
    app.radio(key="overview_by").set_value("gene").run()
    app.selectbox(key="overview_group_gene").set_value("BRAF").run()
    assert sorted(frame(app, 3)["n_evaluable"]) == [8, 10, 19]  # every BRAF cohort, 3 of 4


def test_overview_as_of_changes_counts(app):
    app.selectbox(key="as_of").set_value(2019).run()
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Cohorts with a current report"] == "4"  # committee 2024 row not yet known
    app.selectbox(key="overview_group_trial").set_value("Drug Rediscovery Protocol").run()
    rates = frame(app, 3)
    drup = rates[rates["trial_name"] == "Drug Rediscovery Protocol"]
    assert list(drup["n_evaluable"]) == [10]  # the 2019 interim, not the 2023 final
    assert any("As of 2019" in c.value for c in app.caption)


def test_overview_lists_sources_and_oncotree_licence(app):
    sources = frame(app, 4)
    assert set(sources["source"]) == {"curated", "committee:committee_cohorts.csv"}
    assert any("CC BY 4.0" in m.value and "OncoTree" in m.value for m in app.markdown)


# ---------------------------------------------------------------- evidence browser
def test_evidence_filters_change_rows(app):
    at = open_page(app, "evidence")
    assert evidence_rows(at) == 5
    at.multiselect(key="ev_trials").set_value(["trial:DRUP"]).run()
    assert evidence_rows(at) == 2
    at.multiselect(key="ev_trials").set_value([]).run()
    at.selectbox(key="ev_gene").set_value("BRAF").run()
    assert evidence_rows(at) == 4
    at.selectbox(key="ev_gene").set_value(None).run()
    at.selectbox(key="ev_drug").set_value("NCIT:C68814").run()  # nivolumab
    assert evidence_rows(at) == 1


def test_evidence_drug_class_and_source_filters(app):
    """The five current rows (tests/fixtures/mini/cohorts.csv + ui/committee_cohorts.csv):
    VE-BASKET crc, nsclc and the arm (vemurafenib), DRUP nivolumab 2023, and the committee's
    vemurafenib row. BRAF inhibitor (vemurafenib, mini/drugs.csv): 3 + 1 = 4 rows; PD-1/PD-L1
    inhibitor (nivolumab): 1; source committee:committee_cohorts.csv: 1, curated: 4."""
    at = open_page(app, "evidence")
    at.multiselect(key="ev_classes").set_value(["BRAF inhibitor"]).run()
    assert evidence_rows(at) == 4
    at.multiselect(key="ev_classes").set_value(["PD-1/PD-L1 inhibitor"]).run()
    assert evidence_rows(at) == 1
    at.multiselect(key="ev_classes").set_value([]).run()
    at.multiselect(key="ev_sources").set_value(["committee:committee_cohorts.csv"]).run()
    assert evidence_rows(at) == 1
    at.multiselect(key="ev_sources").set_value(["curated"]).run()
    assert evidence_rows(at) == 4


def test_evidence_alteration_hierarchy(app):
    at = open_page(app, "evidence")
    at.selectbox(key="ev_alteration").set_value("alt:BRAF:V600").run()
    rows = frame(at)
    assert len(rows) == 4  # three VE-BASKET rows + the committee V600E row below V600
    # A patient's V600E: the committee V600E cohort matches exactly, and the three VE-BASKET
    # cohorts that select any BRAF V600 match as a broader alteration (they would take it).
    at.selectbox(key="ev_alteration").set_value("alt:BRAF:V600E").run()
    rows = frame(at).set_index("id")["alteration_match"]
    assert rows["result:DRUP:committee-vemurafenib-braf-v600e:coadread@2024"] == "exact"
    assert len(rows) == 4
    assert sum(m.startswith("broader alteration") for m in rows) == 3


def test_evidence_tumour_hierarchy_and_superseded(app):
    at = open_page(app, "evidence")
    at.selectbox(key="ev_tumour").set_value("oncotree:BOWEL").run()
    assert evidence_rows(at) == 2  # VE-BASKET CRC + committee CRC
    at.selectbox(key="ev_tumour").set_value(None).run()
    at.toggle(key="ev_current").set_value(False).run()
    assert evidence_rows(at) == 6  # the DRUP 2019 interim comes back


def test_evidence_rows_are_traceable_and_private_marked(app):
    at = open_page(app, "evidence")
    rows = frame(at).set_index("id")
    vem = rows.loc["result:VE-BASKET:vemurafenib-braf-v600:nsclc@2015"]
    assert vem["source_file"] == "tests/fixtures/mini/cohorts.csv"
    assert vem["source_row"] == 3
    assert vem["publication_link"] == "https://doi.org/10.1056/NEJMoa1502309"
    assert vem["nct_link"].endswith("NCT01524978")
    committee = rows.loc["result:DRUP:committee-vemurafenib-braf-v600e:coadread@2024"]
    assert committee["origin"] == "🔒 private · committee:committee_cohorts.csv"
    assert committee["orr"] == pytest.approx(0.25)
    csv = at.get("download_button")[0]
    assert csv is not None


# ---------------------------------------------------------------- graph explorer
def test_graph_neighbourhood_depth_relations_and_cap(app):
    at = open_page(app, "graph")
    at.text_input(key="gx_query").set_value("BRAF V600").run()
    at.selectbox(key="gx_node").set_value("alt:BRAF:V600").run()
    one = len(frame(at))
    # V600 itself, gene, V600E, BRAF mutation, 4 cohorts selecting it
    assert one == 8
    at.slider(key="gx_depth").set_value(2).run()
    assert len(frame(at)) > one
    at.multiselect(key="gx_rels").set_value(["IS_A"]).run()
    assert set(frame(at)["id"]) == {"alt:BRAF:V600", "alt:BRAF:V600E", "alt:BRAF:mutation",
                                    "alt:BRAF"}
    at.multiselect(key="gx_rels").set_value([]).run()
    at.number_input(key="gx_max").set_value(10).run()
    assert len(frame(at)) == 10
    assert any("showing the 10 closest" in w.value for w in at.warning)


def test_graph_shows_private_node_label_as_text(app):
    at = open_page(app, "graph")
    at.text_input(key="gx_query").set_value("committee").run()
    at.selectbox(key="gx_node").set_value(
        "cohort:DRUP:committee-vemurafenib-braf-v600e:coadread").run()
    props = at.table[0].value
    assert MARKUP in " ".join(map(str, props["value"]))
    nodes = frame(at)
    assert nodes.set_index("id").loc[
        "cohort:DRUP:committee-vemurafenib-braf-v600e:coadread", "private"]


def test_evidence_row_details_show_source_and_markup_as_text(app):
    at = open_page(app, "evidence")
    at.selectbox(key="ev_detail").set_value(
        "result:DRUP:committee-vemurafenib-braf-v600e:coadread@2024").run()
    details = at.table[0].value["value"].to_dict()
    assert details["source_file"] == "tests/fixtures/ui/committee_cohorts.csv"
    assert details["source_row"] == "2"
    assert details["n_response"] == "2" and details["n_evaluable"] == "8"
    assert details["name"] == "<script>alert(1)</script> vemurafenib CRC"


# ---------------------------------------------------------------- Cypher console
def test_cypher_console_runs_examples_read_only_with_row_cap(app):
    at = open_page(app, "cypher")
    at.selectbox(key="cy_example").set_value("trial_summary").run()
    assert "MATCH" in at.text_area(key="cy_text").value
    at.button(key="cy_run").click().run()
    assert not at.error, [e.value for e in at.error]
    assert len(frame(at)) >= 1
    at.text_area(key="cy_text").set_value(
        "MATCH (c:Cohort) RETURN c.id AS id, c.private AS private ORDER BY id").run()
    at.text_area(key="cy_params").set_value("{}").run()
    at.button(key="cy_run").click().run()
    cohorts = frame(at)
    assert len(cohorts) == 6
    assert cohorts["private"].sum() == 1
    at.number_input(key="cy_limit").set_value(2).run()
    at.button(key="cy_run").click().run()
    assert len(frame(at)) == 2
    assert "row cap of 2" in at.success[0].value
    at.text_area(key="cy_text").set_value("CREATE (g:Gene {id: 'HGNC:0'}) RETURN g.id AS id")
    at.button(key="cy_run").click().run()
    assert at.error, "a write must be refused"


# ---------------------------------------------------------------- tumour-agnostic signals
def heatmap_rows(at: AppTest) -> list[str]:
    spec = json.loads(at.get("plotly_chart")[1].proto.spec)
    return list(spec["data"][0]["y"])


def test_signals_table_forest_and_heatmap(app):
    at = open_page(app, "signals")
    ranked = frame(at).set_index("alteration_group_name")
    # BRAF inhibitor x BRAF V600: CRC 0/10 + NSCLC 8/19 + committee V600E CRC 2/8 = 10/37
    assert (ranked.at["BRAF V600", "k"], ranked.at["BRAF V600", "n"]) == (10, 37)
    assert ranked.at["BRAF V600", "private data"]
    assert (ranked.at["MSI-H/dMMR", "k"], ranked.at["MSI-H/dMMR", "n"]) == (12, 28)
    assert not ranked.at["MSI-H/dMMR", "private data"]
    assert len(at.get("plotly_chart")) == 2  # forest plot and heatmap
    assert heatmap_rows(at) == ["BRAF inhibitor · BRAF V600"]  # the only group in 2 histologies
    at.toggle(key="sig_heat_tested").set_value(False).run()
    assert sorted(heatmap_rows(at)) == ["BRAF inhibitor · BRAF V600",
                                        "PD-1/PD-L1 inhibitor · MSI-H/dMMR"]
    app.selectbox(key="as_of").set_value(2019).run()
    ranked = frame(at).set_index("alteration_group_name")
    assert (ranked.at["BRAF V600", "k"], ranked.at["BRAF V600", "n"]) == (8, 29)
    assert (ranked.at["MSI-H/dMMR", "k"], ranked.at["MSI-H/dMMR", "n"]) == (4, 10)


def test_signals_label_filter_and_bad_thresholds(app):
    at = open_page(app, "signals")
    labels = at.multiselect(key="sig_labels").value
    assert len(frame(at)) == 2
    at.multiselect(key="sig_labels").set_value([]).run()
    assert len(frame(at)) == 0
    at.multiselect(key="sig_labels").set_value(labels).run()
    at.number_input(key="sig_p0").set_value(0.5).run()
    at.number_input(key="sig_p1").set_value(0.3).run()
    assert any("p0" in e.value for e in at.error)


# ---------------------------------------------------------------- candidate cohorts
@pytest.fixture(scope="module")
def candidate_artefact(tmp_path_factory) -> Artefact:
    return build_from(MINI, tmp_path_factory.mktemp("ui-cand"),
                      cohort_tables=[COMMITTEE, FIXTURES / "ui" / "committee_candidate.csv"])


def test_candidates_rationale_and_as_of(candidate_artefact, monkeypatch):
    monkeypatch.setenv("REDISCOVER_BUILD_DIR", str(candidate_artefact.path.parent.parent))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at = open_page(at, "candidates")
    cands = frame(at, 0)
    assert len(cands) == 1
    row = cands.iloc[0]
    assert (row["treatment_group"], row["alteration_group_name"], row["histology_name"]) == (
        "PD-1/PD-L1 inhibitor", "MSI-H/dMMR", "Colorectal Cancer")
    assert row["simon_optimal"] == "1/10, 5/29"  # Simon (1989) optimal for p0=.1, p1=.3
    support = frame(at, 1)
    assert list(support["id"]) == ["result:DRUP:nivolumab-msi@2023"]
    assert support.iloc[0]["n_evaluable"] == 28
    assert any("Simon two-stage designs" in m.value for m in at.markdown)
    at.selectbox(key="as_of").set_value(2019).run()
    assert len(frame(at, 0)) == 0


# ---------------------------------------------------------------- the bundled curated data
@pytest.fixture(scope="module")
def real_artefact(request) -> Artefact:
    """The bundled curated tables when data/ has them (being curated), else the mini slice."""
    has_data = (Path(__file__).resolve().parents[1] / "data" / "cohorts.csv").exists()
    return request.getfixturevalue("bundled_artefact" if has_data else "mini_artefact")


def test_every_page_renders_on_bundled_data(real_artefact, monkeypatch):
    monkeypatch.setenv("REDISCOVER_BUILD_DIR", str(real_artefact.path.parent.parent))
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for page in ("evidence", "graph", "signals", "candidates", "cypher"):
        open_page(at, page)
    at = open_page(at, "evidence")
    everything = len(frame(at))
    current, _ = current_results(real_artefact)
    busiest = current["trial"].value_counts().index[0]
    at.multiselect(key="ev_trials").set_value([busiest]).run()
    assert len(frame(at)) == int((current["trial"] == busiest).sum()) < everything


def test_cypher_console_offers_neo4j_only_when_configured(ui_artefact, monkeypatch):
    monkeypatch.setenv("REDISCOVER_BUILD_DIR", str(ui_artefact.path.parent.parent))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at = open_page(at, "cypher")
    assert at.radio(key="cy_engine").options == ["ladybug"]
    with socket.socket() as s:  # a port nobody listens on: the console must say so plainly
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setenv("NEO4J_URI", f"bolt://127.0.0.1:{closed}")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at = open_page(at, "cypher")
    assert at.radio(key="cy_engine").options == ["ladybug", "neo4j"]
    at.radio(key="cy_engine").set_value("neo4j").run()
    at.button(key="cy_run").click().run()
    assert any("cannot reach" in e.value for e in at.error), [e.value for e in at.error]


def test_evidence_as_of_counts_what_it_leaves_out(app):
    at = open_page(app, "evidence")
    at.selectbox(key="as_of").set_value(2019).run()
    assert evidence_rows(at) == 4  # DRUP 2019 interim + three VE-BASKET 2015 reports
    assert "result:DRUP:nivolumab-msi@2019" in set(frame(at)["id"])
    note = " ".join(c.value for c in at.caption)
    assert "2 later report(s)" in note  # DRUP 2023 final and the committee's 2024 row
    assert "0 report(s) without a year" in note


def test_pooling_across_trials(app):
    at = open_page(app, "candidates")
    at.selectbox(key="pool_drug").set_value("NCIT:C64768").run()  # vemurafenib
    at.selectbox(key="pool_alteration").set_value("alt:BRAF:V600").run()
    at.selectbox(key="pool_tumour").set_value("oncotree:BOWEL").run()
    pool = frame_with(at, "unit").set_index("unit")
    # VE-BASKET colorectal 0/10 and the committee's V600E colorectal 2/8: two trials, 2/18
    assert set(pool.index) == {"cohort:VE-BASKET:vemurafenib-braf-v600:crc",
                               "cohort:DRUP:committee-vemurafenib-braf-v600e:coadread"}
    assert pool.loc["cohort:DRUP:committee-vemurafenib-braf-v600e:coadread", "origin"] == \
        "🔒 private · committee:committee_cohorts.csv"
    assert any("Pooled 2/18 = 11%" in m.value for m in at.markdown)
    at.selectbox(key="as_of").set_value(2019).run()
    assert len(frame_with(at, "unit")) == 1  # the committee's 2024 row was not known in 2019
    at.selectbox(key="pool_tumour").set_value("oncotree:LUNG").run()
    assert any("Pooled 8/19" in m.value for m in at.markdown)


@pytest.mark.neo4j
def test_cypher_console_on_a_real_neo4j_is_read_only(ui_artefact, neo4j_uri, monkeypatch):
    monkeypatch.setenv("REDISCOVER_BUILD_DIR", str(ui_artefact.path.parent.parent))
    monkeypatch.setenv("NEO4J_URI", neo4j_uri)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at = open_page(at, "cypher")
    at.radio(key="cy_engine").set_value("neo4j").run()
    at.text_area(key="cy_text").set_value("UNWIND [1, 2, 3] AS x RETURN x * 2 AS doubled").run()
    at.text_area(key="cy_params").set_value("{}").run()
    at.button(key="cy_run").click().run()
    assert not at.error, [e.value for e in at.error]
    assert list(frame(at)["doubled"]) == [2, 4, 6]
    assert "from neo4j" in at.success[0].value
    at.text_area(key="cy_text").set_value("CREATE (g:Gene {id: 'HGNC:0'}) RETURN g.id AS id")
    at.button(key="cy_run").click().run()
    assert at.error, "a write must be refused by the read transaction"
