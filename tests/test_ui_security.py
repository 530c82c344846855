"""The web app as `kg ui` serves it, probed with real requests: the WebSocket that carries every
page's data refuses a DNS-rebinding Host (a foreign name pointed at 127.0.0.1) and a foreign
Origin, and accepts the served address; XSRF protection is on (the cookie is issued, and an
upload without the token is refused)."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served(mini_artefact):
    port = _free_port()
    root = mini_artefact.path.parent.parent
    env = {k: v for k, v in os.environ.items() if k != "REDISCOVER_UI_ALLOWED_HOSTS"}
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


def upgrade(port: int, host: str, origin: str) -> str:
    """The status line answering a WebSocket handshake sent with these Host and Origin."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
               f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: streamlit\r\n"
               f"Origin: {origin}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        return s.recv(4096).decode(errors="replace").split("\r\n")[0]


@pytest.mark.parametrize(("host", "origin"), [
    ("evil.example:{port}", "http://evil.example:{port}"),  # DNS rebinding: both foreign
    ("127.0.0.1:{port}", "http://evil.example:{port}"),  # a foreign page on the real host
])
def test_foreign_host_or_origin_is_refused(served, host, origin):
    status = upgrade(served, host.format(port=served), origin.format(port=served))
    assert status == "HTTP/1.1 403 Forbidden"


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_the_served_address_is_accepted(served, name):
    status = upgrade(served, f"{name}:{served}", f"http://{name}:{served}")
    assert status == "HTTP/1.1 101 Switching Protocols"


def test_xsrf_protection_is_on(served):
    with urllib.request.urlopen(f"http://127.0.0.1:{served}/_stcore/health") as r:
        cookies = r.headers.get_all("Set-Cookie") or []
    assert any(c.startswith("_streamlit_xsrf=") for c in cookies)
    put = urllib.request.Request(f"http://127.0.0.1:{served}/_stcore/upload_file/s/f",
                                 data=b"x", method="PUT")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(put)
    assert info.value.code == 403
