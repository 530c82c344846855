"""Every benchmark at every scale, one table: ``python -m bench`` (or ``make bench``).

For each scale (default ×1, ×10, ×100 of the real graph's shape, see bench.synthetic) it
measures, in one run, so that ratios and growth factors compare like with like:

* **build** against its floor. The build is every loader plus ``kg.build`` (validate, merge,
  write the Parquet artefact). Copies of the knowledgebase records are made at the record level
  (there are no ×100 CIViC files), so the knowledgebase loaders and the pandas read of their raw
  files are both measured once at ×1 and counted ``scale`` times; the curated loader and the
  pandas read of the scaled curated tables are measured at each scale, as is ``kg.build``.
* **each analysis**, cold: the per-artefact memo (queries.memo) is emptied and earlier runs'
  garbage collected before every run, the tables are already in memory (the UI and CLI keep
  them), median of ``--repeat``; and warm:
  run again with the memo kept, as a UI session re-rendering a page sees it.
* **UI data load**: opening a published build and preparing the first page's data (counts,
  evidence table, current reports), cold.
* **LadybugDB** export against a raw COPY of the same Arrow tables into a fresh file.
* **Neo4j** load (constraints, batched writes, prune, count check) in rows per second, on the
  server at ``--uri`` / $NEO4J_URI, else the local harness (started if Java and Maven exist).
  The first load on a cold server JVM is reported on its own row (it includes JIT
  compilation); then, after warm-up loads for 30 s (the ×1 graph loads in about a second, too
  little for the JIT), the median of ``--repeat`` loads into an emptied server and of as many
  idempotent reloads.
* **RDF** Turtle export of the whole graph (Oxigraph store) and its triple count.

The table goes to stdout and to ``bench/results/<date>.md`` with a machine description.
``--profile DIR`` also writes a pyinstrument profile of each scale's build and analyses.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import timed
from bench.build import read_floor
from bench.knowledgebases import clear_parse_caches, raw_files
from bench.knowledgebases import read_floor as raw_read_floor
from bench.queries import QUERIES
from bench.synthetic import scaled_knowledgebase, scaled_tables
from kg.artefact import Artefact
from kg.build import build
from kg.records import LoadResult
from loaders.curated import CuratedLoader
from loaders.registry import BuildOptions, selected, shared_data_dir
from queries import memo

RESULTS = Path(__file__).parent / "results"
STEPS = ("build", "queries", "ui", "ladybug", "neo4j", "rdf")


@dataclass
class Row:
    """One line of the table: a metric per scale, in a unit."""

    name: str
    unit: str  # "s" (lower is better) or "rows/s", "x" (ratio), "n" (a count)
    values: dict[int, float] = field(default_factory=dict)


class Table:
    """The results so far; ``on_put`` runs after every measurement (the run prints each value
    and rewrites the Markdown file, so a run cut short still leaves what it measured)."""

    def __init__(self, on_put: Callable[[Table], None] | None = None) -> None:
        self.rows: dict[str, Row] = {}
        self.on_put = on_put

    def put(self, name: str, unit: str, scale: int, value: float) -> None:
        self.rows.setdefault(name, Row(name, unit)).values[scale] = value
        print(f"  ×{scale:<4} {name:<44} {_fmt(value, unit)}", flush=True)
        if self.on_put:
            self.on_put(self)

    def markdown(self, scales: list[int]) -> str:
        head = ["measure", "unit", *[f"×{s}" for s in scales]]
        steps = list(zip(scales, scales[1:], strict=False))
        head += [f"growth ×{a}→×{b} (per ×10)" for a, b in steps]
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in self.rows.values():
            cells = [row.name, row.unit, *[_fmt(row.values.get(s), row.unit) for s in scales]]
            for a, b in steps:
                va, vb = row.values.get(a), row.values.get(b)
                if row.unit in ("s", "rows/s", "n") and va and vb:
                    per10 = (vb / va) ** (1 / max(1e-9, math.log10(b / a)))
                    cells.append(f"{per10:.1f}")
                else:
                    cells.append("")
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "–"
    if unit == "n" or unit == "rows/s":
        return f"{v:,.0f}"
    if unit == "x":
        return f"{v:.2f}"
    return f"{v * 1000:.0f} ms" if v < 1 else f"{v:.2f} s"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines()
                   if x.startswith("MemTotal")) / 2**20
    except (OSError, StopIteration):
        mem = float("nan")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    return (f"{platform.platform()}; {cpu}; {os.cpu_count()} cores; {mem:.0f} GiB RAM; "
            f"Python {platform.python_version()}; "
            f"{java.splitlines()[0] if java else 'no Java'}")


# ------------------------------------------------------------------ steps
def knowledgebase_records(opts: BuildOptions) -> tuple[list[LoadResult], float, float]:
    """The knowledgebase sources at ×1, with their loader time and pandas read floor."""
    clear_parse_caches()
    entries = [e for e in selected(opts) if e.name != "curated"]
    t_load, kb = timed(lambda: [r for e in entries for r in e.load(opts)])
    floor = raw_read_floor(raw_files(opts.source_dir)) if entries else 0.0
    return kb, t_load, floor


def measure_build(table: Table, scale: int, work: Path, kb: list[LoadResult],
                  kb_load: float, kb_floor: float) -> Artefact:
    data = scaled_tables(work / f"data-x{scale}", scale)
    cur_floor = read_floor(sorted(data.glob("*.csv")))
    t_cur, curated = timed(lambda: CuratedLoader(data).load())
    records = curated + scaled_knowledgebase(kb, scale)
    t_build, art = timed(lambda: build(records, work / f"build-x{scale}"))
    counts = art.counts()
    rows = sum(counts["nodes"].values()) + sum(counts["edges"].values())
    total = scale * kb_load + t_cur + t_build
    floor = scale * kb_floor + cur_floor
    table.put("graph rows (nodes + edges)", "n", scale, rows)
    table.put("cohorts", "n", scale, counts["nodes"].get("Cohort", 0))
    table.put("evidence items", "n", scale, counts["nodes"].get("Evidence", 0))
    table.put("build: loaders + kg.build", "s", scale, total)
    table.put("build: kg.build alone", "s", scale, t_build)
    table.put("build: pandas read floor", "s", scale, floor)
    table.put("build / read floor", "x", scale, total / floor if floor else float("nan"))
    return art


def measure_queries(table: Table, scale: int, art: Artefact, repeat: int) -> None:
    for name, fn in QUERIES.items():
        fn(art)  # tables into memory, as in a running UI or CLI session
        cold, warm = [], []
        for _ in range(repeat):
            memo.clear()
            gc.collect()  # earlier runs' garbage is not this run's work
            cold.append(timed(lambda fn=fn: fn(art))[0])
            warm.append(timed(lambda fn=fn: fn(art))[0])  # shared building blocks memoised
        table.put(f"query {name} (cold)", "s", scale, statistics.median(cold))
        table.put(f"query {name} (warm)", "s", scale, statistics.median(warm))


def measure_ui(table: Table, scale: int, art: Artefact) -> None:
    from queries import evidence_table as ui_data

    def first_page() -> None:
        fresh = Artefact(art.path)
        memo.clear()
        fresh.counts()
        ui_data.cohort_rows(fresh, None)
        ui_data.evidence_table(fresh, None)

    first_page()  # imports and one-off set-up of this process stay out of the timing
    table.put("UI data load (first page, cold)", "s", scale, timed(first_page)[0])


def measure_ladybug(table: Table, scale: int, art: Artefact, work: Path) -> None:
    import ladybug  # noqa: F401  (the import stays out of the timing)

    from bench.ladybug_load import raw_copy
    from kg.stores.ladybug import export_ladybug

    seconds = export_ladybug(Artefact(art.path), work / f"x{scale}.lbug").seconds
    floor = raw_copy(art, work / f"raw-x{scale}.lbug")
    table.put("LadybugDB export", "s", scale, seconds)
    table.put("LadybugDB export / raw COPY", "x", scale, seconds / floor)


NEO4J_WARM_UP_SECONDS = 30  # loads on a cold server JVM ran 2-10x slower for about this long


def measure_neo4j(table: Table, scale: int, art: Artefact, uri: str, warm: list[bool],
                  repeat: int) -> None:
    from kg.stores.neo4j import clear_graph, load_artefact

    if not warm:  # the first loads on a cold JVM include its JIT compilation
        clear_graph(uri)
        table.put("Neo4j first load, cold server JVM", "rows/s", scale,
                  load_artefact(art, uri).rows_per_second)
        started = time.perf_counter()
        while time.perf_counter() - started < NEO4J_WARM_UP_SECONDS:
            clear_graph(uri)
            load_artefact(art, uri)
        warm.append(True)
    fresh, again = [], []
    for _ in range(repeat):
        clear_graph(uri)
        fresh.append(load_artefact(art, uri).rows_per_second)
        again.append(load_artefact(art, uri).rows_per_second)  # MERGE, nothing changes
    table.put("Neo4j load, empty server", "rows/s", scale, statistics.median(fresh))
    table.put("Neo4j reload (idempotent)", "rows/s", scale, statistics.median(again))


def measure_rdf(table: Table, scale: int, art: Artefact, work: Path) -> None:
    from kg.stores import rdf

    rdf.converter()  # bioregistry loads once per process
    seconds, _ = timed(lambda: rdf.export(art, work / f"x{scale}.ttl", "turtle", True))
    table.put("RDF Turtle export", "s", scale, seconds)
    (work / f"x{scale}.ttl").unlink(missing_ok=True)


def neo4j_uri(given: str | None) -> tuple[str | None, bool]:
    """The server to load into, and whether this run started it (then it stops it too)."""
    if given:
        return given, False
    from kg.stores import neo4j_server

    if not (shutil.which("java") and shutil.which("mvn")):
        return None, False
    return neo4j_server.start(), True


# ------------------------------------------------------------------ main
def run(table: Table, scales: list[int], steps: set[str], repeat: int, uri: str | None,
        profile: Path | None) -> None:
    opts = BuildOptions(source_dir=shared_data_dir())
    kb, kb_load, kb_floor = knowledgebase_records(opts)
    warm: list[bool] = []
    with tempfile.TemporaryDirectory(prefix="rediscover-bench-") as tmp:
        work = Path(tmp)
        for scale in scales:
            print(f"× {scale}: building …", flush=True)
            profiler = _profiler(profile)
            art = measure_build(table, scale, work, kb, kb_load, kb_floor)
            if "queries" in steps:
                print(f"× {scale}: analyses …", flush=True)
                measure_queries(table, scale, art, repeat)
            _save_profile(profiler, profile, scale)
            if "ui" in steps:
                measure_ui(table, scale, art)
            if "ladybug" in steps:
                print(f"× {scale}: LadybugDB …", flush=True)
                measure_ladybug(table, scale, art, work)
            if "neo4j" in steps and uri:
                print(f"× {scale}: Neo4j …", flush=True)
                measure_neo4j(table, scale, art, uri, warm, repeat)
            if "rdf" in steps:
                print(f"× {scale}: RDF …", flush=True)
                measure_rdf(table, scale, art, work)
            memo.clear()


def _profiler(profile: Path | None):
    if profile is None:
        return None
    from pyinstrument import Profiler

    p = Profiler()
    p.start()
    return p


def _save_profile(profiler, profile: Path | None, scale: int) -> None:
    if profiler is None or profile is None:
        return
    profiler.stop()
    profile.mkdir(parents=True, exist_ok=True)
    (profile / f"build-and-queries-x{scale}.txt").write_text(
        profiler.output_text(unicode=True, show_all=False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10,100", help="comma-separated factors")
    ap.add_argument("--repeat", type=int, default=3, help="runs per analysis (median)")
    ap.add_argument("--skip", default="", help=f"comma-separated steps of {', '.join(STEPS)}")
    ap.add_argument("--uri", default=os.environ.get("NEO4J_URI"),
                    help="Neo4j server (default $NEO4J_URI, else the local harness)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="folder for the Markdown table")
    ap.add_argument("--profile", type=Path, help="write pyinstrument profiles here")
    args = ap.parse_args()
    scales = sorted({int(s) for s in args.scales.split(",") if s.strip()})
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if unknown := skip - set(STEPS):
        ap.error(f"unknown step(s) in --skip: {', '.join(sorted(unknown))}")
    steps = set(STEPS) - skip
    uri, started_server = neo4j_uri(args.uri) if "neo4j" in steps else (None, False)
    if "neo4j" in steps and not uri:
        print("Neo4j: no --uri / $NEO4J_URI and no Java + Maven for the harness: skipped")
    started = time.perf_counter()
    today = dt.date.today().isoformat()
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"{today}.md"
    sources = ", ".join(e.name for e in selected(BuildOptions(source_dir=shared_data_dir())))
    about = machine()

    def write(table: Table, done: bool = False) -> None:
        state = (f"whole run {time.perf_counter() - started:.0f} s" if done else
                 f"**incomplete** (written after {time.perf_counter() - started:.0f} s)")
        out.write_text(
            f"# Benchmarks {today}\n\nMachine: {about}\n\nSources: {sources}. Command: "
            f"`python -m bench --scales {args.scales} --repeat {args.repeat}"
            f"{' --skip ' + args.skip if args.skip else ''}`; {state}. Growth is per ×10 of "
            f"scale (1.0 = constant, 10 = linear). Methods: `bench/__main__.py` docstring."
            f"\n\n{table.markdown(scales)}\n")

    table = Table(on_put=write)
    try:
        run(table, scales, steps, args.repeat, uri, args.profile)
    finally:
        if started_server:
            from kg.stores import neo4j_server

            neo4j_server.stop()
    write(table, done=True)
    print("\n" + table.markdown(scales))
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
