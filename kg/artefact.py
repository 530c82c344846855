"""Read side of a built graph: Parquet tables per label and relation, plus the manifest.

This is the graph API the analyses and the UI use: typed DataFrames per label/relation, lookups
by id, and neighbourhoods. Engines (networkx, LadybugDB, Neo4j, RDF) are fed from it.
"""

from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path

import pandas as pd

from kg.schema import NODE_CLASSES, PROVENANCE, REL_CLASSES, Label, Rel

CURRENT = "current"


def default_root() -> Path:
    """Where builds live: $REDISCOVER_BUILD_DIR, else ./build."""
    return Path(os.environ.get("REDISCOVER_BUILD_DIR", "build")).resolve()


def node_table_columns(label: Label) -> list[str]:
    return ["id", *NODE_CLASSES[label].properties, *PROVENANCE]


def edge_table_columns(rel: Rel) -> list[str]:
    return ["src", "dst", "src_label", "dst_label", *PROVENANCE, *REL_CLASSES[rel].properties]


def _read(path: Path) -> pd.DataFrame:
    """Nullable pandas dtypes (Int64, Float64, string, boolean): a missing count stays missing
    instead of turning an integer column into floats."""
    return pd.read_parquet(path, dtype_backend="numpy_nullable")


class ArtefactMissing(FileNotFoundError):
    pass


class Artefact:
    """A published build. Tables are read lazily and cached per instance."""

    def __init__(self, path: Path):
        self.path = path
        self.manifest: dict = json.loads((path / "manifest.json").read_text())
        self._nodes: dict[Label, pd.DataFrame] = {}
        self._edges: dict[Rel, pd.DataFrame] = {}

    @classmethod
    def open(cls, root: Path | None = None) -> Artefact:
        root = root or default_root()
        link = root / CURRENT
        if not (link / "manifest.json").exists():
            raise ArtefactMissing(f"no built graph under {root}: run `kg build` first")
        return cls(link.resolve())

    # ------------------------------------------------------------------ tables
    def nodes(self, label: Label | str) -> pd.DataFrame:
        label = Label(label)
        if label not in self._nodes:
            self._nodes[label] = _read(self.path / "nodes" / f"{label}.parquet")
        return self._nodes[label]

    def edges(self, rel: Rel | str) -> pd.DataFrame:
        rel = Rel(rel)
        if rel not in self._edges:
            self._edges[rel] = _read(self.path / "edges" / f"{rel}.parquet")
        return self._edges[rel]

    @cached_property
    def all_nodes(self) -> pd.DataFrame:
        """id, label, name, source of every node (for lookups and search)."""
        frames = [
            self.nodes(label)[["id", "name", "source"]].assign(label=str(label))
            for label in NODE_CLASSES
        ]
        return pd.concat(frames, ignore_index=True).set_index("id", drop=False)

    @cached_property
    def all_edges(self) -> pd.DataFrame:
        frames = [self.edges(rel)[["src", "dst", "source"]].assign(rel=str(rel))
                  for rel in REL_CLASSES]
        return pd.concat(frames, ignore_index=True)

    # ------------------------------------------------------------------ lookups
    def label_of(self, node_id: str) -> Label | None:
        try:
            return Label(self.all_nodes.at[node_id, "label"])
        except KeyError:
            return None

    def node(self, node_id: str) -> dict | None:
        label = self.label_of(node_id)
        if label is None:
            return None
        df = self.nodes(label)
        row = df.loc[df["id"] == node_id].iloc[0].to_dict()
        row = {k: (None if pd.isna(v) else v) for k, v in row.items()}
        row["label"] = str(label)
        return row

    def neighbours(self, node_id: str) -> pd.DataFrame:
        """Edges touching a node: direction, rel, other id/label/name, source."""
        e = self.all_edges
        out = e[e["src"] == node_id].rename(columns={"dst": "other"}).assign(direction="out")
        inc = e[e["dst"] == node_id].rename(columns={"src": "other"}).assign(direction="in")
        both = pd.concat([out.drop(columns=["src"]), inc.drop(columns=["dst"])],
                         ignore_index=True)
        names = self.all_nodes[["label", "name"]]
        both = both.join(names, on="other")
        return both[["direction", "rel", "other", "label", "name", "source"]]

    def counts(self) -> dict[str, dict[str, int]]:
        return self.manifest["counts"]
