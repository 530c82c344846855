"""GraphML export for Cytoscape and Gephi, through networkx.

Each node keeps its id, a ``label`` attribute (the schema label) and its properties; each edge
keeps ``rel``, ``source``, ``source_version`` and its properties. GraphML declares one type per
attribute name, so a property that two labels type differently (``level`` is a string on
Alteration and an integer on TumourType) is written as a string. Edges get the key
``<REL>|<source>``: two sources asserting the same fact stay two edges, as in the manifest
(kg.stores.networkx keys edges by relation only and would merge them).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from kg.artefact import Artefact
from kg.schema import BOOL, FLOAT, INT, NODE_CLASSES, PROVENANCE, REL_CLASSES, STR
from kg.stores.selection import GraphTables, graph_tables

_CAST = {INT: int, FLOAT: float, BOOL: bool, STR: str}
_EDGE_ENDS = ("src", "dst", "src_label", "dst_label")


def unified_types(classes: list[dict[str, str]]) -> dict[str, str]:
    """One type per attribute name across classes; disagreements fall back to string."""
    out: dict[str, str] = {}
    for props in classes:
        for name, kind in props.items():
            out[name] = kind if out.get(name, kind) == kind else STR
    return out


NODE_TYPES = unified_types([{**c.properties, **PROVENANCE} for c in NODE_CLASSES.values()])
EDGE_TYPES = unified_types([{**PROVENANCE, **c.properties} for c in REL_CLASSES.values()])


def _value(v: Any, kind: str) -> Any:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return _CAST[kind](v)


def to_multigraph(tables: GraphTables) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for label, df in tables.nodes.items():
        for rec in df.to_dict("records"):
            attrs = {k: _value(rec.get(k), t) for k, t in NODE_TYPES.items() if k in rec}
            g.add_node(rec["id"], label=str(label),
                       **{k: v for k, v in attrs.items() if v is not None})
    for rel, df in tables.edges.items():
        for rec in df.to_dict("records"):
            attrs = {k: _value(rec.get(k), t) for k, t in EDGE_TYPES.items()
                     if k in rec and k not in _EDGE_ENDS}
            g.add_edge(rec["src"], rec["dst"], key=f"{rel}|{rec['source']}", rel=str(rel),
                       **{k: v for k, v in attrs.items() if v is not None})
    return g


def export(art: Artefact, path: Path, include_private: bool = False) -> tuple[int, int]:
    """Write GraphML atomically; returns (nodes, edges) written."""
    g = to_multigraph(graph_tables(art, include_private))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        nx.write_graphml(g, tmp, named_key_ids=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return g.number_of_nodes(), g.number_of_edges()
