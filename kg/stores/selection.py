"""Which rows of an artefact a store receives: everything, or everything but private rows.

A trial committee's own cohorts (``private=True`` on Cohort and Result nodes) stay local: every
export leaves them out, with every edge touching them, unless the user asks for them. So do
records that only a private source brought (a regimen that only a committee table names, and an
edge only it stamped): their existence alone would tell what the committee tests. A record that a
public source brought too is kept, but its provenance loses the private source's name and version
(``curated;committee:x.csv`` → ``curated``), or the name would tell the same. Stores call
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


def private_sources(art: Artefact) -> set[str]:
    """Names of the build's private sources (committee tables), from its manifest."""
    return {s["name"] for s in art.manifest.get("sources", []) if s.get("private")}


def only_private(sources: pd.Series, secret: set[str]) -> pd.Series:
    """True where every source of a row (``;``-joined names) is private."""
    if not secret:
        return pd.Series(False, index=sources.index)
    return sources.fillna("").map(lambda s: all(x in secret for x in s.split(";"))).astype(bool)


def any_private(sources: pd.Series, secret: set[str]) -> pd.Series:
    """True where at least one source of a row (``;``-joined names) is private: a figure built
    partly from a committee's table is marked private wherever it is shown."""
    return sources.fillna("").astype(str).map(
        lambda s: any(part in secret for part in s.split(";") if part))


def private_label(source: object, private: object) -> str:
    """How a row's origin is shown: a committee's (private) rows are always marked as such."""
    src = "" if source is None or pd.isna(source) else str(source)
    flagged = False if private is None or pd.isna(private) else bool(private)
    return f"🔒 private · {src}" if flagged else src


def private_ids(art: Artefact) -> set[str]:
    """Nodes flagged private, or brought by private sources alone."""
    secret = private_sources(art)
    hidden: set[str] = set()
    for label in NODE_CLASSES:
        df = art.nodes(label)
        flagged = only_private(df["source"], secret)
        if "private" in df.columns:
            flagged |= df["private"].fillna(False).astype(bool)
        hidden |= set(df.loc[flagged, "id"])
    return hidden


def graph_tables(art: Artefact, include_private: bool = False) -> GraphTables:
    """Node and edge tables as stored in the artefact, minus private rows unless included.

    The artefact's own tables are checked against its manifest first, so a store that verifies
    itself against these counts is verified against the manifest too.
    """
    manifest = art.counts()
    hidden = set() if include_private else private_ids(art)
    secret = set() if include_private else private_sources(art)
    versions = {s["name"]: s.get("version") or "" for s in art.manifest.get("sources", [])}
    nodes: dict[Label, pd.DataFrame] = {}
    edges: dict[Rel, pd.DataFrame] = {}
    left_out: dict[str, int] = {}
    for label in NODE_CLASSES:
        df = art.nodes(label)
        _check(len(df), manifest["nodes"].get(str(label), 0), str(label))
        keep = ~df["id"].isin(hidden)
        nodes[label] = public_provenance(df[keep].reset_index(drop=True), secret, versions)
        if (~keep).any():
            left_out[str(label)] = int((~keep).sum())
    for rel in REL_CLASSES:
        df = art.edges(rel)
        _check(len(df), manifest["edges"].get(str(rel), 0), str(rel))
        keep = ~(df["src"].isin(hidden) | df["dst"].isin(hidden)
                 | only_private(df["source"], secret))
        edges[rel] = public_provenance(df[keep].reset_index(drop=True), secret, versions)
        if (~keep).any():
            left_out[str(rel)] = int((~keep).sum())
    return GraphTables(nodes, edges, left_out)


def public_provenance(df: pd.DataFrame, secret: set[str],
                      versions: dict[str, str]) -> pd.DataFrame:
    """``source`` and ``source_version`` without the private sources' names and versions.

    ``source`` is a ``;``-joined list; ``source_version`` is either a list aligned with it (one
    version per source, filtered alike) or the first source's version, which is replaced by the
    manifest's version of the new first source when the first source was private."""
    if not secret or df.empty:
        return df
    touched = df["source"].fillna("").map(lambda s: any(x in secret for x in s.split(";")))
    if not touched.any():
        return df
    df = df.copy()
    for i in df.index[touched.to_numpy()]:
        names = str(df.at[i, "source"]).split(";")
        raw = df.at[i, "source_version"]
        given = [] if pd.isna(raw) else str(raw).split(";")
        public = [n for n in names if n not in secret]
        if len(given) == len(names) and len(names) > 1:
            kept = [v for n, v in zip(names, given, strict=True) if n not in secret]
        elif names[0] in secret:
            kept = [versions.get(public[0], "")]
        else:
            kept = given
        df.at[i, "source"] = ";".join(public)
        df.at[i, "source_version"] = ";".join(kept) or None
    return df


def _check(found: int, declared: int, name: str) -> None:
    if found != declared:
        raise ValueError(f"artefact table {name} has {found} rows but the manifest says "
                         f"{declared}: the build directory was changed after publishing")
