"""Which rows of an artefact a store receives: everything, or everything but private rows.

A trial committee's own cohorts (``private=True`` on Cohort and Result nodes) stay local: every
export leaves them out, with every edge touching them, unless the user asks for them. Stores call
``graph_tables`` so that the rule and the expected counts live in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kg.artefact import Artefact
from kg.schema import NODE_CLASSES, REL_CLASSES, Label, Rel


@dataclass
class GraphTables:
    nodes: dict[Label, pd.DataFrame]
    edges: dict[Rel, pd.DataFrame]
    #: rows left out because they are private (or touch a private node)
    left_out: dict[str, int]

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts in the manifest's shape, for verifying a store after loading."""
        return {"nodes": {str(k): len(v) for k, v in self.nodes.items()},
                "edges": {str(k): len(v) for k, v in self.edges.items()}}

    @property
    def total_rows(self) -> int:
        return sum(map(len, self.nodes.values())) + sum(map(len, self.edges.values()))


def private_ids(art: Artefact) -> set[str]:
    hidden: set[str] = set()
    for label in NODE_CLASSES:
        df = art.nodes(label)
        if "private" in df.columns:
            hidden |= set(df.loc[df["private"].fillna(False).astype(bool), "id"])
    return hidden


def graph_tables(art: Artefact, include_private: bool = False) -> GraphTables:
    """Node and edge tables as stored in the artefact, minus private rows unless included.

    The artefact's own tables are checked against its manifest first, so a store that verifies
    itself against these counts is verified against the manifest too.
    """
    manifest = art.counts()
    hidden = set() if include_private else private_ids(art)
    nodes: dict[Label, pd.DataFrame] = {}
    edges: dict[Rel, pd.DataFrame] = {}
    left_out: dict[str, int] = {}
    for label in NODE_CLASSES:
        df = art.nodes(label)
        _check(len(df), manifest["nodes"].get(str(label), 0), str(label))
        keep = ~df["id"].isin(hidden)
        nodes[label] = df[keep].reset_index(drop=True)
        if (~keep).any():
            left_out[str(label)] = int((~keep).sum())
    for rel in REL_CLASSES:
        df = art.edges(rel)
        _check(len(df), manifest["edges"].get(str(rel), 0), str(rel))
        keep = ~(df["src"].isin(hidden) | df["dst"].isin(hidden))
        edges[rel] = df[keep].reset_index(drop=True)
        if (~keep).any():
            left_out[str(rel)] = int((~keep).sum())
    return GraphTables(nodes, edges, left_out)


def _check(found: int, declared: int, name: str) -> None:
    if found != declared:
        raise ValueError(f"artefact table {name} has {found} rows but the manifest says "
                         f"{declared}: the build directory was changed after publishing")
