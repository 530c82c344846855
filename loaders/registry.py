"""Every source a build can use, each described once: folder, licence, citation, how to fetch
it, the other sources' files it reads and the files it expects.

``kg build`` asks the registry for the entries that are enabled and present, hands each loader
its inputs (``Inputs``: folders of the sources it requires, curated tables, crosswalks) and stamps
each result with the entry's licence and citation (``source_info``). The manifest then lists
every file read (``Inputs.files_read``). Nothing here imports a loader at module level: loaders
import ``source_info`` from this module.
"""

from __future__ import annotations

import importlib
import importlib.resources
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.records import LoadResult, SourceFile, SourceInfo, sha256_of
from loaders.fetch import FetchSpec, RemoteFile, read_fetch_record

REPO = Path(__file__).resolve().parents[1]
#: the curated tables ship as the ``data`` package (found in a checkout and in an installed wheel)
DATA_DIR = Path(str(importlib.resources.files("data")))


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
    """One source. ``expected``: glob patterns inside ``folder``; each tuple is satisfied by any
    of its patterns, and the source is present when every tuple is. ``requires``: the entries
    whose files the loader also reads. ``loader``: ``module:function`` taking ``Inputs``, or
    None for a source that only feeds others (HGNC)."""

    name: str
    folder: str
    licence: str
    citation: str
    description: str
    expected: tuple[tuple[str, ...], ...]
    requires: tuple[str, ...] = ()
    optional: bool = False  # True: only when asked for by name (licence restrictions)
    fetch: FetchSpec | None = None
    loader: str | None = None

    def load(self, opts: BuildOptions) -> list[LoadResult]:
        """The records of this source as part of the build ``opts`` describes."""
        return run(self, opts, frozenset(x.name for x in selected(opts)))

    def available(self, opts: BuildOptions) -> bool:
        return available(self, opts)

    def present(self, root: Path) -> bool:
        folder = root / self.folder
        return all(any(any(folder.glob(p)) for p in alternatives)
                   for alternatives in self.expected)


_CIVIC = "https://civicdb.org/downloads/{release}/{release}-"
#: (file kind, optional): v1 releases (to 2023) have GeneSummaries, v2 Feature/MolecularProfile
_CIVIC_FILES = (("ClinicalEvidenceSummaries", False), ("VariantSummaries", False),
                ("AssertionSummaries", False), ("VariantGroupSummaries", True),
                ("FeatureSummaries", True), ("MolecularProfileSummaries", True),
                ("GeneSummaries", True))
_MOA = "https://raw.githubusercontent.com/vanallenlab/moalmanac-db/{release}/"
_MOA_REFERENCED = ("about", "agents", "biomarkers", "codings", "contributions", "diseases",
                   "documents", "genes", "indications", "mappings", "propositions", "statements",
                   "strengths", "therapies", "therapy_groups", "urls")
_DO = "https://raw.githubusercontent.com/DiseaseOntology/HumanDiseaseOntology/{release}/src/ontology/"
_HGNC = ("hgnc_complete*.t*", "*.tsv")
_ONCOTREE = ("oncotree_*.json", "oncotree_*_flat.tsv")
MOA_THERAPY_CROSSWALK = "therapy_crosswalk.tsv"

