"""Shared set-up of the browser tests: `kg ui` on a built graph (bundled data plus a
committee table whose arm name carries markup) and Debian's chromium through Playwright.

Never calls `playwright install`: the system chromium is used (scripts/system-deps.sh installs
it for CI). The fixtures are module-scoped: each browser test module gets its own server.
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
from loaders.curated import DATA_DIR

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


def find_in_graph(page, server: Served, text: str) -> None:
    """Open the graph explorer and search it for ``text``."""
    visit(page, server, "graph", "Selected node")
    search = page.get_by_label("Find a node (name or id)")
    search.fill(text)
    search.press("Enter")
    _wait_idle(page)


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
