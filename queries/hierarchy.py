"""Roll-ups along the graph's hierarchies: alterations, OncoTree tumour types, treatments.

Each function maps an id to the key of its group at a chosen level, walking IS_A edges (child →
parent). The level is always a visible parameter, so a reader sees which cohorts were pooled.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd

from kg.artefact import Artefact
from kg.schema import ROOT_TUMOUR, Label, Rel
from queries import memo
from queries.frames import grouped_sets, in_set
from queries.memo import per_artefact
from queries.params import (
    ALTERATION_LEVELS,
    TREATMENT_LEVELS,
    check_choice,
    parse_tumour_level,
)

MIXED = "mixed"
#: Alteration kinds that select no carriers (biomarker-negative comparators, unselected
#: cohorts): shown per cohort, left out of signals, gaps and candidates.
NON_CARRIER_KINDS = ("negative", "none", "wildtype")


@per_artefact
def carrier_alterations(art: Artefact) -> set[str]:
    alts = art.nodes(Label.ALTERATION)
    return {a for a, kind in zip(alts["id"].tolist(), alts["kind"].tolist(), strict=True)
            if kind not in NON_CARRIER_KINDS}


def is_carrier(art: Artefact, alterations: pd.Series) -> pd.Series:
    """Which of these alteration ids select carriers."""
    return in_set(alterations, carrier_alterations(art))


def hierarchy(art: Artefact, label: Label) -> nx.DiGraph:
    """The IS_A hierarchy of one label as a DAG, edges child → parent.

    A node may have several parents (a fusion sits under both partner genes), so roll-ups walk
    the graph, never a child → parent dict."""
    return _hierarchy(art, label)


@per_artefact
def _hierarchy(art: Artefact, label: Label) -> nx.DiGraph:
    e = art.edges(Rel.IS_A)
    edges = [(s, d) for s, d, lab in zip(e["src"].tolist(), e["dst"].tolist(),
                                         e["src_label"].tolist(), strict=True)
             if lab == str(label)]
    dag = nx.DiGraph(edges)
    dag.add_nodes_from(set(art.nodes(label)["id"].tolist()).difference(dag))  # isolated
    return dag


@per_artefact
def _topological_order(art: Artefact, label: Label) -> list[str]:
    """The hierarchy's nodes, every child before its parents (shared by the passes over it)."""
    return list(nx.topological_sort(_hierarchy(art, label)))


def ancestors(dag: nx.DiGraph, node: str) -> list[str]:
    """The node then every ancestor, nearest first (ties by id, so the order is stable)."""
    if node not in dag:
        return [node]
    dist = nx.single_source_shortest_path_length(dag, node)
    return sorted(dist, key=lambda a: (dist[a], a))


def descendants(dag: nx.DiGraph, node: str) -> set[str]:
    """The node and everything below it."""
    return ({node} | nx.ancestors(dag, node)) if node in dag else {node}


def alteration_groups(art: Artefact, level: str) -> pd.DataFrame:
    """alteration → group id and name at ``level`` (an alteration may have several groups).

    The group is the nearest ancestor-or-self whose level is at least as coarse as the one asked
    for (variant < codon < exon < kind < gene < group; signature stays itself); when no ancestor
    is that coarse, the coarsest one. So at ``codon`` BRAF V600E joins BRAF V600, and a cohort
    that already selects any BRAF mutation stays a group of its own (it cannot be split). An
    alteration with two parents at that level (a fusion under both partners) belongs to both;
    :func:`queries.outcomes.annotate` keeps the one the treatment targets."""
    check_choice("alteration level", level, ALTERATION_LEVELS)
    return _alteration_groups(art, level)


@per_artefact
def _alteration_groups(art: Artefact, level: str) -> pd.DataFrame:
    alts = art.nodes(Label.ALTERATION)
    ids = alts["id"].tolist()  # iterating an Arrow-backed column element by element is slow
    levels = dict(zip(ids, alts["level"].tolist(), strict=True))
    dag = _hierarchy(art, Label.ALTERATION)
    rank = {name: i for i, name in enumerate(ALTERATION_LEVELS)}
    want = rank[level]
    # parents before children: each node's nearest ancestors-or-self at that level (with their
    # distance), and the DAG's tops above it, from its parents' (one pass, no walk per node;
    # a node with one parent shares its parent's sets, which are never changed)
    nearest: dict[str, tuple[float, set[str]]] = {}
    tops: dict[str, set[str]] = {}
    parents_of = dag.succ
    for node in reversed(_topological_order(art, Label.ALTERATION)):
        parents = list(parents_of[node])
        if len(parents) == 1:
            tops[node] = tops[parents[0]]
        else:
            tops[node] = set().union(*(tops[p] for p in parents)) if parents else {node}
        if rank.get(levels.get(node), 0) >= want:
            nearest[node] = (0, {node})
        elif len(parents) == 1:
            best, found = nearest[parents[0]]
            nearest[node] = (best + 1, found)
        else:
            best = min((nearest[p][0] for p in parents), default=float("inf"))
            nearest[node] = (best + 1, set().union(*(nearest[p][1] for p in parents
                                                     if nearest[p][0] == best)))
    rows, picked = [], []
    for aid in ids:
        found = nearest.get(aid, (float("inf"), set()))[1]
        # every nearest ancestor at that level (EML4::ALK → EML4 and ALK fusions); when none is
        # that coarse, the coarsest ancestors (the DAG's tops above it)
        picks = sorted(found) if found else sorted(tops.get(aid, {aid}))
        rows.extend([aid] * len(picks))
        picked.extend(picks)
    name = dict(zip(ids, alts["name"].tolist(), strict=True))
    return pd.DataFrame({
        "alteration_group": picked,
        "alteration_group_name": pd.array([name.get(g) for g in picked],
                                          dtype=alts["name"].dtype)},
        index=pd.Index(rows, name="alteration"))


