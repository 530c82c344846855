"""`kg neo4j start|stop|status|uri|load`: a local Neo4j 5 harness, and loading the graph into it
or into any Neo4j 5 server / Aura (NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

neo4j_app = typer.Typer(help="Local Neo4j 5 server (no Docker) and loading the graph into Neo4j.",
                        no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.add_typer(neo4j_app, name="neo4j")


@neo4j_app.command()
def start(port: int | None = typer.Option(None, "--port", help="Bolt port (default "
                                          "$REDISCOVER_NEO4J_PORT or 17687)."),
          timeout: float = typer.Option(180.0, "--timeout", help="Seconds to wait for Bolt.")
          ) -> None:
    """Start the harness in the background (fetching it with Maven on first use)."""
    from kg.stores import neo4j_server

    try:
        uri = neo4j_server.start(port, timeout, echo=lambda m: err.print(m))
    except neo4j_server.Neo4jServerError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    err.print(f"Neo4j answers on {uri} (log {neo4j_server.LOG})")


@neo4j_app.command()
def stop() -> None:
    """Stop the harness started by `kg neo4j start`."""
    from kg.stores import neo4j_server

    err.print("stopped" if neo4j_server.stop() else "no server of ours was running")


@neo4j_app.command()
def status() -> None:
    """Whether our harness runs and answers on Bolt (exit 1 when not)."""
    from kg.stores import neo4j_server

    s = neo4j_server.status()
    for k, v in s.items():
        console.print(f"{k}: {v}")
    if not s["running"]:
        raise typer.Exit(1)


@neo4j_app.command()
def uri() -> None:
    """Print the Bolt URI of the running harness (for NEO4J_URI)."""
    from kg.stores import neo4j_server

    state = neo4j_server.read_state()
    if state is None:
        err.print("[red]no server of ours is running: `kg neo4j start`[/red]")
        raise typer.Exit(1)
    print(state.uri)


@neo4j_app.command()
def load(
    uri: str | None = typer.Option(None, "--uri", help="Bolt/neo4j URI (default $NEO4J_URI, "
                                   "else the running harness)."),
    user: str | None = typer.Option(None, "--user", help="Default $NEO4J_USER; none = no auth."),
    password: str | None = typer.Option(None, "--password", help="Default $NEO4J_PASSWORD.",
                                        hide_input=True),
    database: str | None = typer.Option(None, "--database", help="Default: the server's."),
    include_private: bool = typer.Option(False, "--include-private", help="Also load cohorts "
                                         "and reports marked private."),
    batch_size: int = typer.Option(10_000, "--batch-size", min=1),
    workers: int = typer.Option(2, "--workers", min=1, help="Labels/relations loaded at once."),
    root: Path | None = typer.Option(None, "--root", help="Build directory."),
) -> None:
    """Load the published graph: constraints, UNWIND batches, prune, verify counts."""
    from neo4j.exceptions import DriverError, Neo4jError

    from kg.stores import neo4j_server
    from kg.stores.neo4j import LoadMismatch, connection_from_env, load_artefact
    from ui.cli import open_artefact

    art = open_artefact(root)
    state = neo4j_server.read_state()
    try:
        uri, auth = connection_from_env(uri, user, password)
    except ValueError:
        if state is None:
            err.print("[red]no Neo4j URI: pass --uri, set NEO4J_URI or `kg neo4j start`[/red]")
            raise typer.Exit(2) from None
        uri, auth = state.uri, None
    try:
        report = load_artefact(art, uri, auth, include_private=include_private,
                               batch_size=batch_size, workers=workers, database=database)
    except LoadMismatch as exc:
        err.print(f"[red]Load finished but did not verify: {exc}[/red]")
        raise typer.Exit(1) from exc
    except (Neo4jError, DriverError, OSError) as exc:
        err.print(f"[red]Load interrupted ({type(exc).__name__}: {exc}). The server keeps what "
                  "was written; run the load again to converge.[/red]")
        raise typer.Exit(1) from exc
    t = Table(title=f"Loaded into {uri}")
    for col in ("kind", "name", "count", "mode"):
        t.add_column(col)
    for kind in ("nodes", "edges"):
        for name, n in report.counts[kind].items():
            t.add_row(kind, name, str(n), report.modes.get(name, "-"))
    console.print(t)
    if report.left_out_private:
        console.print(f"Left out (private): {report.left_out_private}")
    if report.pruned:
        console.print(f"Pruned (no longer in the artefact): {report.pruned}")
    console.print(f"{report.rows} rows in {report.seconds:.1f} s "
                  f"({report.rows_per_second:,.0f} rows/s); counts verified against the "
                  f"manifest; {report.retries} retried batches.")
