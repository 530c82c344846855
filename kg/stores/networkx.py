"""networkx store: the artefact as an in-memory MultiDiGraph (node attrs = properties)."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from kg.artefact import Artefact
from kg.schema import NODE_CLASSES, REL_CLASSES


def to_networkx(art: Artefact, include_private: bool = True) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    hidden: set[str] = set()
    for label in NODE_CLASSES:
        df = art.nodes(label)
        if not include_private and "private" in df.columns:
            hidden |= set(df.loc[df["private"].fillna(False).astype(bool), "id"])
            df = df[~df["id"].isin(hidden)]
        for rec in df.to_dict("records"):
            attrs = {k: v for k, v in rec.items() if k != "id" and not _missing(v)}
            g.add_node(rec["id"], label=str(label), **attrs)
    for rel in REL_CLASSES:
        df = art.edges(rel)
        for rec in df.to_dict("records"):
            if rec["src"] in hidden or rec["dst"] in hidden:
                continue
            attrs = {k: v for k, v in rec.items()
                     if k not in ("src", "dst", "src_label", "dst_label") and not _missing(v)}
            g.add_edge(rec["src"], rec["dst"], key=str(rel), rel=str(rel), **attrs)
    return g


def _missing(v: object) -> bool:
    return v is None or (not isinstance(v, (list, tuple, dict)) and pd.isna(v))
