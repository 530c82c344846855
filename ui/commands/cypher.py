"""`kg cypher "<query or @name>"`: read-only Cypher on LadybugDB (default) or Neo4j.

`kg cypher --list` shows the query library. A named query (`@gene_card`) takes its parameters'
defaults from its header; `--param k=v` overrides them (values are read as JSON when they parse,
else as text). Writes are refused by the engines (read-only database / read transaction).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command("cypher")(cypher)


def parse_params(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"--param {pair!r}: write name=value")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def ladybug_path(root: Path | None, explicit: Path | None) -> Path:
    """The LadybugDB cache of the published build (built by `kg build` or on first use)."""
    if explicit:
        return explicit
    from kg.stores.ladybug import default_path, ensure_cache
    from ui.cli import open_artefact

    art = open_artefact(root)
    if not default_path(art).exists():
        err.print("Building the LadybugDB cache for this build…")
    return ensure_cache(art)


def cypher(
    query: str = typer.Argument("", help="Cypher text, or @name of a library query."),
    engine: str = typer.Option("ladybug", "--engine", "-e", help="ladybug or neo4j."),
    param: list[str] = typer.Option([], "--param", "-p", help="name=value (repeatable)."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds before the query is stopped."),
    limit: int = typer.Option(1000, "--limit", min=1, help="Row cap."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
    list_library: bool = typer.Option(False, "--list", help="List the query library and exit."),
    uri: str | None = typer.Option(None, "--uri", help="Neo4j URI (default $NEO4J_URI, else "
                                   "the running harness)."),
    db: Path | None = typer.Option(None, "--db", help="LadybugDB file (default: the cache of "
                                   "the published build)."),
    root: Path | None = typer.Option(None, "--root", help="Build directory."),
) -> None:
    """Run a read-only Cypher query; writes are refused on both engines."""
    from kg.stores.cypher_engines import CypherError, open_engine
    from queries.cypher_library import LibraryError, list_queries, load

    if list_library:
        _print_library(list_queries())
        return
    if not query:
        err.print("[red]Give a query or @name (see `kg cypher --list`).[/red]")
        raise typer.Exit(2)
    if fmt not in ("table", "csv", "json"):
        err.print(f"[red]Unknown --format {fmt!r}: table, csv or json.[/red]")
        raise typer.Exit(2)
    params = parse_params(param)
    text = query
    if query.startswith("@"):
        try:
            q = load(query)
            params = q.parameters(params)
        except LibraryError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        text = q.text
    try:
        if engine == "ladybug":
            eng = open_engine("ladybug", ladybug_path=ladybug_path(root, db))
        else:
            eng = open_engine(engine, **_neo4j_target(uri))
        try:
            result = eng.run(text, params, timeout_s=timeout, limit=limit)
        finally:
            eng.close()
    except CypherError as exc:
        err.print(f"[red]Query failed on {exc.engine}:[/red] {exc.message}")
        raise typer.Exit(1) from exc
    _emit(result, fmt)
    if result.truncated:
        err.print(f"[yellow]Stopped at --limit {limit} rows; more rows exist.[/yellow]")


def _neo4j_target(uri: str | None) -> dict:
    from kg.stores import neo4j_server
    from kg.stores.neo4j import connection_from_env

    try:
        found, auth = connection_from_env(uri)
        return {"uri": found, "auth": auth}
    except ValueError:
        state = neo4j_server.read_state()
        return {"uri": state.uri if state else None, "auth": None}


def _emit(result, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(result.records(), default=str, indent=2) + "\n")
    elif fmt == "csv":
        from kg.csv_safe import rows_to_csv

        # numbers stay numbers (a negative number is no formula); text is neutralised
        rows_to_csv(result.columns, (["" if v is None else _cell(v) if isinstance(v, dict | list)
                                      else v for v in row] for row in result.rows), sys.stdout)
    else:
        t = Table(caption=f"{len(result.rows)} rows from {result.engine} in "
                  f"{result.seconds * 1000:.0f} ms")
        for col in result.columns:
            t.add_column(col)
        for row in result.rows:
            t.add_row(*["" if v is None else _cell(v) for v in row])
        console.print(t)


def _cell(value: Any) -> str:
    return json.dumps(value, default=str) if isinstance(value, dict | list) else str(value)


def _print_library(queries) -> None:
    t = Table(title="Cypher library (run with `kg cypher @name`)")
    for col in ("name", "what it answers", "parameters (defaults)"):
        t.add_column(col)
    for q in queries:
        params = ", ".join(f"{p.name}={json.dumps(p.default)}" for p in q.params)
        t.add_row(q.name, f"{q.title}: {q.description}", params)
    console.print(t)
