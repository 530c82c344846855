"""`kg ui`: start the Streamlit front end on this machine only (127.0.0.1)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import webbrowser
from pathlib import Path

import typer

SERVE = Path(__file__).resolve().parents[1] / "serve.py"


def streamlit_command(port: int) -> list[str]:
    """The command line that serves the app through ui/serve.py; loopback only, no usage
    statistics.

    Always headless: otherwise Streamlit's first run stops at an e-mail prompt on the terminal
    (and waits forever under `make run` without a terminal). `kg ui` opens the browser itself.
    XSRF protection and CORS are on (Streamlit's defaults, stated so no config file turns them
    off). ui/serve.py refuses every request whose Host is not 127.0.0.1, localhost or a name in
    REDISCOVER_UI_ALLOWED_HOSTS (DNS rebinding), on every route, the WebSocket included.
    """
    return [sys.executable, "-m", "streamlit", "run", str(SERVE),
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.enableXsrfProtection", "true", "--server.enableCORS", "true"]


def open_when_ready(url: str, timeout_s: float = 60.0) -> None:
    """Open ``url`` in the user's browser once the server's health check answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    webbrowser.open(url)
                    return
        except OSError:
            time.sleep(0.3)  # poll interval while the server starts


def register(app: typer.Typer) -> None:
    @app.command("ui")
    def ui(
        root: Path | None = typer.Option(None, "--root", help="Build directory (default "
                                         "$REDISCOVER_BUILD_DIR or ./build)."),
        port: int = typer.Option(8501, "--port", help="Port on 127.0.0.1."),
        headless: bool = typer.Option(False, "--headless", help="Do not open a browser."),
    ) -> None:
        """Open the Rediscover web app (Streamlit) on 127.0.0.1."""
        from kg.artefact import default_root

        env = dict(os.environ)
        env["REDISCOVER_BUILD_DIR"] = str((root or default_root()).resolve())
        url = f"http://127.0.0.1:{port}"
        typer.echo(f"Serving {SERVE} on {url} (graph: {env['REDISCOVER_BUILD_DIR']})")
        # a browser to open: a desktop session (on Linux without one, webbrowser would fall
        # back to a console browser inside this terminal)
        desktop = sys.platform != "linux" or any(
            os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY"))
        if not headless and desktop:
            threading.Thread(target=open_when_ready, args=(url,), daemon=True).start()
        raise typer.Exit(run_forwarding_signals(streamlit_command(port), env))


def run_forwarding_signals(cmd: list[str], env: dict[str, str]) -> int:
    """Run the server and wait; SIGTERM/SIGHUP sent to `kg ui` alone (a service manager's stop)
    reach the server too, instead of leaving it running without its parent."""
    proc = subprocess.Popen(cmd, env=env)

    def forward(signum: int, _frame) -> None:
        proc.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, forward)
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:  # Ctrl+C reaches the whole process group: wait for it
            continue
