"""`kg sparql "<query>" | @name`: SPARQL over the graph exported as RDF.

By default the query runs on a read-only Oxigraph store kept next to the published artefact
(built on first use: a build never changes after publishing, so the store never goes stale).
``--file`` queries an RDF export instead. ``@name`` runs queries/sparql/<name>.rq with its
declared defaults; ``$name`` variables are parameters, bound with ``--param name=value``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)


def parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.isidentifier():
            raise ValueError(f"--param {pair!r}: write name=value")
        params[name] = value
    return params


def sparql_command(
    query: str = typer.Argument(None, help="A SPARQL SELECT, or @name of a query in "
                                "queries/sparql/ (see --list)."),
    param: list[str] = typer.Option([], "--param", "-p", help="Bind $name in the query: "
                                    "name=value (repeatable)."),
    file: Path | None = typer.Option(None, "--file", help="Query this RDF export (.ttl/.nt/"
                                     ".jsonld) instead of the published build."),
    include_private: bool = typer.Option(False, "--include-private", help="Query a graph that "
                                         "includes committee cohorts marked private."),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
    limit: int = typer.Option(1000, "--limit", min=1, help="Row cap."),
    timeout: float = typer.Option(30.0, "--timeout", help="Seconds before the query is "
                                  "stopped."),
    show_list: bool = typer.Option(False, "--list", help="List the named queries and exit."),
    root: Path | None = typer.Option(None, "--root", help="Build directory."),
) -> None:
    """Run a SPARQL SELECT over the RDF graph."""
    from kg.stores import rdf
    from queries import sparql_library as library

    if show_list:
        for q in library.list_queries():
            params = " ".join(f"{k}={json.dumps(v)}" for k, v in q.defaults.items())
            console.print(f"@{q.name} [dim]{params}[/dim]\n  {q.description}")
        return
    if not query:
        err.print("[red]Give a query or @name (see --list).[/red]")
        raise typer.Exit(2)
    try:
        params: dict = parse_params(param)
        text = query
        if query.startswith("@"):
            named = library.load(query)
            text, params = named.text, named.parameters(params)
    except ValueError as exc:
        err.print(f"[red]{exc.args[0]}[/red]")
        raise typer.Exit(2) from exc
    from kg.stores import sparql_console as console_run

    try:
        text = rdf.with_params(text, params)
        if file is not None:
            if not file.is_file():
                err.print(f"[red]No such file: {file}[/red]")
                raise typer.Exit(2)
            by_suffix = {suffix: name for name, (_, _, suffix) in rdf.FORMATS.items()}
            target = console_run.Target(file=file, file_format=by_suffix.get(file.suffix))
        else:
            from ui.cli import open_artefact

            art = open_artefact(root)
            store = rdf.cached_store(art, include_private)
            if store is None:
                err.print(f"[red]Cannot write the SPARQL store into {art.path}: query an "
                          "export with --file.[/red]")
                raise typer.Exit(2)
            target = console_run.Target(store=store)
        result = console_run.run(target, text, rdf.prefixes(), timeout_s=timeout, limit=limit)
    except (ValueError, console_run.SparqlRefused) as exc:
        err.print(f"[red]SPARQL refused or failed: {exc}[/red]")
        raise typer.Exit(1) from exc
    _print(result.frame, fmt, limit)
    if result.truncated:
        err.print(f"[yellow]Stopped at --limit {limit} rows; more rows exist.[/yellow]")


def _print(df: pd.DataFrame, fmt: str, limit: int) -> None:
    if fmt == "csv":
        from kg.csv_safe import frame_to_csv

        print(frame_to_csv(df), end="")
    elif fmt == "json":
        print(json.dumps(df.astype(object).where(df.notna(), None).to_dict("records"),
                         default=str, indent=1))
    else:
        t = Table(title=f"{len(df)} rows")
        for col in df.columns:
            t.add_column(str(col))
        for row in df.head(limit).itertuples(index=False):
            t.add_row(*["" if pd.isna(v) else str(v) for v in row])
        console.print(t)


def register(app: typer.Typer) -> None:
    app.command("sparql")(sparql_command)
