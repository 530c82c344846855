"""Neo4j load rate (rows per second) on a synthetic artefact: CREATE vs MERGE, batch sizes and
parallel labels, all measured in one run against one server.

Run: `python -m bench.neo4j_load [--genes 20000] [--uri bolt://…]` (default $NEO4J_URI, else
the local harness, started if needed). Rows = nodes + edges; every run ends with the prune and
count verification, so the rate is the whole idempotent load, not only the writes.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from bench.synthetic import synthetic_artefact
from kg.stores.neo4j import clear_graph, load_artefact


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--genes", type=int, default=20_000)
    ap.add_argument("--uri", default=os.environ.get("NEO4J_URI"))
    ap.add_argument("--batches", default="5000,10000,20000")
    ap.add_argument("--workers", default="1,2,4")
    args = ap.parse_args()
    if not args.uri:
        from kg.stores import neo4j_server

        args.uri = neo4j_server.start()
    art = synthetic_artefact(Path(tempfile.mkdtemp(prefix="bench-neo4j-")), args.genes)
    rows = sum(art.counts()["nodes"].values()) + sum(art.counts()["edges"].values())
    print(f"synthetic artefact: {rows:,} rows; server {args.uri}")

    for _ in range(2):  # warm-up: the first loads on a cold JVM are not representative
        clear_graph(args.uri)
        load_artefact(art, args.uri)

    def run(label: str, fresh: bool, **opts) -> float:
        if fresh:
            clear_graph(args.uri)
        rep = load_artefact(art, args.uri, **opts)
        phases = ", ".join(f"{k} {v:.1f}s" for k, v in rep.phases.items())
        print(f"{label:<44} {rep.rows_per_second:>10,.0f} rows/s  ({rep.seconds:.1f} s: {phases})")
        return rep.rows_per_second

    results = {}
    for b in (int(x) for x in args.batches.split(",")):
        results[("create", b, 2)] = run(f"fresh CREATE  batch {b:>6} workers 2", True,
                                        batch_size=b, workers=2, mode="auto")
    best_b = max((k for k in results if k[0] == "create"), key=results.get)[1]
    for w in (int(x) for x in args.workers.split(",")):
        results[("create", best_b, w)] = run(f"fresh CREATE  batch {best_b:>6} workers {w}",
                                             True, batch_size=best_b, workers=w, mode="auto")
    results[("merge-fresh", best_b, 2)] = run(f"fresh MERGE   batch {best_b:>6} workers 2",
                                              True, batch_size=best_b, workers=2, mode="merge")
    results[("merge-again", best_b, 2)] = run(f"reload MERGE (idempotent) batch {best_b:>6}",
                                              False, batch_size=best_b, workers=2)
    best = max(results, key=results.get)
    print(f"\nbest: {best} at {results[best]:,.0f} rows/s")
    print(f"CREATE / MERGE on an empty server: "
          f"{results[('create', best_b, 2)] / results[('merge-fresh', best_b, 2)]:.2f}x")


if __name__ == "__main__":
    main()
