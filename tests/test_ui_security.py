"""The web app as `kg ui` serves it (through ui/serve.py), probed with real requests.

DNS rebinding: a page on a foreign name re-pointed at 127.0.0.1 sends that name as Host. Every
route refuses it (HTTP 400), the pages, the health check, the static files, the media route and
the WebSocket that carries every page's data alike, with or without a port; the served address
(127.0.0.1 and localhost) and a name listed in REDISCOVER_UI_ALLOWED_HOSTS are answered. The
WebSocket also refuses a foreign Origin on the real Host. XSRF protection is on (the cookie is
issued, and an upload without the token is refused).

Under the old launch (`streamlit run ui/app.py` with ``server.allowedHosts``) every HTTP route
here answered Host: evil.example with 200 or 404; only the WebSocket refused it.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

REPO = Path(__file__).resolve().parents[1]
#: a reverse proxy's public name, allowed through REDISCOVER_UI_ALLOWED_HOSTS
PROXY_NAME = "rediscover.example.org"
FOREIGN = ["evil.example", "evil.example:{port}"]
SERVED = ["127.0.0.1:{port}", "localhost:{port}", PROXY_NAME]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(mini_artefact):
    port = _free_port()
    root = mini_artefact.path.parent.parent
    env = {**os.environ, "REDISCOVER_UI_ALLOWED_HOSTS": PROXY_NAME}
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "ui", "--root", str(root),
                             "--port", str(port), "--headless"], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the UI server did not start")
            time.sleep(0.3)  # poll interval while the server starts
    yield port
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(30)


def get(port: int, path: str, host: str) -> tuple[int, bytes]:
    """Status and body of a GET sent to 127.0.0.1:port with this Host header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def routes(served) -> dict[str, str]:
    """One path per kind of route; the static file is the first script the index page loads."""
    status, page = get(served, "/", f"127.0.0.1:{served}")
    assert status == 200
    script = re.search(rb'src="\.?/?(static/js/[^"]+\.js)"', page)
    assert script, "no script in the index page"
    return {"index": "/", "page": "/evidence", "health": "/_stcore/health",
            "host-config": "/_stcore/host-config", "static": "/" + script[1].decode(),
            "media": "/media/0123456789abcdef.png"}


ROUTE_KINDS = ["index", "page", "health", "host-config", "static", "media"]


@pytest.mark.parametrize("host", FOREIGN)
@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_every_route_refuses_a_foreign_host(served, routes, kind, host):
    status, body = get(served, routes[kind], host.format(port=served))
    assert (status, body) == (400, b"Invalid host header")


@pytest.mark.parametrize("host", SERVED)
@pytest.mark.parametrize("kind", ROUTE_KINDS)
def test_every_route_answers_the_served_address(served, routes, kind, host):
    status, _ = get(served, routes[kind], host.format(port=served))
    # the media id is made up: the route itself answers, with "not found"
    assert status == (404 if kind == "media" else 200)


def open_stream(port: int, host: str, origin: str) -> int:
    """The HTTP status answering a WebSocket handshake with this Host and Origin (101: open)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        with connect(f"ws://{host}/_stcore/stream", sock=sock, origin=origin,
                     subprotocols=["streamlit"], open_timeout=10) as ws:
            return ws.response.status_code
    except InvalidStatus as exc:
        return exc.response.status_code


@pytest.mark.parametrize(("host", "origin", "status"), [
    ("evil.example:{port}", "http://evil.example:{port}", 400),  # DNS rebinding
    ("evil.example", "http://evil.example", 400),
    ("127.0.0.1:{port}", "http://evil.example:{port}", 403),  # a foreign page on our host
])
def test_the_websocket_refuses_a_foreign_host_or_origin(served, host, origin, status):
    assert open_stream(served, host.format(port=served), origin.format(port=served)) == status


@pytest.mark.parametrize("host", SERVED)
def test_the_websocket_opens_for_the_served_address(served, host):
    host = host.format(port=served)
    assert open_stream(served, host, f"http://{host}") == 101


def test_xsrf_protection_is_on(served):
    with urllib.request.urlopen(f"http://127.0.0.1:{served}/_stcore/health") as r:
        cookies = r.headers.get_all("Set-Cookie") or []
    assert any(c.startswith("_streamlit_xsrf=") for c in cookies)
    put = urllib.request.Request(f"http://127.0.0.1:{served}/_stcore/upload_file/s/f",
                                 data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(put)
    assert info.value.code == 403
