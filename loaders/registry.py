"""The list of sources a build can use, and where their files are found.

``kg build`` asks the registry for the loaders that are enabled and whose files are present, runs
them, and passes the records to ``kg.build``. Each entry names its licence so that the README,
the manifest and the tests can check it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.records import LoadResult
from loaders.curated import DATA_DIR, CuratedLoader

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """Snapshots of open sources: $REDISCOVER_SHARED_DATA, else ../shared/data beside the repo."""
    return Path(os.environ.get("REDISCOVER_SHARED_DATA", REPO.parent / "shared" / "data"))


@dataclass(frozen=True)
class BuildOptions:
    data_dir: Path = DATA_DIR
    cohort_tables: tuple[Path, ...] = ()
    source_dir: Path | None = None  # folder with one sub-folder per source (snapshots/cache)
    sources: tuple[str, ...] | None = None  # None = every source whose files are present


@dataclass(frozen=True)
class SourceEntry:
    name: str
    licence: str
    optional: bool  # True: only when asked for by name (e.g. licence restrictions)
    available: Callable[[BuildOptions], bool]
    load: Callable[[BuildOptions], list[LoadResult]]
    description: str


def _curated(opts: BuildOptions) -> list[LoadResult]:
    return CuratedLoader(opts.data_dir, list(opts.cohort_tables)).load()


def _source_dir(opts: BuildOptions) -> Path:
    """Folder with one sub-folder per source: --source-dir, else the shared snapshots, else the
    `kg fetch` cache (when the snapshot folder does not exist)."""
    from loaders.fetch import cache_dir

    root = opts.source_dir or shared_data_dir()
    return root if root.is_dir() else cache_dir()


def _oncotree(opts: BuildOptions) -> list[LoadResult]:
    from loaders import oncotree

    return [oncotree.load(_source_dir(opts))]


def _disease_ontology(opts: BuildOptions) -> list[LoadResult]:
    from loaders import disease_ontology

    return [disease_ontology.load(_source_dir(opts))]


def _civic(opts: BuildOptions) -> list[LoadResult]:
    from loaders.civic import CivicLoader

    return [CivicLoader(_source_dir(opts), opts.data_dir / "drugs.csv").load()]


def _present(module: str) -> Callable[[BuildOptions], bool]:
    def check(opts: BuildOptions) -> bool:
        import importlib

        return importlib.import_module(f"loaders.{module}").available(_source_dir(opts))

    return check


def _cgi(opts: BuildOptions) -> list[LoadResult]:
    from loaders import cgi

    return [cgi.load(_source_dir(opts), opts.data_dir)]


def _cgi_available(opts: BuildOptions) -> bool:
    from loaders import cgi

    return cgi.available(_source_dir(opts))


def _moalmanac(opts: BuildOptions) -> list[LoadResult]:
    from loaders import moalmanac

    return [moalmanac.load(_source_dir(opts), opts.data_dir)]


def _moalmanac_available(opts: BuildOptions) -> bool:
    from loaders import moalmanac

    return moalmanac.available(_source_dir(opts))


SOURCES: list[SourceEntry] = [
    SourceEntry("curated", "CC BY 4.0", False, lambda o: True, _curated,
                "curated trial-cohort outcomes, trials, drugs, alterations (data/)"),
    SourceEntry("oncotree", "CC BY 4.0 (credit Memorial Sloan Kettering Cancer Center)", False,
                _present("oncotree"), _oncotree,
                "OncoTree tumour types, xrefs and code history (<source-dir>/oncotree)"),
    SourceEntry("disease_ontology", "CC0 1.0", False, _present("disease_ontology"),
                _disease_ontology, "Disease Ontology neoplasm branch mapped to OncoTree "
                "(<source-dir>/disease_ontology)"),
    SourceEntry("civic", "CC0 1.0", False, _present("civic"), _civic,
                "CIViC evidence items and assertions (<source-dir>/civic; needs hgnc, "
                "oncotree, disease_ontology)"),
    SourceEntry("cgi", "CC0 1.0", False, _cgi_available, _cgi,
                "Cancer Genome Interpreter biomarkers (<source-dir>/cgi)"),
    SourceEntry("moalmanac", "GPL-2.0, research use only", True, _moalmanac_available,
                _moalmanac, "MOAlmanac assertions, only with --source moalmanac "
                "(<source-dir>/moalmanac)"),
]


def selected(opts: BuildOptions) -> list[SourceEntry]:
    """Curated always; others when named, or when present and not optional."""
    out = []
    for entry in SOURCES:
        if entry.name == "curated":
            out.append(entry)
        elif opts.sources is not None:
            if entry.name in opts.sources:
                out.append(entry)
        elif not entry.optional and entry.available(opts):
            out.append(entry)
    if opts.sources:
        unknown = set(opts.sources) - {e.name for e in SOURCES}
        if unknown:
            raise ValueError(f"unknown source(s): {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(e.name for e in SOURCES)}")
    return out
