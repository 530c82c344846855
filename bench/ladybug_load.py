"""LadybugDB export rate and its ratio to a raw COPY of the same tables, measured in one run.

Run: `python -m bench.ladybug_load [--genes 20000] [--repeat 3]`. The export = read the artefact,
convert to Arrow, create the schema, COPY, verify counts, swap the file in. The floor = the same
COPY statements from Arrow tables prepared beforehand into a fresh file: what no export can avoid.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.synthetic import synthetic_artefact
from kg.artefact import Artefact
from kg.stores.ladybug import copy_plan, export_ladybug, run_copy
from kg.stores.selection import graph_tables


def raw_copy(art: Artefact, path: Path) -> float:
    import ladybug

    plan = copy_plan(graph_tables(art, include_private=True))
    start = time.perf_counter()
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    run_copy(conn, plan)
    conn.close()
    db.close()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--genes", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-ladybug-"))
    art = synthetic_artefact(work / "build", args.genes)
    rows = sum(art.counts()["nodes"].values()) + sum(art.counts()["edges"].values())
    exports, floors = [], []
    for i in range(args.repeat):
        fresh = Artefact(art.path)  # no cached tables: the export reads Parquet itself
        exports.append(export_ladybug(fresh, work / "graph.lbug").seconds)
        floors.append(raw_copy(art, work / f"raw{i}.lbug"))
    e, f = statistics.median(exports), statistics.median(floors)
    print(f"synthetic artefact: {rows:,} rows; median of {args.repeat}")
    print(f"export_ladybug : {e:6.2f} s  {rows / e:>10,.0f} rows/s")
    print(f"raw COPY floor : {f:6.2f} s  {rows / f:>10,.0f} rows/s")
    print(f"ratio export / raw COPY: {e / f:.2f}")


if __name__ == "__main__":
    main()
