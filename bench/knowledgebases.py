"""Build time with the open knowledgebases (OncoTree, Disease Ontology, CIViC) next to the floor.

Run: `python -m bench.knowledgebases [--repeat N] [--data-dir DIR]`. Measures, in one run:
- the curated tables alone (loaders + kg.build, no LadybugDB cache);
- curated + oncotree + disease_ontology + civic;
- the floor: pandas/json reading exactly the raw files those three loaders read (HGNC, OncoTree
  tree and mappings, DOID JSON, CIViC evidence/assertions/variants/genes, MOA therapy crosswalk).
Prints seconds and ratios (machines are noisy: compare ratios, not seconds).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd

from kg.build import build
from loaders.civic import find_release
from loaders.curated import DATA_DIR
from loaders.registry import BuildOptions, selected, shared_data_dir

KB_SOURCES = ("oncotree", "disease_ontology", "civic")


def raw_files(source_dir: Path) -> list[Path]:
    rel = find_release(source_dir / "civic")
    civic = [p for p in (rel.evidence, rel.assertions, rel.variants, rel.genes) if p]
    return [*sorted((source_dir / "hgnc").glob("*.tsv")),
            *sorted((source_dir / "oncotree").glob("oncotree_*[0-9].json")),
            source_dir / "oncotree" / "ontology_mappings.txt",
            *sorted((source_dir / "disease_ontology").glob("doid*.json")),
            source_dir / "moalmanac" / "therapy_crosswalk.tsv", *civic]


def read_floor(files: list[Path]) -> float:
    start = time.perf_counter()
    for p in files:
        if p.suffix == ".json":
            json.loads(p.read_text(encoding="utf-8"))
        else:
            pd.read_csv(p, sep="\t", dtype=str, quoting=csv.QUOTE_NONE, engine="python",
                        on_bad_lines="skip")
    return time.perf_counter() - start


def clear_parse_caches() -> None:
    """The loaders cache parsed HGNC/OncoTree/DO per process: clear them for a cold run."""
    from loaders.disease_ontology import disease_ontology
    from loaders.normalise.genes import gene_resolver
    from loaders.oncotree import oncotree

    for cached in (disease_ontology, gene_resolver, oncotree):
        cached.cache_clear()


def build_once(opts: BuildOptions) -> float:
    clear_parse_caches()
    start = time.perf_counter()
    results = []
    for entry in selected(opts):
        results += entry.load(opts)
    with tempfile.TemporaryDirectory() as tmp:
        build(results, Path(tmp))
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--data-dir", type=Path, default=DATA_DIR)
    args = ap.parse_args()
    src = shared_data_dir()
    curated = BuildOptions(data_dir=args.data_dir, source_dir=src, sources=("curated",))
    full = BuildOptions(data_dir=args.data_dir, source_dir=src, sources=KB_SOURCES)
    files = raw_files(src)
    floor = statistics.median(read_floor(files) for _ in range(args.repeat))
    t_cur = statistics.median(build_once(curated) for _ in range(args.repeat))
    t_all = statistics.median(build_once(full) for _ in range(args.repeat))
    mb = sum(p.stat().st_size for p in files) / 1e6
    print(f"raw files: {len(files)} ({mb:.1f} MB)  read floor (pandas/json): {floor:.3f} s")
    print(f"build curated only: {t_cur:.3f} s   build curated + {', '.join(KB_SOURCES)}: "
          f"{t_all:.3f} s")
    print(f"ratio full build / floor: {t_all / floor:.1f}x   "
          f"knowledgebase part (full - curated) / floor: {(t_all - t_cur) / floor:.1f}x")


if __name__ == "__main__":
    main()
