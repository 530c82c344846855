"""LadybugDB store: the artefact as an embedded Cypher database file (a rebuildable cache).

The schema is declared from kg/schema.py (one NODE table per label, one REL table per relation
with every FROM/TO pair the schema allows) and filled with bulk ``COPY … FROM <arrow table>``.
Why Arrow and not the DataFrame: LadybugDB's pandas scan rejects pandas' nullable dtypes
(Int64, boolean, string), which the artefact uses to keep missing values missing.

The file is built under a temporary name beside the target and swapped in with ``os.replace``:
LadybugDB does not keep a reader in another process away from a writer, so readers must never
see a file that is still being written.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from kg.artefact import Artefact
from kg.schema import BOOL, FLOAT, INT, NODE_CLASSES, PROVENANCE, REL_CLASSES, STR, Label, Rel
from kg.stores.selection import GraphTables, graph_tables

FILE_NAME = "graph.lbug"
LADYBUG_TYPES = {STR: "STRING", INT: "INT64", FLOAT: "DOUBLE", BOOL: "BOOLEAN"}
ARROW_TYPES = {STR: pa.string(), INT: pa.int64(), FLOAT: pa.float64(), BOOL: pa.bool_()}


def default_path(art: Artefact) -> Path:
    """The cache lives inside the build it mirrors, so it can never describe another build."""
    return art.path / FILE_NAME


def meta_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".json")


# ---------------------------------------------------------------------------------- schema
def node_columns(label: Label) -> dict[str, str]:
    return {"id": STR, **NODE_CLASSES[label].properties, **PROVENANCE}


def rel_columns(rel: Rel) -> dict[str, str]:
    """Edge properties in COPY order (after the two key columns src, dst)."""
    return {**PROVENANCE, **REL_CLASSES[rel].properties}


def ddl() -> list[str]:
    """CREATE statements for every label and relation, generated from the schema."""
    out = []
    for label in NODE_CLASSES:
        cols = ", ".join(f"{c} {LADYBUG_TYPES[t]}" for c, t in node_columns(label).items())
        out.append(f"CREATE NODE TABLE {label}({cols}, PRIMARY KEY(id))")
    for rel, cls in REL_CLASSES.items():
        pairs = ", ".join(f"FROM {a} TO {b}" for a, b in cls.pairs)
        props = "".join(f", {c} {LADYBUG_TYPES[t]}" for c, t in rel_columns(rel).items())
        out.append(f"CREATE REL TABLE {rel}({pairs}{props})")
    return out


def _arrow(df: pd.DataFrame, columns: dict[str, str]) -> pa.Table:
    arrays = [pa.array(df[c].astype(object).where(df[c].notna(), None).tolist(),
                       type=ARROW_TYPES[t]) for c, t in columns.items()]
    return pa.Table.from_arrays(arrays, names=list(columns))


def copy_plan(tables: GraphTables) -> list[tuple[str, pa.Table, str]]:
    """(table name, Arrow table, COPY options) in load order: nodes before the edges that need
    them. A relation with several label pairs is copied once per pair."""
    plan: list[tuple[str, pa.Table, str]] = []
    for label, df in tables.nodes.items():
        if len(df):
            plan.append((str(label), _arrow(df, node_columns(label)), ""))
    for rel, df in tables.edges.items():
        cols = {"src": STR, "dst": STR, **rel_columns(rel)}
        pairs = REL_CLASSES[rel].pairs
        for a, b in pairs:
            part = df[(df["src_label"] == str(a)) & (df["dst_label"] == str(b))]
            if len(part):
                opts = f" (from='{a}', to='{b}')" if len(pairs) > 1 else ""
                plan.append((str(rel), _arrow(part, cols), opts))
    return plan


def run_copy(conn, plan: list[tuple[str, pa.Table, str]]) -> None:
    """Create the schema and bulk-load the planned tables into an open connection."""
    for statement in ddl():
        conn.execute(statement)
    for name, table, opts in plan:
        _copy_one(conn, name, table, opts)


def _copy_one(conn, name: str, table: pa.Table, opts: str) -> None:
    # LadybugDB's COPY reads the Python variable named in the statement from the caller's scope.
    arrow_table = table  # noqa: F841 - referenced by name inside the COPY statement
    conn.execute(f"COPY {name} FROM arrow_table{opts}")


# ---------------------------------------------------------------------------------- export
@dataclass
class LadybugReport:
    path: str
    include_private: bool
    built_at: str
    counts: dict[str, dict[str, int]]
    left_out_private: dict[str, int]
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def export_ladybug(art: Artefact, out: Path | None = None,
                   include_private: bool = True) -> LadybugReport:
    """Write the artefact into a LadybugDB file and swap it in atomically.

    ``include_private`` is True for the local cache (it mirrors the local artefact, which holds
    a committee's private cohorts too); ``kg export ladybug`` passes False unless asked, because
    a file handed to others is an export.
    """
    import ladybug

    started = time.perf_counter()
    out = (out or default_path(art)).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tables = graph_tables(art, include_private=include_private)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    _remove_db_files(tmp)
    try:
        db = ladybug.Database(str(tmp))
        conn = ladybug.Connection(db)
        run_copy(conn, copy_plan(tables))
        counts = _count(conn)
        conn.close()
        db.close()
        expected = tables.counts()
        if counts != expected:
            raise RuntimeError(f"LadybugDB counts {counts} differ from the artefact {expected}")
        report = LadybugReport(str(out), include_private, art.manifest.get("built_at", ""),
                               counts, tables.left_out, tables.total_rows,
                               round(time.perf_counter() - started, 3))
        meta_tmp = meta_path(tmp)
        meta_tmp.write_text(json.dumps(asdict(report), indent=2))
        # A write-ahead log left by a crashed writer of the old file must not be replayed
        # into the new one.
        Path(str(out) + ".wal").unlink(missing_ok=True)
        os.replace(tmp, out)
        os.replace(meta_tmp, meta_path(out))
    finally:
        _remove_db_files(tmp)
    return report


def ensure_cache(art: Artefact) -> Path:
    """The build's local LadybugDB cache, written on first use (the one place it is made).

    The cache mirrors the local artefact, committee rows included; it is not an export
    (``kg export ladybug`` leaves private rows out unless asked)."""
    path = default_path(art)
    if not path.exists():
        export_ladybug(art, path, include_private=True)
    return path


def _remove_db_files(db: Path) -> None:
    for p in (db, Path(str(db) + ".wal"), meta_path(db)):
        p.unlink(missing_ok=True)


def _count(conn) -> dict[str, dict[str, int]]:
    nodes = {str(label): _scalar(conn, f"MATCH (n:{label}) RETURN count(n)")
             for label in NODE_CLASSES}
    edges = {str(rel): _scalar(conn, f"MATCH ()-[r:{rel}]->() RETURN count(r)")
             for rel in REL_CLASSES}
    return {"nodes": nodes, "edges": edges}


def _scalar(conn, query: str) -> int:
    res = conn.execute(query)
    return int(res.get_next()[0])


def read_meta(db_path: Path) -> dict | None:
    p = meta_path(db_path)
    return json.loads(p.read_text()) if p.exists() else None