SOURCES: list[SourceEntry] = [
    SourceEntry(
        "curated", "", "CC BY 4.0",
        "Rediscover curated cohort tables, transcribed from the cited publications (OncoTree "
        "rows: Memorial Sloan Kettering Cancer Center, CC BY 4.0)",
        "curated trial-cohort outcomes, trials, drugs, alterations (data/)",
        (("cohorts.csv",), ("trials.csv",), ("drugs.csv",), ("alterations.csv",),
         ("genes.csv",), ("tumour_types.csv",), ("arms.csv",)),
        loader="loaders.curated:load_entry"),
    SourceEntry(
        "hgnc", "hgnc", "CC0 1.0",
        "HGNC Database, HUGO Gene Nomenclature Committee (genenames.org)",
        "gene symbols, aliases and previous symbols → HGNC ids (read by the evidence loaders)",
        (_HGNC,),
        fetch=FetchSpec(
            "hgnc",
            # saved as .tsv (it is tab-separated) so every *.tsv glob finds it
            (RemoteFile("hgnc_complete_set.tsv", "https://storage.googleapis.com/"
                        "public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt"),),
            "current", "https://www.genenames.org/download/statistics-and-files/",
            "always the current complete set (release is recorded as the fetch date)")),
    SourceEntry(
        "oncotree", "oncotree", "CC BY 4.0",
        "OncoTree, Memorial Sloan Kettering Cancer Center (github.com/cBioPortal/oncotree); "
        "Kundra et al. 2021, JCO Clin Cancer Inform 5:221",
        "OncoTree tumour types, xrefs and code history (<source-dir>/oncotree)",
        (_ONCOTREE,),
        fetch=FetchSpec(
            "oncotree",
            (RemoteFile("{release}.json",
                        "https://oncotree.mskcc.org/api/tumorTypes/tree?version={release}"),),
            "oncotree_latest_stable", "https://oncotree.mskcc.org",
            "release: oncotree_latest_stable or a dated tree such as oncotree_2025_10_03"),
        loader="loaders.oncotree:load_entry"),
    SourceEntry(
        "disease_ontology", "disease_ontology", "CC0 1.0",
        "Human Disease Ontology (disease-ontology.org); Schriml et al., Nucleic Acids Res",
        "Disease Ontology neoplasm branch mapped to OncoTree (<source-dir>/disease_ontology)",
        (("doid*.json", "*.obo"),), requires=("oncotree",),
        fetch=FetchSpec(
            # the OBO file only: DO's doid.json is OBO Graphs JSON, not the term-list JSON that
            # loaders/disease_ontology.py reads from doid*.json
            "disease_ontology", (RemoteFile("doid.obo", _DO + "doid.obo"),),
            "main", "https://github.com/DiseaseOntology/HumanDiseaseOntology",
            "release: a git ref of the DO repository, e.g. main or v2024-07-31"),
        loader="loaders.disease_ontology:load_entry"),
    SourceEntry(
        "civic", "civic", "CC0 1.0",
        "CIViC (civicdb.org); Griffith et al. 2017, Nat Genet 49:170",
        "CIViC evidence items and assertions, newest release present (<source-dir>/civic)",
        (("*ClinicalEvidenceSummaries.tsv",),),
        requires=("hgnc", "oncotree", "disease_ontology"),
        fetch=FetchSpec(
            "civic",
            tuple(RemoteFile("{release}-" + f"{k}.tsv", _CIVIC + f"{k}.tsv", optional=opt)
                  for k, opt in _CIVIC_FILES),
            "nightly", "https://civicdb.org/releases",
            "release: 'nightly' or a monthly release such as 01-Feb-2025"),
        loader="loaders.civic:load_entry"),
    SourceEntry(
        "cgi", "cgi",
        "CC0 1.0 (per reusabledata.org; check the CGI site terms before commercial use)",
        "Cancer Genome Interpreter Cancer Biomarkers database; Tamborero et al. 2018, "
        "Genome Med 10:25",
        "Cancer Genome Interpreter biomarkers (<source-dir>/cgi; tumour acronyms through "
        "data/cgi_tumour_acronyms.csv)",
        (("cgi_biomarkers*.tsv",),), requires=("hgnc", "oncotree"),
        fetch=FetchSpec(
            "cgi",
            (RemoteFile("cgi_biomarkers_latest.zip",
                        "https://www.cancergenomeinterpreter.org/data/biomarkers/"
                        "cgi_biomarkers_latest.zip", unzip=True),),
            "latest", "https://www.cancergenomeinterpreter.org/biomarkers",
            "the zip is unpacked; its TSV files are kept"),
        loader="loaders.cgi:load_entry"),
    SourceEntry(
        "moalmanac", "moalmanac",
        "GPL-2.0 (research use only; not for diagnostic, clinical or commercial use)",
        "Molecular Oncology Almanac (github.com/vanallenlab/moalmanac-db); Reardon et al. "
        "2021, Nat Cancer 2:1102",
        "MOAlmanac assertions, only with --source moalmanac (<source-dir>/moalmanac; its "
        "therapy crosswalk then also codes CIViC and CGI drugs)",
        (("molecular-oncology-almanac.json",),), requires=("hgnc", "oncotree"), optional=True,
        fetch=FetchSpec(
            "moalmanac",
            (RemoteFile("molecular-oncology-almanac.json",
                        _MOA + "molecular-oncology-almanac.json"),
             *(RemoteFile(f"referenced/{k}.json", _MOA + f"referenced/{k}.json")
               for k in _MOA_REFERENCED)),
            "main", "https://github.com/vanallenlab/moalmanac-db",
            "release: a git ref of moalmanac-db, e.g. main or v.2026-05-07"),
        loader="loaders.moalmanac:load_entry"),
]
BY_NAME: dict[str, SourceEntry] = {e.name: e for e in SOURCES}


def entry(name: str) -> SourceEntry:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(BY_NAME)}") from None


