"""`kg ui`: start the Streamlit front end on this machine only (127.0.0.1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

APP = Path(__file__).resolve().parents[1] / "app.py"


def streamlit_command(port: int, headless: bool) -> list[str]:
    """The command line that serves ui/app.py; loopback only, no usage statistics."""
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--server.headless", str(headless).lower(),
            "--browser.gatherUsageStats", "false"]


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
        typer.echo(f"Serving {APP} on http://127.0.0.1:{port} (graph: "
                   f"{env['REDISCOVER_BUILD_DIR']})")
        raise typer.Exit(subprocess.call(streamlit_command(port, headless), env=env))
