"""`kg export <format>`: the published graph in other tools' formats.

One sub-command per target format; each only opens the artefact and calls its store module in
kg/stores/. Every export leaves out a committee's private cohorts and reports (and every edge
touching them) unless ``--include-private`` is given.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console

export_app = typer.Typer(help="Write the graph in other formats (RDF, GraphML, neo4j-admin CSV, "
                         "…). Private cohorts are left out unless --include-private.",
                         no_args_is_help=True)
console = Console()
err = Console(stderr=True)

ROOT_OPT = typer.Option(None, "--root", help="Build directory (default $REDISCOVER_BUILD_DIR "
                        "or ./build).")
PRIVATE_OPT = typer.Option(False, "--include-private", help="Also export committee cohorts and "
                           "reports marked private (never share the result).")


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


def _open(root: Path | None):
    from ui.cli import open_artefact

    return open_artefact(root)


def _file_out(out: Path) -> Path:
    """An --out that must be a file: refuse a folder, a device or a missing parent folder in one
    line instead of a traceback half-way through writing."""
    if out.is_dir():
        err.print(f"[red]--out {out} is a folder: give a file name.[/red]")
        raise typer.Exit(2)
    if out.exists() and not out.is_file():
        err.print(f"[red]--out {out} is not a regular file.[/red]")
        raise typer.Exit(2)
    if not out.resolve().parent.is_dir():
        err.print(f"[red]--out {out}: the folder {out.resolve().parent} does not exist.[/red]")
        raise typer.Exit(2)
    return out


def _done(what: str, path: Path, started: float, include_private: bool) -> None:
    note = " [yellow](includes PRIVATE records)[/yellow]" if include_private else ""
    console.print(f"Wrote {what} to {path} in {time.perf_counter() - started:.1f} s{note}")


@export_app.command("rdf")
def export_rdf(
    fmt: str = typer.Option("turtle", "--format", "-f", help="turtle, json-ld or nt."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output file (default "
                                    "rediscover.<ttl|jsonld|nt> in the current folder)."),
    include_private: bool = PRIVATE_OPT,
    root: Path | None = ROOT_OPT,
) -> None:
    """RDF with Biolink categories, registry IRIs and per-edge provenance statements."""
    from kg.stores import rdf

    if fmt not in rdf.FORMATS:
        err.print(f"[red]Unknown --format {fmt!r}: choose one of {', '.join(rdf.FORMATS)}.[/red]")
        raise typer.Exit(2)
    art = _open(root)
    path = _file_out(out or Path(f"rediscover{rdf.FORMATS[fmt][2]}"))
    started = time.perf_counter()
    n = rdf.export(art, path, fmt, include_private)
    _done(f"{n} triples ({fmt})", path, started, include_private)


@export_app.command("graphml")
def export_graphml(
    out: Path = typer.Option(Path("rediscover.graphml"), "--out", "-o", help="Output file."),
    include_private: bool = PRIVATE_OPT,
    root: Path | None = ROOT_OPT,
) -> None:
    """GraphML for Cytoscape or Gephi (node attribute `label`, edge attribute `rel`)."""
    from kg.stores import graphml

    _file_out(out)
    art = _open(root)
    started = time.perf_counter()
    nodes, edges = graphml.export(art, out, include_private)
    _done(f"{nodes} nodes and {edges} edges (GraphML)", out, started, include_private)


@export_app.command("csv")
def export_csv(
    out: Path = typer.Option(Path("neo4j-import"), "--out", "-o", help="Output folder (created; "
                             "an earlier export there is replaced)."),
    neo4j_admin: bool = typer.Option(True, "--neo4j-admin/--plain", help="Headers in the "
                                     "neo4j-admin import format (the only layout for now)."),
    include_private: bool = PRIVATE_OPT,
    root: Path | None = ROOT_OPT,
) -> None:
    """Node and relationship CSVs with neo4j-admin headers, plus the import command."""
    from kg.stores import neo4j_csv

    if not neo4j_admin:
        err.print("[red]Only the neo4j-admin layout is available; drop --plain.[/red]")
        raise typer.Exit(2)
    if out.exists() and not out.is_dir():
        err.print(f"[red]--out {out} is a file: the CSV export writes a folder.[/red]")
        raise typer.Exit(2)
    art = _open(root)
    started = time.perf_counter()
    try:
        rows = neo4j_csv.export(art, out, include_private)
    except neo4j_csv.NotAnExportFolder as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    _done(f"{len(rows)} files, {sum(rows.values())} rows", out, started, include_private)
    console.print(f"Load with: sh {out / 'import.sh'}  (Neo4j stopped; see neo4j-admin docs)")


@export_app.command("ladybug")
def export_ladybug_cmd(
    out: Path | None = typer.Option(None, "--out", "-o", help="A LadybugDB file to hand on "
                                    "(private rows left out unless --include-private). Without "
                                    "--out: rebuild the local cache that `kg cypher` reads, "
                                    "which mirrors the local build, private rows included."),
    include_private: bool = PRIVATE_OPT,
    root: Path | None = ROOT_OPT,
) -> None:
    """An embedded LadybugDB (Cypher) file; built beside the target and swapped in atomically."""
    from kg.stores.ladybug import export_ladybug

    if out is not None:
        _file_out(out)
    art = _open(root)
    started = time.perf_counter()
    include = include_private or out is None
    report = export_ladybug(art, out, include_private=include)
    _done(f"{report.rows} rows (LadybugDB, {report.rows_per_second:,.0f} rows/s)",
          Path(report.path), started, include)