def fetchable() -> dict[str, FetchSpec]:
    """Sources `kg fetch` can download, by name."""
    return {e.name: e.fetch for e in SOURCES if e.fetch is not None}


def source_info(name: str, version: str, files: list[SourceFile] | None = None,
                **kw) -> SourceInfo:
    """A loader's provenance, with the licence and citation of its registry entry."""
    e = entry(name)
    return SourceInfo(name, version, e.licence, e.citation, files if files is not None else [],
                      **kw)


# ---------------------------------------------------------------- what a loader is given
@dataclass
class Inputs:
    """What a loader reads, resolved once by the registry."""

    entry: SourceEntry
    source_dir: Path
    data_dir: Path
    cohort_tables: tuple[Path, ...] = ()
    #: names of every source in this build (a crosswalk is used only when its source is)
    building: frozenset[str] = frozenset()
    #: files of other sources read for this one: recorded in the manifest under their source
    borrowed: list[SourceFile] = field(default_factory=list)

    def folder(self, name: str | None = None) -> Path:
        """The folder of this entry, or of a source it requires."""
        e = entry(name or self.entry.name)
        if name and name not in self.entry.requires and name != self.entry.name:
            raise ValueError(f"{self.entry.name} reads {name} but does not require it")
        return self.data_dir if e.name == "curated" else self.source_dir / e.folder

    @property
    def drug_crosswalks(self) -> tuple[Path, ...]:
        """MOAlmanac's therapy crosswalk, only when MOAlmanac itself is part of the build."""
        if "moalmanac" not in self.building and self.entry.name != "moalmanac":
            return ()
        path = self.source_dir / entry("moalmanac").folder / MOA_THERAPY_CROSSWALK
        return (path,) if path.exists() else ()

    def borrow(self, name: str, version: str, files: Iterable[Path | SourceFile]) -> None:
        """Record files of another source read by this loader (HGNC, OncoTree, a crosswalk)."""
        licence = entry(name).licence
        for f in files:
            if isinstance(f, SourceFile):
                f = SourceFile(f.path, f.sha256, f.rows, name, version, licence)
            else:
                f = SourceFile(str(f), sha256_of(f), None, name, version, licence)
            if all(b.path != f.path for b in self.borrowed):
                self.borrowed.append(f)

    def stamp(self, result: LoadResult) -> LoadResult:
        """Add the borrowed files to a loader's own (called by the loader before returning)."""
        known = {f.path for f in result.source.files}
        result.source.files.extend(b for b in self.borrowed if b.path not in known)
        return result


def _source_dir(opts: BuildOptions) -> Path:
    """Folder with one sub-folder per source: --source-dir, else the shared snapshots, else the
    `kg fetch` cache (when the snapshot folder does not exist)."""
    from loaders.fetch import cache_dir

    root = opts.source_dir or shared_data_dir()
    return root if root.is_dir() else cache_dir()


def available(e: SourceEntry, opts: BuildOptions) -> bool:
    """Its files and those of every source it requires are present."""
    if e.name == "curated":
        return True
    root = _source_dir(opts)
    return e.present(root) and all(entry(r).present(root) for r in e.requires)


def fetched_version(folder: Path) -> str | None:
    """The release recorded by `kg fetch` for this folder, if it was fetched."""
    rec = read_fetch_record(folder)
    return rec.version if rec else None


def run(e: SourceEntry, opts: BuildOptions, building: frozenset[str] = frozenset()
        ) -> list[LoadResult]:
    """Run one entry's loader; files it borrowed from other sources join its manifest files."""
    if e.loader is None:
        return []
    module, func = e.loader.split(":")
    inputs = Inputs(e, _source_dir(opts), opts.data_dir, opts.cohort_tables,
                    building or frozenset({e.name}))
    return getattr(importlib.import_module(module), func)(inputs)


def selected(opts: BuildOptions) -> list[SourceEntry]:
    """Curated always; others with a loader when named, or when present and not optional."""
    if opts.sources:
        unknown = set(opts.sources) - set(BY_NAME)
        if unknown:
            raise ValueError(f"unknown source(s): {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(BY_NAME)}")
    out = []
    for e in SOURCES:
        if e.loader is None:
            continue
        if e.name == "curated":
            out.append(e)
        elif opts.sources is not None:
            if e.name in opts.sources:
                out.append(e)
        elif not e.optional and available(e, opts):
            out.append(e)
    return out


def inputs_for(name: str, source_dir: Path, data_dir: Path = DATA_DIR) -> Inputs:
    """Inputs of one source read on its own (tests, benchmarks, loaders' load() shortcuts)."""
    return Inputs(entry(name), source_dir, data_dir, building=frozenset({name}))