def alteration_descendants(art: Artefact, alteration: str) -> set[str]:
    """The alteration and everything below it (what a query "for BRAF V600" covers)."""
    return descendants(_hierarchy(art, Label.ALTERATION), alteration)


def tumour_groups(art: Artefact, level: str | int) -> pd.DataFrame:
    """tumour type → histology key and name at ``level`` (code, main_type, tissue or a depth).

    The OncoTree root (TISSUE) stands for a mixed-histology basket and maps to ``mixed`` at every
    level; a node above the requested depth keeps its own code."""
    return _tumour_groups(art, parse_tumour_level(level))


@per_artefact
def _tumour_groups(art: Artefact, level: str | int) -> pd.DataFrame:
    tt = art.nodes(Label.TUMOUR_TYPE)
    ids = tt["id"].tolist()
    name = dict(zip(ids, tt["name"].tolist(), strict=True))
    dag = _hierarchy(art, Label.TUMOUR_TYPE)
    column = (dict(zip(ids, tt[level].tolist(), strict=True)) if level in ("main_type", "tissue")
              else {})
    depth_of = (dict(zip(ids, tt["level"].tolist(), strict=True)) if isinstance(level, int)
                else {})
    rows = []
    for tid in ids:
        if tid == ROOT_TUMOUR:
            rows.append((tid, MIXED, "mixed histologies"))
            continue
        if level == "code":
            rows.append((tid, tid, name[tid]))
        elif level in ("main_type", "tissue"):
            value = column[tid]
            if pd.isna(value) or value == "":
                value = name[tid]  # an organ-level node: its own name
            rows.append((tid, str(value), str(value)))
        else:
            pick = tid
            for a in ancestors(dag, tid):
                depth = depth_of.get(a)
                if depth is not None and not pd.isna(depth) and int(depth) <= level:
                    pick = a
                    break
            key = MIXED if pick == ROOT_TUMOUR else pick
            rows.append((tid, key, name[pick] if key != MIXED else "mixed histologies"))
    out = pd.DataFrame(rows, columns=["tumour_type", "histology", "histology_name"])
    return out.set_index("tumour_type")


def tumour_descendants(art: Artefact, tumour: str) -> set[str]:
    return descendants(_hierarchy(art, Label.TUMOUR_TYPE), tumour)


def treatment_keys(art: Artefact, cohorts: pd.DataFrame, level: str) -> pd.Series:
    """Treatment group keys per row (needs ``regimen`` and ``alteration`` columns): a list per
    row, because a drug may act in several classes (see :func:`with_treatment_groups`).

    ``regimen``: the regimen id. ``drug_class``: one class per member drug, joined (dabrafenib +
    trametinib → "BRAF inhibitor + MEK inhibitor"); a member with several classes takes the ones
    acting on the selected alteration's genes (TARGETS.drug_classes: entrectinib is a TRK
    inhibitor for NTRK fusions, a ROS1 inhibitor for ROS1 fusions), else its primary class.
    ``target_class``: the same, keeping only the members that act on those genes (a companion
    such as an added EGFR antibody is dropped); regimens with no such member keep their
    ``drug_class`` key. Several acting classes of one member give one key each."""
    return pd.Series(_key_lists(art, cohorts, level), index=cohorts.index, dtype=object)


#: (artefact, level) → (regimen, alteration) → treatment keys: units, cohorts and both kinds
#: of evidence ask for many of the same pairs (emptied with the memo)
_PAIR_KEYS: dict[tuple, dict[tuple, list[str]]] = {}
memo.also_clear(_PAIR_KEYS.clear)


