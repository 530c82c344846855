"""Build time of the bundled graph next to the floor: pandas reading the same input files.

Run: `python -m bench.build [--repeat N] [--all-sources]`. Prints seconds and the ratio
build / read-floor (both measured in this run; machines are noisy, compare ratios).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from kg.build import build
from loaders.registry import BuildOptions, selected, shared_data_dir


def input_files(opts: BuildOptions, sources: list[str]) -> list[Path]:
    files = sorted(opts.data_dir.glob("*.csv"))
    if opts.source_dir is not None:
        for name in sources:
            if name == "curated":
                continue
            folder = opts.source_dir / name
            files += sorted(p for p in folder.rglob("*") if p.suffix in (".tsv", ".csv", ".json",
                                                                          ".txt", ".obo"))
    return files


def read_floor(files: list[Path]) -> float:
    """Time for pandas (or json) to read every input file once: the cost no build can avoid."""
    start = time.perf_counter()
    for p in files:
        if p.suffix == ".json":
            pd.read_json(p, typ="series") if p.stat().st_size < 5e7 else p.read_bytes()
        elif p.suffix == ".obo":
            p.read_text()
        else:
            sep = "," if p.suffix == ".csv" else "\t"
            pd.read_csv(p, sep=sep, dtype=str, quoting=3 if sep == "\t" else 0,
                        on_bad_lines="skip", engine="python" if sep == "\t" else "c")
    return time.perf_counter() - start


def build_once(opts: BuildOptions) -> tuple[float, dict]:
    start = time.perf_counter()
    results = []
    for entry in selected(opts):
        results += entry.load(opts)
    with tempfile.TemporaryDirectory() as tmp:
        art = build(results, Path(tmp))
        counts = art.counts()
    return time.perf_counter() - start, counts


def run(repeat: int = 3, all_sources: bool = False) -> dict:
    opts = BuildOptions(source_dir=shared_data_dir(),
                        sources=None if all_sources else ("curated",))
    names = [e.name for e in selected(opts)]
    files = input_files(opts, names)
    floors = [read_floor(files) for _ in range(repeat)]
    builds = [build_once(opts)[0] for _ in range(repeat)]
    _, counts = build_once(opts)
    floor, built = statistics.median(floors), statistics.median(builds)
    return {"sources": names, "files": len(files), "read_floor_s": floor, "build_s": built,
            "ratio": built / floor if floor else float("nan"),
            "nodes": sum(counts["nodes"].values()), "edges": sum(counts["edges"].values())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--all-sources", action="store_true",
                    help="every source present under the shared data folder")
    args = ap.parse_args()
    r = run(args.repeat, args.all_sources)
    print(f"sources: {', '.join(r['sources'])} ({r['files']} files, {r['nodes']} nodes, "
          f"{r['edges']} edges)")
    print(f"read floor (pandas): {r['read_floor_s']:.3f} s   build: {r['build_s']:.3f} s   "
          f"ratio build/floor: {r['ratio']:.1f}x")


if __name__ == "__main__":
    main()
