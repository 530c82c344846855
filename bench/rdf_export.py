"""RDF export of the full graph: rdflib's in-memory store against the Oxigraph store (oxrdflib).

Run: `python -m bench.rdf_export [--root BUILD_DIR] [--data-dir DIR] [--repeat N]`. Without
--root it builds the graph from every source present (curated tables + ../shared/data) into a
temporary folder first. For each store it times, in one run: filling the graph from the
artefact, writing Turtle, parsing the Turtle back and a SPARQL count by label; then prints the
ratios memory / Oxigraph (machines are noisy, compare ratios). The GraphML and neo4j-admin CSV
exports are timed beside them. kg.stores.rdf uses the store these numbers favour.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench import timed
from kg.artefact import Artefact
from kg.build import build
from kg.stores import graphml, neo4j_csv, rdf
from loaders.registry import BuildOptions, selected, shared_data_dir

PHASES = ("triples", "fill", "write turtle", "parse turtle", "sparql count", "export (total)")


def full_artefact(root: Path | None, data_dir: Path | None, work: Path) -> Artefact:
    if root is not None:
        return Artefact.open(root)
    opts = BuildOptions(source_dir=shared_data_dir())
    if data_dir is not None:
        opts = BuildOptions(source_dir=shared_data_dir(), data_dir=data_dir)
    results = [r for entry in selected(opts) for r in entry.load(opts)]
    return build(results, work / "build")


#: variant name -> (rdflib store used to write/parse/query, how the graph is filled)
VARIANTS = {
    "rdflib memory": (rdf.MEMORY, "rdflib"),
    "Oxigraph via rdflib terms": (rdf.OXIGRAPH, "rdflib"),
    "Oxigraph native (chosen)": (rdf.OXIGRAPH, "native"),
}
CHOSEN = "Oxigraph native (chosen)"


def filled(variant: str, triples: list) -> object:
    store, how = VARIANTS[variant]
    if how == "native":
        import pyoxigraph

        ox_store = pyoxigraph.Store()
        rdf.fill_oxigraph(ox_store, triples)
        return rdf.wrap(ox_store)
    return rdf.fill(rdf.new_graph(store), triples)


def measure(art: Artefact, variant: str, work: Path) -> dict[str, float]:
    store = VARIANTS[variant][0]
    t_triples, triples = timed(lambda: list(rdf.artefact_triples(art, include_private=True)))
    t_fill, g = timed(lambda: filled(variant, triples))
    path = work / "bench.ttl"
    t_write, _ = timed(lambda: rdf.serialize(g, path, "turtle", store))
    t_parse, back = timed(lambda: rdf.parse(path, "turtle", store))
    assert len(back) == len(g), "Turtle did not parse back to the same number of triples"
    t_count, _ = timed(lambda: rdf.counts(back))
    return {"triples": t_triples, "fill": t_fill, "write turtle": t_write,
            "parse turtle": t_parse, "sparql count": t_count,
            "export (total)": t_triples + t_fill + t_write,
            "n_triples": len(g), "bytes": path.stat().st_size}


def run(root: Path | None = None, data_dir: Path | None = None, repeat: int = 1) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        t_build, art = timed(lambda: full_artefact(root, data_dir, work))
        counts = art.counts()
        rdf.converter()  # bioregistry loads once per process; keep it out of the timings
        results: dict[str, dict[str, float]] = {}
        for variant in VARIANTS:
            runs = [measure(art, variant, work) for _ in range(repeat)]
            results[variant] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        t_export, _ = timed(lambda: rdf.export(art, work / "x.ttl", "turtle", True))
        t_graphml, _ = timed(lambda: graphml.export(art, work / "g.graphml", True))
        t_csv, _ = timed(lambda: neo4j_csv.export(art, work / "csv", True))
    return {"build_seconds": t_build, "nodes": sum(counts["nodes"].values()),
            "edges": sum(counts["edges"].values()), "stores": results,
            "export_seconds": t_export, "graphml_seconds": t_graphml, "csv_seconds": t_csv}


def report(r: dict) -> None:
    best = r["stores"][CHOSEN]
    print(f"graph: {r['nodes']} nodes, {r['edges']} edges -> {int(best['n_triples'])} triples, "
          f"Turtle {best['bytes'] / 1e6:.1f} MB (build {r['build_seconds']:.1f} s)")
    names = list(VARIANTS)
    print(f"{'seconds':<15}" + "".join(f"{n:>27}" for n in names) + "   ratio memory/chosen")
    for phase in PHASES:
        row = [r["stores"][n][phase] for n in names]
        ratio = row[0] / best[phase] if best[phase] else float("inf")
        print(f"{phase:<15}" + "".join(f"{v:>27.2f}" for v in row) + f"{ratio:>18.1f}x")
    print(f"`kg export rdf` (turtle) end to end: {r['export_seconds']:.2f} s; GraphML "
          f"{r['graphml_seconds']:.2f} s; neo4j-admin CSV {r['csv_seconds']:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, help="An existing build directory (skips the build).")
    ap.add_argument("--data-dir", type=Path, help="Curated tables folder for the build.")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    report(run(args.root, args.data_dir, args.repeat))


if __name__ == "__main__":
    main()
