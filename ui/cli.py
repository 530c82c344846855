"""The `kg` command line: build, stats, show (+ sub-commands registered from ui/commands/).

Verbs follow the pipeline stages (fetch, build, query, export, …). Every long step shows a
progress bar; every error names what to fix.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.artefact import Artefact, ArtefactMissing, default_root
from kg.build import build as build_graph
from kg.errors import ValidationFailed
from loaders.registry import BuildOptions, selected, shared_data_dir
from loaders.registry import run as run_source

app = typer.Typer(help="Rediscover: drug x alteration x tumour-type evidence graph.",
                  no_args_is_help=True, add_completion=False)
console = Console()
err = Console(stderr=True, soft_wrap=True)

ROOT_OPT = typer.Option(None, "--root", help="Build directory (default $REDISCOVER_BUILD_DIR "
                        "or ./build).")


def open_artefact(root: Path | None) -> Artefact:
    try:
        return Artefact.open(root or default_root())
    except ArtefactMissing as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def build(
    root: Path | None = ROOT_OPT,
    cohorts: list[Path] = typer.Option([], "--cohorts", help="A committee's own cohort table "
                                       "(same format as data/cohorts.csv); repeatable."),
    source: list[str] = typer.Option([], "--source", help="Only these sources (repeatable); "
                                     "default: every source whose files are present."),
    source_dir: Path | None = typer.Option(None, "--source-dir", help="Folder of source "
                                           "snapshots (default $REDISCOVER_SHARED_DATA or "
                                           "../shared/data, then the fetch cache)."),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="Curated tables folder."),
) -> None:
    """Load every source, validate, and publish a new graph atomically."""
    opts = BuildOptions(
        data_dir=data_dir or BuildOptions().data_dir,
        cohort_tables=tuple(cohorts),
        source_dir=source_dir or shared_data_dir(),
        sources=tuple(source) or None,
    )
    try:
        entries = selected(opts)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    started = time.perf_counter()
    results = []
    with _progress() as progress:
        task = progress.add_task("loading", total=len(entries) + 4)
        try:
            building = frozenset(e.name for e in entries)
            for entry in entries:
                progress.update(task, description=f"loading {entry.name}")
                results += run_source(entry, opts, building)
                progress.advance(task)

            def step(name: str) -> None:
                progress.update(task, description=name)
                progress.advance(task)

            art = build_graph(results, root or default_root(), on_step=step)
        except ValidationFailed as exc:
            progress.stop()
            err.print(f"[red]Build stopped; the previous graph is unchanged.[/red]\n{exc.render()}")
            raise typer.Exit(1) from exc
        except FileNotFoundError as exc:
            progress.stop()
            err.print(f"[red]Build stopped; the previous graph is unchanged: {exc}[/red]")
            raise typer.Exit(1) from exc
    _print_sources(art)
    n = art.counts()
    console.print(f"Built {sum(n['nodes'].values())} nodes and {sum(n['edges'].values())} edges "
                  f"in {time.perf_counter() - started:.1f} s → {art.path}")
    _export_ladybug_cache(art)


def _export_ladybug_cache(art: Artefact) -> None:
    """Rebuild the LadybugDB cache that `kg cypher` reads (optional: skipped without ladybug).
    The graph is already published; a failure here only leaves the cache to be built later."""
    import importlib.util

    if importlib.util.find_spec("ladybug") is None:
        return
    from kg.stores.ladybug import ensure_cache

    started = time.perf_counter()
    try:
        path = ensure_cache(art)
    except Exception as exc:  # noqa: BLE001 - the build itself succeeded
        err.print(f"[yellow]LadybugDB cache not built ({exc}); `kg export ladybug` retries."
                  "[/yellow]")
        return
    console.print(f"LadybugDB cache: {path} ({time.perf_counter() - started:.1f} s)")


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TimeElapsedColumn(), console=err, transient=True)


def _print_sources(art: Artefact) -> None:
    """One block per source: name, version and licence, then what was loaded and skipped as
    wrapped prose (a five-column table broke into single words at 80 columns)."""
    from rich.padding import Padding

    console.print("[bold]Sources[/bold]")
    for s in art.manifest["sources"]:
        console.print(f"[bold]{s['name']}[/bold] {s['version']} · {s['licence']}",
                      highlight=False)
        for what in ("loaded", "skipped"):
            items = "; ".join(f"{k}: {v:,}" for k, v in s[what].items()) or "nothing"
            console.print(Padding(f"[dim]{what}:[/dim] {items}", (0, 0, 0, 2)),
                          highlight=False)


@app.command()
def stats(root: Path | None = ROOT_OPT,
          as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Counts by label and relation, by trial, and by source."""
    from queries.summary import graph_stats

    art = open_artefact(root)
    s = graph_stats(art)
    if as_json:
        console.print_json(json.dumps(s, default=str))
        return
    t = Table(title="Nodes by label")
    t.add_column("label")
    t.add_column("count", justify="right")
    for k, v in s["nodes"].items():
        t.add_row(k, str(v))
    console.print(t)
    t = Table(title="Edges by relation")
    t.add_column("relation")
    t.add_column("count", justify="right")
    for k, v in s["edges"].items():
        t.add_row(k, str(v))
    console.print(t)
    console.print(_frame_table(pd.DataFrame(s["by_trial"]), "Cohorts by trial"))
    _print_sources(art)
    c = s["coverage"]
    console.print(f"Trials: {c['trials']}   Cohorts: {c['cohorts']}   Reports: {c['results']}   "
                  f"Cohorts with a source: {c['cohorts_with_source']} "
                  f"({c['cohorts_with_source_pct']:.1f}%)")


