"""The source registry: every entry checked the same way (as PyKEEN's dataset tests do), every
file a build reads in its manifest, and MOAlmanac never touched by a default build."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from kg.build import build
from kg.records import sha256_of
from loaders.disease_ontology import disease_ontology
from loaders.normalise.genes import gene_resolver
from loaders.oncotree import oncotree
from loaders.registry import (
    BY_NAME,
    DATA_DIR,
    SOURCES,
    BuildOptions,
    entry,
    fetchable,
    run,
    selected,
)

#: every file opened while ``_OPENED`` is a list (an audit hook cannot be removed, so it is
#: installed once and switched by this variable)
_OPENED: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _OPENED is not None and isinstance(args[0], str | Path):
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)


def _clear_caches() -> None:
    """Parsed HGNC, OncoTree and DO are cached per process: empty them so the build reads."""
    for cached in (oncotree, disease_ontology, gene_resolver):
        cached.cache_clear()


def _build_recording(opts: BuildOptions, root: Path):
    global _OPENED
    _clear_caches()
    _OPENED = []
    try:
        entries = selected(opts)
        names = frozenset(e.name for e in entries)
        results = [r for e in entries for r in run(e, opts, names)]
        art = build(results, root)
        opened = list(_OPENED)
    finally:
        _OPENED = None
    return art, opened


@pytest.fixture(scope="module")
def default_build(shared_data, tmp_path_factory):
    return _build_recording(BuildOptions(source_dir=shared_data), tmp_path_factory.mktemp("dflt"))


def _under(path: str, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


# ---------------------------------------------------------------- every entry
@pytest.mark.parametrize("e", SOURCES, ids=[e.name for e in SOURCES])
def test_entry_is_complete(e):
    assert e.licence and e.citation and e.description and e.expected
    assert set(e.requires) <= set(BY_NAME) - {e.name}
    if e.loader is not None:
        module, func = e.loader.split(":")
        assert callable(getattr(importlib.import_module(module), func))
    if e.fetch is not None:
        assert e.fetch.source == e.name and e.fetch.files and e.fetch.default_release
    # licences as the sources state them (README table; CGI per reusabledata.org)
    expected_licence = {"curated": "CC BY 4.0", "oncotree": "CC BY 4.0", "hgnc": "CC0 1.0",
                        "disease_ontology": "CC0 1.0", "civic": "CC0 1.0", "cgi": "CC0 1.0",
                        "moalmanac": "GPL-2.0"}[e.name]
    assert e.licence.startswith(expected_licence)


def test_folders_are_distinct_and_every_fetchable_source_has_an_entry():
    folders = [e.folder for e in SOURCES if e.name != "curated"]
    assert len(folders) == len(set(folders))
    assert set(fetchable()) == {e.name for e in SOURCES if e.name != "curated"}


def test_only_moalmanac_is_optional():
    assert [e.name for e in SOURCES if e.optional] == ["moalmanac"]


@pytest.mark.shared_data
@pytest.mark.parametrize("e", [e for e in SOURCES if e.loader], ids=lambda e: e.name)
def test_entry_loads_alone_and_declares_what_it_read(e, shared_data):
    """Each loader on its own: its records carry the entry's licence and citation, every file
    it lists exists with that checksum and lies in its own folder or a required source's."""
    opts = BuildOptions(source_dir=shared_data)
    assert e.name == "curated" or e.present(shared_data)
    results = run(e, opts)
    info = results[0].source
    assert (info.name, info.licence, info.citation) == (e.name, e.licence, e.citation)
    assert info.version and info.files and results[0].nodes
    allowed = {entry(r).folder for r in e.requires} | {e.folder}
    for f in info.files:
        path = Path(f.path)
        assert sha256_of(path) == f.sha256
        owner = f.source or e.name
        if owner == "curated" or e.name == "curated":
            assert _under(f.path, DATA_DIR)
        else:
            assert path.resolve().parent.name in allowed, f.path


