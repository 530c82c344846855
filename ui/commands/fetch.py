"""`kg fetch <source>`: download a source's current release into the cache (harvest only).

The files land in ``<cache>/<source>/`` with a ``fetch-manifest.json`` (URL, release, sha256);
``kg build --source-dir <cache>`` then reads them like any snapshot folder.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from loaders.fetch import FetchError, cache_dir, fetch
from loaders.registry import entry, fetchable

FETCHABLE = fetchable()

console = Console()
err = Console(stderr=True)


def fetch_command(
    source: str = typer.Argument(None, help=f"One of: {', '.join(FETCHABLE)}; or 'all'."),
    cache: Path | None = typer.Option(None, "--cache", help="Cache folder (default "
                                      "$REDISCOVER_CACHE or ~/.cache/rediscover)."),
    from_path: Path | None = typer.Option(None, "--from", help="Take this local file or folder "
                                          "instead of downloading (offline use)."),
    url: str | None = typer.Option(None, "--url", help="Override the official URL (a base "
                                   "ending in '/' for sources with several files)."),
    release: str | None = typer.Option(None, "--release", help="Release to take (default: "
                                       "the source's current one, see --list)."),
    show_list: bool = typer.Option(False, "--list", help="List fetchable sources and exit."),
) -> None:
    """Download a source's release (with checksums) into the cache; the cache is left as it
    was when a download fails."""
    if show_list or not source:
        _print_list()
        return
    names = list(FETCHABLE) if source == "all" else [source]
    if source != "all" and source not in FETCHABLE:
        err.print(f"[red]Unknown source '{source}'. Fetchable: {', '.join(FETCHABLE)}[/red]")
        raise typer.Exit(2)
    if len(names) > 1 and (from_path or url):
        err.print("[red]--from and --url apply to one source at a time.[/red]")
        raise typer.Exit(2)
    target = cache or cache_dir()
    failed = 0
    for name in names:
        with _progress() as progress:
            tasks: dict[str, TaskID] = {}

            def on_progress(file: str, done: int, total: int | None,
                            progress: Progress = progress,
                            tasks: dict[str, TaskID] = tasks) -> None:
                if file not in tasks:
                    tasks[file] = progress.add_task(file, total=total)
                progress.update(tasks[file], completed=done)

            try:
                record = fetch(name, target, release=release, url=url, from_path=from_path,
                               on_progress=on_progress)
            except FetchError as exc:
                progress.stop()
                err.print(f"[red]{name}: {exc}[/red]")
                failed += 1
                continue
        total = sum(f.bytes for f in record.files)
        console.print(f"[green]{name}[/green] {record.version}: {len(record.files)} file(s), "
                      f"{total:,} bytes → {target / name}")
        for f in record.files:
            console.print(f"  {f.sha256[:16]}…  {f.bytes:>12,}  {f.name}")
        if record.missing:
            console.print(f"  not in this release: {', '.join(record.missing)}")
    if failed:
        raise typer.Exit(1)


def _print_list() -> None:
    t = Table(title=f"Fetchable sources (cache: {cache_dir()})")
    for col in ("source", "default release", "licence", "files", "note"):
        t.add_column(col)
    for s in FETCHABLE.values():
        t.add_row(s.source, s.default_release, entry(s.source).licence, str(len(s.files)), s.note)
    console.print(t)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                    TransferSpeedColumn(), TimeRemainingColumn(), console=err, transient=True)


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch_command)
