"""Build pipeline: loader records → merged, checked nodes/edges → artefact on disk.

The artefact (Parquet tables per label and relation + ``manifest.json``) is written into a fresh
directory under ``<root>/builds/`` and published by atomically replacing the ``<root>/current``
symlink. A build that fails (bad input, a crash, a kill) never touches the published artefact.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from kg import identifiers
from kg.artefact import CURRENT, Artefact, edge_table_columns, node_table_columns
from kg.errors import Issue, ValidationFailed
from kg.records import Edge, LoadResult, Node, sha256_of
from kg.schema import (
    BOOL,
    FLOAT,
    INT,
    NODE_CLASSES,
    REL_CLASSES,
    SCHEMA_VERSION,
    STR,
    Label,
    Rel,
)

KEEP_BUILDS = 3
Step = Callable[[str], None]


def _coerce(value: Any, kind: str) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if kind == INT:
        return int(value)
    if kind == FLOAT:
        return float(value)
    if kind == BOOL:
        return bool(value)
    return str(value)


def _check_sources(results: list[LoadResult]) -> list[Issue]:
    issues = []
    for r in results:
        for attr in ("name", "version", "licence"):
            if not getattr(r.source, attr):
                issues.append(Issue(f"<source {r.source.name or '?'}>", None, attr,
                                    "every source must declare name, version and licence"))
    return issues


def merge_nodes(results: Iterable[LoadResult]) -> tuple[dict[str, Node], list[Issue]]:
    """One node per id. Several sources may describe the same node (a gene from the curated
    tables and from CIViC): properties are merged first-come, sources joined with ';', and
    ``source_version`` keeps every source's release as ``name=version`` pairs in the same order
    (``curated=f5206bd070a4;civic=01-Apr-2024;cgi=2017-12``): a string, so that every store and
    export (LadybugDB, Neo4j, RDF, GraphML, CSV) holds it alike."""
    merged: dict[str, Node] = {}
    versions: dict[str, dict[str, str]] = {}
    issues: list[Issue] = []
    for r in results:
        for n in r.nodes:
            cls = NODE_CLASSES[n.label]
            unknown = set(n.props) - set(cls.properties)
            if unknown:
                issues.append(Issue(f"<source {n.source}>", None, ",".join(sorted(unknown)),
                                    f"{n.id}: properties not declared for {n.label}"))
                continue
            if not any(n.id.startswith(p + ":") for p in cls.id_prefixes):
                issues.append(Issue(f"<source {n.source}>", None, "id",
                                    f"{n.id}: {n.label} ids start with {cls.id_prefixes}"))
                continue
            bad = identifiers.problem(n.id, registry_patterns=False)
            if bad:
                issues.append(Issue(f"<source {n.source}>", None, "id", f"{n.id}: {bad}"))
                continue
            old = merged.get(n.id)
            if old is None:
                merged[n.id] = n
                versions[n.id] = {n.source: n.source_version}
                continue
            if old.label != n.label:
                issues.append(Issue(f"<source {n.source}>", None, "id",
                                    f"{n.id} is {old.label} in {old.source}, {n.label} here"))
                continue
            versions[n.id].setdefault(n.source, n.source_version)
            props = dict(old.props)
            for k, v in n.props.items():
                if props.get(k) in (None, "") and v not in (None, ""):
                    props[k] = v
            merged[n.id] = Node(n.id, n.label, props, old.source, old.source_version)
    for nid, node in merged.items():
        by_source = versions[nid]
        merged[nid] = Node(nid, node.label, node.props, ";".join(by_source),
                           ";".join(f"{s}={v}" for s, v in by_source.items()))
    return merged, issues


def check_edges(
    nodes: dict[str, Node], results: Iterable[LoadResult]
) -> tuple[list[Edge], list[Issue]]:
    """Referential integrity: both ends exist and the label pair is allowed for the relation."""
    seen: set[tuple[str, str, str, str]] = set()
    edges: list[Edge] = []
    issues: list[Issue] = []
    for r in results:
        for e in r.edges:
            key = (e.src, e.rel, e.dst, e.source)
            if key in seen:
                continue
            seen.add(key)
            a, b = nodes.get(e.src), nodes.get(e.dst)
            if a is None or b is None:
                missing = e.src if a is None else e.dst
                issues.append(Issue(f"<source {e.source}>", None, e.rel,
                                    f"edge {e.src} -> {e.dst} points at missing node {missing}"))
                continue
            if (a.label, b.label) not in REL_CLASSES[e.rel].pairs:
                issues.append(Issue(f"<source {e.source}>", None, e.rel,
                                    f"{a.label}-[{e.rel}]->{b.label} is not in the schema"))
                continue
            edges.append(e)
    return edges, issues


ARROW_TYPES = {STR: pa.string(), INT: pa.int64(), FLOAT: pa.float64(), BOOL: pa.bool_()}


def _arrow_table(rows: list[dict], columns: list[str], kinds: dict[str, str],
                 sort_keys: list[str]) -> pa.Table:
    """Typed Arrow table straight from records: every store then sees the same types.

    Built with pyarrow rather than pandas because most tables are small and pandas' per-frame
    overhead (construction, astype, sort) dominated the build (bench/build.py).
    """
    arrays = {}
    for col in columns:
        kind = kinds.get(col, STR)
        values = [r.get(col) for r in rows]
        if kind == BOOL:
            values = [bool(v) for v in values]
        arrays[col] = pa.array(values, type=ARROW_TYPES[kind])
    table = pa.table(arrays)
    return table.sort_by([(k, "ascending") for k in sort_keys]) if rows else table


def _node_tables(nodes: Iterable[Node]) -> dict[Label, pa.Table]:
    by_label: dict[Label, list[dict]] = defaultdict(list)
    for n in nodes:
        props = NODE_CLASSES[n.label].properties
        row = {"id": n.id, "source": n.source, "source_version": n.source_version}
        row.update({k: _coerce(n.props.get(k), t) for k, t in props.items()})
        by_label[n.label].append(row)
    return {label: _arrow_table(by_label.get(label, []), node_table_columns(label),
                                cls.properties, ["id"])
            for label, cls in NODE_CLASSES.items()}


def _edge_tables(edges: Iterable[Edge], nodes: dict[str, Node]) -> dict[Rel, pa.Table]:
    by_rel: dict[Rel, list[dict]] = defaultdict(list)
    for e in edges:
        row = {"src": e.src, "dst": e.dst, "src_label": str(nodes[e.src].label),
               "dst_label": str(nodes[e.dst].label), "source": e.source,
               "source_version": e.source_version}
        for k, t in REL_CLASSES[e.rel].properties.items():
            row[k] = _coerce(e.props.get(k), t)
        by_rel[e.rel].append(row)
    return {rel: _arrow_table(by_rel.get(rel, []), edge_table_columns(rel), cls.properties,
                              ["src", "dst", "source"])
            for rel, cls in REL_CLASSES.items()}


def build(results: list[LoadResult], root: Path, on_step: Step | None = None) -> Artefact:
    """Merge, check and publish. Raises ValidationFailed (nothing written) on any issue."""
    step = on_step or (lambda _s: None)
    started = time.perf_counter()
    issues = _check_sources(results)
    step("merging nodes")
    nodes, node_issues = merge_nodes(results)
    step("checking edges")
    edges, edge_issues = check_edges(nodes, results)
    issues += node_issues + edge_issues
    if issues:
        raise ValidationFailed(issues)

    step("writing tables")
    root.mkdir(parents=True, exist_ok=True)
    builds = root / "builds"
    builds.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    work = Path(tempfile.mkdtemp(prefix=f".{stamp}-", dir=builds))
    try:
        node_frames = _node_tables(nodes.values())
        edge_frames = _edge_tables(edges, nodes)
        tables: dict[str, str] = {}
        for label, df in node_frames.items():
            tables[f"nodes/{label}.parquet"] = _write(df, work / "nodes" / f"{label}.parquet")
        for rel, df in edge_frames.items():
            tables[f"edges/{rel}.parquet"] = _write(df, work / "edges" / f"{rel}.parquet")
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 3),
            "sources": [_source_entry(r) for r in results],
            "files": files_read(results),
            "counts": {
                "nodes": {str(k): v.num_rows for k, v in node_frames.items()},
                "edges": {str(k): v.num_rows for k, v in edge_frames.items()},
            },
            "tables": tables,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=False))
        step("publishing")
        final = builds / work.name.lstrip(".")
        os.rename(work, final)
        _publish(root, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _prune(builds, keep=root / CURRENT)
    return Artefact.open(root)


def _write(table: pa.Table, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return sha256_of(path)


def _source_entry(r: LoadResult) -> dict:
    entry = asdict(r.source)
    entry["loaded"] = dict(r.loaded)
    entry["skipped"] = dict(r.skipped)
    entry["node_count"] = len(r.nodes)
    entry["edge_count"] = len(r.edges)
    entry["notes"] = list(r.notes)
    return entry


def files_read(results: Iterable[LoadResult]) -> list[dict]:
    """Every file the loaders read, once, with the source it belongs to, that source's release
    and licence (a file borrowed from another source, HGNC read by CIViC, carries its own)."""
    out: dict[str, dict] = {}
    for r in results:
        for f in r.source.files:
            key = str(Path(f.path).resolve())
            if key not in out:
                out[key] = {"path": f.path, "sha256": f.sha256, "rows": f.rows,
                            "source": f.source or r.source.name,
                            "release": f.release or r.source.version,
                            "licence": f.licence or r.source.licence}
    return list(out.values())


def _publish(root: Path, build_dir: Path) -> None:
    """Atomically point ``root/current`` at ``build_dir`` (symlink swap with os.replace)."""
    link = root / CURRENT
    tmp_link = root / f".{CURRENT}.{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(Path("builds") / build_dir.name)
    os.replace(tmp_link, link)


def _prune(builds: Path, keep: Path) -> None:
    """Keep the published build and the newest few others; drop leftovers of killed builds."""
    current = keep.resolve() if keep.exists() else None
    finished = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), reverse=True)
    for old in finished[KEEP_BUILDS:]:
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
    for partial in builds.glob(".*"):
        if time.time() - partial.stat().st_mtime > 3600:
            shutil.rmtree(partial, ignore_errors=True)
