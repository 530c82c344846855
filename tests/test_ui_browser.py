"""End to end: `streamlit run` on 127.0.0.1, driven by Debian's chromium through Playwright.

Checks content on each page, saves a screenshot of each under test-output/screenshots/, and
proves that a committee arm named ``<script>alert(1)</script> …`` is shown as text everywhere
(tables and the pyvis graph) and never runs. Server and browser: tests/browser_support.py.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from browser_support import (
    ARM,
    COMMITTEE_COHORT,
    LOAD_TIMEOUT_MS,
    _wait_idle,
    find_in_graph,
    no_script_ran,
    shot,
    visible,
    visit,
)

from kg.schema import Label
from queries.cohorts import current_results

pytestmark = pytest.mark.browser


def test_overview(server, browser_page):
    page = browser_page
    visit(page, server, "", "Response rates")  # the default page lives at /
    # One forest plot per trial: the committee's cohort is a DRUP cohort (deep link to it).
    drup = {"overview_group_trial": '"Drug Rediscovery Protocol (DRUP)"'}
    visit(page, server, "?" + urlencode(drup), "Response rates")
    for text in ("Counts by trial", "Data sources, versions and licences", "CC BY 4.0",
                 "Drug Rediscovery Protocol"):
        assert visible(page, text), text
    page.locator(".js-plotly-plot").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert visible(page, "private")
    ticks = " ".join(page.locator(".js-plotly-plot .ytick text").evaluate_all(
        "els => els.map(e => e.textContent)"))
    assert "[private committee] vemurafenib · BRAF V600E" in ticks
    assert ARM in ticks  # the chart shows the markup as characters
    shot(page, "1_overview")
    no_script_ran(page)


def test_evidence_browser_shows_markup_as_text(server, browser_page):
    page = browser_page
    visit(page, server, "evidence", "row(s)")
    current, _ = current_results(server.art)
    expected = len(current) + len(server.art.nodes(Label.EVIDENCE))
    assert visible(page, f"{expected} row(s)")
    assert visible(page, "Download CSV")
    box = page.get_by_label("Show one row in full (trace a figure to its source)")
    box.click()
    page.get_by_role("option", name="committee").first.click()
    _wait_idle(page)
    cell = page.get_by_role("cell", name=ARM)
    cell.wait_for(timeout=LOAD_TIMEOUT_MS)
    assert cell.inner_text().strip() == ARM
    assert visible(page, "committee:committee_cohorts.csv")
    shot(page, "2_evidence")
    no_script_ran(page)


def test_graph_explorer_draws_markup_label_as_text(server, browser_page):
    page = browser_page
    find_in_graph(page, server, "committee-vemurafenib")
    page.get_by_role("cell", name=ARM).wait_for(timeout=LOAD_TIMEOUT_MS)
    graph = _graph_frame(page)
    label = graph.evaluate(f"() => network.body.data.nodes.get({COMMITTEE_COHORT!r}).label")
    assert label == ARM  # handed to vis-network as data; drawn on the canvas as text
    _hover_node(page, graph, COMMITTEE_COHORT)
    tooltip = graph.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert ARM in tooltip.inner_text()
    assert graph.evaluate("() => document.querySelectorAll('div.vis-tooltip script').length") == 0
    shot(page, "3_graph")
    no_script_ran(page)


def _graph_frame(page):
    """The pyvis iframe, once vis-network has drawn."""
    deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame is not page.main_frame and frame.evaluate(
                    "() => typeof network !== 'undefined' && network !== null"):
                frame.wait_for_function("() => network.body.data.nodes.length > 0")
                return frame
        page.wait_for_timeout(100)  # poll while the iframe loads
    raise TimeoutError("pyvis graph did not load")


def _hover_node(page, graph, node_id: str) -> None:
    """Move the mouse onto a node (after the layout settles) so vis shows its tooltip."""
    graph.evaluate("() => { network.stopSimulation(); network.setOptions({physics: false}); }")
    point = graph.evaluate(
        f"() => network.canvasToDOM(network.getPositions([{node_id!r}])[{node_id!r}])")
    frame_box = graph.frame_element().bounding_box()
    canvas_box = graph.locator("canvas").bounding_box()
    x = canvas_box["x"] + point["x"]
    y = canvas_box["y"] + point["y"]
    assert frame_box is not None
    page.mouse.move(x - 5, y - 5)
    page.mouse.move(x, y)


def test_signals_page(server, browser_page):
    page = browser_page
    visit(page, server, "signals", "Forest plot")
    assert visible(page, " group(s)")
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=LOAD_TIMEOUT_MS)
    assert visible(page, "DRUP reported 23.5%")
    shot(page, "4_signals")
    no_script_ran(page)


def test_candidates_page(server, browser_page):
    page = browser_page
    visit(page, server, "candidates", "candidate(s)")
    assert visible(page, "Simon two-stage designs")
    assert visible(page, "Download CSV")
    shot(page, "5_candidates")
    no_script_ran(page)


def test_cypher_console(server, browser_page):
    page = browser_page
    visit(page, server, "cypher", "Row cap")
    query = page.get_by_label("Query")
    query.fill("MATCH (c:Cohort) WHERE c.private RETURN c.name AS arm, c.source AS source")
    page.get_by_label("Parameters (JSON object)").fill("{}")
    page.get_by_role("button", name="Run").click()
    page.get_by_text("row(s) from ladybug").first.wait_for(timeout=LOAD_TIMEOUT_MS)
    _wait_idle(page)
    assert visible(page, "1 row(s) from ladybug")
    shot(page, "6_cypher")
    no_script_ran(page)
