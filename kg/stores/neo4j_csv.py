"""CSV files in the ``neo4j-admin database import full`` format, for bulk-loading large builds.

One node file per label (``nodes/<Label>.csv``: ``id:ID``, ``:LABEL`` and typed property columns
such as ``year:int``) and one relationship file per relation (``relationships/<REL>.csv``:
``:START_ID``, ``:END_ID``, ``:TYPE`` and typed properties), each with its header on the first
line, plus ``import.sh`` holding the matching neo4j-admin command. Ids are globally unique CURIEs,
so one ID space serves every label, and the ``id:ID`` column is stored as the ``id`` property the
Cypher library matches on. Missing values are empty fields (no property is set).
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from kg.artefact import Artefact
from kg.csv_safe import frame_to_csv
from kg.schema import BOOL, FLOAT, INT, NODE_CLASSES, PROVENANCE, REL_CLASSES, STR
from kg.stores.selection import graph_tables

NEO4J_TYPES = {STR: "string", INT: "int", FLOAT: "double", BOOL: "boolean"}
NODES_DIR, RELS_DIR = "nodes", "relationships"
#: Written into every export folder: only a folder holding it may be replaced by a new export.
MARKER = ".rediscover-neo4j-csv"
#: ids, labels and types are read by neo4j-admin, never by a spreadsheet user as text: left as
#: they are (ids are CURIEs and never start with a formula character anyway); every other text
#: cell is neutralised (kg/csv_safe.py), so a property that starts with = + - @ carries a leading
#: quote in a database imported from these files (`kg neo4j load` keeps values exact)
KEY_COLUMNS = ("id:ID", ":LABEL", ":START_ID", ":END_ID", ":TYPE")


class NotAnExportFolder(FileExistsError):
    pass


def _header(name: str, kind: str) -> str:
    return name if kind == STR else f"{name}:{NEO4J_TYPES[kind]}"


def node_frame(label: str, df: pd.DataFrame) -> pd.DataFrame:
    kinds = {**NODE_CLASSES[label].properties, **PROVENANCE}
    out = pd.DataFrame({"id:ID": df["id"]})
    for name, kind in kinds.items():
        out[_header(name, kind)] = _column(df[name], kind)
    out[":LABEL"] = str(label)
    return out


def rel_frame(rel: str, df: pd.DataFrame) -> pd.DataFrame:
    kinds = {**PROVENANCE, **REL_CLASSES[rel].properties}
    out = pd.DataFrame({":START_ID": df["src"], ":END_ID": df["dst"], ":TYPE": str(rel)})
    for name, kind in kinds.items():
        out[_header(name, kind)] = _column(df[name], kind)
    return out


def _column(s: pd.Series, kind: str) -> pd.Series:
    if kind == BOOL:  # neo4j-admin reads true/false
        return s.map(lambda v: None if pd.isna(v) else ("true" if v else "false"))
    return s


def import_command(nodes: list[str], rels: list[str], database: str = "neo4j") -> str:
    """The database name goes first: --nodes/--relationships take several files each and
    would swallow a trailing positional argument."""
    parts = ["neo4j-admin", "database", "import", "full", database, "--multiline-fields=true",
             "--overwrite-destination=true"]
    parts += [f"--nodes={p}" for p in nodes] + [f"--relationships={p}" for p in rels]
    return " ".join(shlex.quote(p) for p in parts)


def export(art: Artefact, out_dir: Path, include_private: bool = False) -> dict[str, int]:
    """Write the CSV set into ``out_dir`` (replaced whole, atomically); returns rows per file."""
    tables = graph_tables(art, include_private)
    out_dir = out_dir.resolve()
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / MARKER).exists():
        raise NotAnExportFolder(f"{out_dir} exists and is not an earlier CSV export: "
                                "choose an empty or new folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    rows: dict[str, int] = {}
    try:
        (work / MARKER).write_text("neo4j-admin CSV export of a Rediscover build\n")
        (work / NODES_DIR).mkdir()
        (work / RELS_DIR).mkdir()
        node_files, rel_files = [], []
        for label, df in tables.nodes.items():
            if df.empty:
                continue
            name = f"{NODES_DIR}/{label}.csv"
            frame_to_csv(node_frame(label, df), work / name, skip=KEY_COLUMNS)
            node_files.append(name)
            rows[name] = len(df)
        for rel, df in tables.edges.items():
            if df.empty:
                continue
            name = f"{RELS_DIR}/{rel}.csv"
            frame_to_csv(rel_frame(rel, df), work / name, skip=KEY_COLUMNS)
            rel_files.append(name)
            rows[name] = len(df)
        script = work / "import.sh"
        script.write_text("#!/bin/sh\n# Run from this folder with the Neo4j server stopped.\n"
                          "set -e\ncd \"$(dirname \"$0\")\"\n"
                          f"{import_command(node_files, rel_files)}\n")
        script.chmod(0o755)
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.rename(out_dir, old)
            os.rename(work, out_dir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return rows
