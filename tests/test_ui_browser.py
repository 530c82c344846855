"""End to end: `streamlit run` on 127.0.0.1, driven by Debian's chromium through Playwright.

Checks content on each page, saves a screenshot of each under test-output/screenshots/, and
proves that a committee arm named ``<script>alert(1)</script> …`` is shown as text everywhere
(tables and the pyvis graph) and never runs. Never calls `playwright install`: the system
chromium is used (scripts/system-deps.sh installs it for CI).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES, MINI, build_from

from kg.artefact import Artefact
from kg.schema import Label
from loaders.curated import DATA_DIR
from queries.cohorts import current_results

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
SHOTS = REPO / "test-output" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--disable-dev-shm-usage", "--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
COMMITTEE = FIXTURES / "ui" / "committee_cohorts.csv"
MARKUP = "<script>alert(1)</script>"
ARM = f"{MARKUP} vemurafenib CRC"
COMMITTEE_COHORT = "cohort:DRUP:committee-vemurafenib-braf-v600e:coadread"
LOAD_TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    """Poll the health endpoint until it answers (no fixed sleep)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)  # poll interval while the port is not yet open
    raise TimeoutError(f"{url} not healthy after {timeout_s} s")


@dataclass
class Served:
    url: str
    art: Artefact


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("chromium missing: run scripts/system-deps.sh")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    root = tmp_path_factory.mktemp("ui-browser")
    build_from(DATA_DIR if (DATA_DIR / "cohorts.csv").exists() else MINI, root,
               cohort_tables=[COMMITTEE])
    port = _free_port()
    env = {**os.environ, "REDISCOVER_BUILD_DIR": str(root)}
    log = (tmp_path_factory.mktemp("logs") / "streamlit.log").open("w")
    # Through the real entry point: `kg ui` passes the root on as REDISCOVER_BUILD_DIR.
    env.pop("REDISCOVER_BUILD_DIR")
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "ui", "--root", str(root),
                             "--port", str(port), "--headless"], env=env, cwd=REPO,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield Served(url, Artefact.open(root))
    finally:
        # kg ui and its streamlit child share the session started above: stop both.
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def browser_page(server: Served):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # Tall viewport: Streamlit scrolls inside its own container, so a full-page screenshot
        # shows only what fits the viewport.
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        dialogs: list[str] = []

        def on_dialog(dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.dialogs = dialogs  # type: ignore[attr-defined]
        yield page
        browser.close()


def visit(page, server: Served, path: str, wait_text: str) -> None:
    page.goto(f"{server.url}/{path}")
    page.get_by_text(wait_text, exact=False).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    _wait_idle(page)
    assert not page.get_by_text("Page not found").count(), path
    assert not page.locator("[data-testid='stException']").count(), path


def _wait_idle(page) -> None:
    """Wait until Streamlit finished the script run (its 'running' widget is gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
        timeout=LOAD_TIMEOUT_MS)


def visible(page, text: str) -> bool:
    """Some element showing ``text`` is visible (tables also keep hidden copies for a11y)."""
    loc = page.get_by_text(text).filter(visible=True).first
    loc.wait_for(timeout=LOAD_TIMEOUT_MS)
    return loc.is_visible()


def shot(page, name: str) -> Path:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


def no_script_ran(page) -> None:
    """No dialog opened and no frame holds a <script> element made from the label."""
    assert page.dialogs == []
    for frame in page.frames:
        injected = frame.evaluate(
            "() => [...document.querySelectorAll('script')]"
            ".filter(s => s.textContent.trim() === 'alert(1)').length")
        assert injected == 0, frame.url


def test_overview(server, browser_page):
    page = browser_page
    visit(page, server, "", "Response rates by trial")  # the default page lives at /
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
    visit(page, server, "graph", "Selected node")
    search = page.get_by_label("Find a node (name or id)")
    search.fill("committee-vemurafenib")
    search.press("Enter")
    _wait_idle(page)
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
