"""Node search and neighbourhood walks over the graph API (the graph explorer's queries)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from kg.artefact import Artefact
from kg.stores.selection import private_ids

SEARCH_LIMIT = 200


def search_nodes(art: Artefact, text: str, limit: int = SEARCH_LIMIT) -> tuple[pd.DataFrame, int]:
    """Nodes whose id or name contains ``text`` (case-insensitive), exact matches first.

    Returns (the first ``limit`` hits, how many there are in all), so a caller can say that a
    list stopped at its cap."""
    nodes = art.all_nodes
    if not text.strip():
        return nodes.head(limit), len(nodes)
    t = text.strip().lower()
    name = nodes["name"].fillna("").str.lower()
    ident = nodes["id"].str.lower()
    hit = name.str.contains(t, regex=False) | ident.str.contains(t, regex=False)
    found = nodes[hit].assign(_exact=(name[hit] == t) | (ident[hit] == t))
    found = found.sort_values(["_exact", "name"], ascending=[False, True]).drop(columns="_exact")
    return found.head(limit), len(found)


def neighbourhood(art: Artefact, centre: str, depth: int = 1, rels: Iterable[str] = (),
                  max_nodes: int = 150) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Nodes and edges within ``depth`` steps of ``centre`` over the chosen relations.

    Returns (nodes, edges, total_found): when more than ``max_nodes`` nodes are reachable the
    closest ones are kept (breadth first) and ``total_found`` says how many there were."""
    edges = art.all_edges
    rels = list(rels)
    if rels:
        edges = edges[edges["rel"].isin(rels)]
    hops = {centre: 0}
    frontier = {centre}
    for step in range(1, depth + 1):
        touching = edges[edges["src"].isin(frontier) | edges["dst"].isin(frontier)]
        frontier = (set(touching["src"]) | set(touching["dst"])) - set(hops)
        hops.update(dict.fromkeys(frontier, step))
        if not frontier:
            break
    ordered = sorted(hops, key=lambda n: (hops[n], n))[:max_nodes]
    kept = set(ordered)
    info = art.all_nodes.reindex(ordered)[["label", "name", "source"]]
    nodes = info.assign(id=ordered, hops=[hops[n] for n in ordered]).reset_index(drop=True)
    nodes["private"] = nodes["id"].isin(private_ids(art))
    edge_df = edges[edges["src"].isin(kept) & edges["dst"].isin(kept)].reset_index(drop=True)
    return nodes[["id", "label", "name", "hops", "source", "private"]], edge_df, len(hops)