def _key_lists(art: Artefact, cohorts: pd.DataFrame, level: str) -> list[list[str]]:
    """:func:`treatment_keys` as plain lists, worked out once per (regimen, alteration)."""
    check_choice("treatment level", level, TREATMENT_LEVELS)
    if level == "regimen":
        return [[str(r)] for r in cohorts["regimen"]]
    members = _regimen_members(art)
    acting = _acting_classes_by_drug(art)
    primary = _primary_class(art)
    alt_genes = _alteration_gene_sets(art)
    if len(_PAIR_KEYS) > memo.MAX_ENTRIES:
        _PAIR_KEYS.clear()
    found = _PAIR_KEYS.setdefault((memo.artefact_key(art), level), {})
    keys = []
    for pair in zip(cohorts["regimen"].tolist(), cohorts["alteration"].tolist(), strict=True):
        if pair not in found:
            regimen, alteration = pair
            genes = alt_genes.get(alteration, set())
            drugs = members.get(regimen, [])
            if not drugs:
                found[pair] = [str(regimen)]
            elif not any(d in acting for d in drugs):  # no member acts on a gene: primaries
                found[pair] = [" + ".join(sorted({primary.get(d, d) for d in drugs}))]
            else:
                hits = {d: sorted({c for g, classes in acting.get(d, {}).items() if g in genes
                                   for c in classes}) for d in drugs}
                per_drug = [hits[d] or [primary.get(d, d)] for d in drugs]
                if level == "target_class" and any(hits.values()):
                    per_drug = [hits[d] for d in drugs if hits[d]]
                found[pair] = sorted({" + ".join(sorted(set(c)))
                                      for c in itertools.product(*per_drug)})
        keys.append(list(found[pair]))
    return keys


def with_treatment_groups(art: Artefact, rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """``rows`` with a ``treatment_group`` column, a row repeated once per group it is in."""
    if rows.empty:
        return rows.assign(treatment_group=pd.Series(dtype=object))
    keys = _key_lists(art, rows, level)
    counts = [len(k) for k in keys]
    if 0 in counts:
        return rows.assign(treatment_group=pd.Series(keys, index=rows.index,
                                                     dtype=object)).explode("treatment_group")
    # each row taken as often as it has groups (what explode does, without its join)
    out = rows.take(np.repeat(np.arange(len(rows)), counts)) if max(counts) > 1 else rows.copy()
    out["treatment_group"] = pd.Series([g for k in keys for g in k], index=out.index)
    return out


@per_artefact
def _regimen_members(art: Artefact) -> dict[str, list[str]]:
    inc = art.edges(Rel.INCLUDES)
    out: dict[str, list[str]] = {}
    for reg, drug in zip(inc["src"].tolist(), inc["dst"].tolist(), strict=True):
        out.setdefault(reg, []).append(drug)
    return {k: sorted(set(v)) for k, v in out.items()}


@per_artefact
def _primary_class(art: Artefact) -> dict[str, str]:
    drugs = art.nodes(Label.DRUG)
    return {d: str(c) for d, c in zip(drugs["id"], drugs["drug_class"], strict=True)
            if isinstance(c, str) and c}


@per_artefact
def _acting_classes_by_drug(art: Artefact) -> dict[str, dict[str, set[str]]]:
    """drug → gene → the classes under which the drug acts on that gene."""
    t = art.edges(Rel.TARGETS)
    primary = _primary_class(art)
    classes = t["drug_classes"].tolist() if "drug_classes" in t else [None] * len(t)
    out: dict[str, dict[str, set[str]]] = {}
    for drug, gene, cls in zip(t["src"].tolist(), t["dst"].tolist(), classes, strict=True):
        found = set(str(cls).split(";")) if isinstance(cls, str) and cls else set()
        if not found and drug in primary:
            found = {primary[drug]}
        out.setdefault(drug, {}).setdefault(gene, set()).update(found)
    return out


@per_artefact
def _alteration_gene_sets(art: Artefact) -> dict[str, set[str]]:
    """Genes linked to an alteration directly or through its ancestors and descendants.

    Two passes over the DAG (edges child → parent): genes from above (the node's and its
    ancestors'), then, children first, every descendant's such genes (NTRK fusions under NTRK)."""
    dag = _hierarchy(art, Label.ALTERATION)
    in_gene = grouped_sets(art.edges(Rel.IN_GENE), "src", "dst")
    order = _topological_order(art, Label.ALTERATION)  # every child before its parents
    up: dict[str, set[str]] = {}
    for node in reversed(order):
        up[node] = set(in_gene.get(node, ())).union(*(up[p] for p in dag.succ[node]))
    # a child's set already holds the node's genes from above, so a node with children takes
    # the union of theirs (shared, never changed, when it has one child)
    out: dict[str, set[str]] = {}
    for node in order:
        children = list(dag.pred[node])
        if not children:
            out[node] = up[node]
        elif len(children) == 1:
            out[node] = out[children[0]]
        else:
            out[node] = set().union(*(out[c] for c in children))
    return out