@app.command()
def show(node_id: str = typer.Argument(..., help="A node id, e.g. alt:BRAF:V600E or "
                                       "cohort:DRUP:... (a unique name also works)."),
         root: Path | None = ROOT_OPT) -> None:
    """One node with its properties, neighbours and sources."""
    art = open_artefact(root)
    node = art.node(node_id)
    if node is None:
        hits = art.all_nodes[art.all_nodes["name"].str.lower() == node_id.lower()]
        if len(hits) == 1:
            node = art.node(hits.index[0])
        else:
            like = art.all_nodes[art.all_nodes["id"].str.contains(node_id, regex=False)]
            err.print(f"[red]No node '{node_id}'.[/red]")
            if len(like):
                err.print("Did you mean: " + ", ".join(like["id"].head(10)))
            raise typer.Exit(1)
    t = Table(title=f"{node['label']} {node['id']}", show_header=False)
    for k, v in node.items():
        if v not in (None, "") and k not in ("label",):
            t.add_row(k, str(v))
    console.print(t)
    nb = art.neighbours(node["id"])
    console.print(_frame_table(nb, f"Neighbours ({len(nb)})", limit=200))


def _frame_table(df: pd.DataFrame, title: str, limit: int = 500) -> Table:
    t = Table(title=title)
    for col in df.columns:
        t.add_column(str(col))
    for row in df.head(limit).itertuples(index=False):
        t.add_row(*["" if pd.isna(v) else str(v) for v in row])
    if len(df) > limit:
        t.caption = f"{len(df) - limit} more rows not shown"
    return t


def _register_subcommands() -> None:
    """Sub-command groups live in ui/commands/<name>.py, each exposing `register(app)`."""
    import importlib
    import pkgutil

    import ui.commands as pkg

    for mod in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        register = getattr(importlib.import_module(f"ui.commands.{mod.name}"), "register", None)
        if register is not None:  # helpers (output, filters) register nothing
            register(app)


_register_subcommands()


def main() -> None:
    app(prog_name="kg")


if __name__ == "__main__":
    sys.exit(main())