# ---------------------------------------------------------------- the manifest
@pytest.mark.shared_data
def test_every_file_a_default_build_opens_is_in_its_manifest(default_build, shared_data):
    art, opened = default_build
    listed = {str(Path(f["path"]).resolve()): f for f in art.manifest["files"]}
    read = {str(Path(p).resolve()) for p in opened
            if _under(p, shared_data) or _under(p, DATA_DIR)}
    assert read and read <= set(listed), sorted(read - set(listed))
    for f in listed.values():
        assert f["sha256"] and f["release"] and f["licence"], f
    # what HGNC, OncoTree and DO files declare comes from their own entries, not the reader's
    releases: dict[str, set[str]] = {}
    for f in listed.values():
        releases.setdefault(f["source"], set()).add(f["release"])
    assert releases["hgnc"] == {"hgnc_complete_2024-07"}
    assert {f["licence"] for f in listed.values() if f["source"] == "oncotree"} == {"CC BY 4.0"}
    # the 2024 evidence file; assertions from 2021, the newest release that has them
    assert releases["civic"] == {"01-Apr-2024", "01-Aug-2021"}
    # the checksum civic/SOURCE.md states for the 2024 evidence file
    evidence = next(f for f in listed.values()
                    if f["path"].endswith("01-Apr-2024-ClinicalEvidenceSummaries.tsv"))
    assert evidence["sha256"] in (shared_data / "civic" / "SOURCE.md").read_text()


# ---------------------------------------------------------------- MOAlmanac stays out
@pytest.mark.shared_data
def test_a_default_build_opens_no_moalmanac_file(default_build, shared_data):
    art, opened = default_build
    moa = shared_data / "moalmanac"
    assert moa.is_dir()  # the folder is there to be read, and is not
    assert [p for p in opened if _under(p, moa)] == []
    assert not any(f["source"] == "moalmanac" for f in art.manifest["files"])
    assert "moalmanac" not in {s["name"] for s in art.manifest["sources"]}


@pytest.mark.shared_data
def test_a_default_build_gives_the_same_tables_without_the_moalmanac_folder(
        default_build, shared_data, tmp_path):
    """The shared tree minus moalmanac/ (symlinks): every table has the same checksum."""
    art, _ = default_build
    without = tmp_path / "sources"
    without.mkdir()
    for child in shared_data.iterdir():
        if child.name != "moalmanac":
            (without / child.name).symlink_to(child.resolve())
    other, opened = _build_recording(BuildOptions(source_dir=without), tmp_path / "build")
    assert other.manifest["tables"] == art.manifest["tables"]
    assert other.counts() == art.counts()


@pytest.mark.shared_data
def test_asking_for_moalmanac_reads_it_and_its_crosswalk(shared_data, tmp_path):
    opts = BuildOptions(source_dir=shared_data, sources=("civic", "hgnc", "moalmanac"))
    names = [e.name for e in selected(opts)]
    assert names == ["curated", "civic", "moalmanac"]  # hgnc has no loader: an input only
    _clear_caches()
    civic = run(entry("civic"), opts, frozenset(names))[0]
    crosswalk = [f for f in civic.source.files if f.path.endswith("therapy_crosswalk.tsv")]
    assert [(f.source, f.licence.split(" ")[0]) for f in crosswalk] == [("moalmanac", "GPL-2.0")]


# ---------------------------------------------------------------- merged provenance
@pytest.mark.shared_data
def test_a_merged_node_keeps_every_source_release_in_tables_graphml_and_networkx(
        default_build, tmp_path):
    """HGNC:10261 (RET) is described by the curated genes, CIViC and CGI: each one's release,
    as the manifest records it, travels with the node into every store."""
    import networkx as nx

    from kg.stores import graphml
    from kg.stores.networkx import to_networkx

    art, _ = default_build
    release = {s["name"]: s["version"] for s in art.manifest["sources"]}
    expected = (f"curated={release['curated']};civic=01-Apr-2024;cgi=2017-12")
    genes = art.nodes("Gene").set_index("id")
    assert (genes.at["HGNC:10261", "source"], genes.at["HGNC:10261", "source_version"]) == (
        "curated;civic;cgi", expected)
    assert to_networkx(art).nodes["HGNC:10261"]["source_version"] == expected
    graphml.export(art, tmp_path / "g.graphml")
    assert nx.read_graphml(tmp_path / "g.graphml").nodes["HGNC:10261"]["source_version"] == (
        expected)
