"""Roll-ups along the graph's hierarchies: alterations, OncoTree tumour types, treatments.

Each function maps an id to the key of its group at a chosen level, walking IS_A edges (child →
parent). The level is always a visible parameter, so a reader sees which cohorts were pooled.
"""

from __future__ import annotations

import networkx as nx
import pandas as pd

from kg.artefact import Artefact
from kg.schema import ROOT_TUMOUR, Label, Rel
from queries.frames import in_set
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
    return set(alts.loc[~alts["kind"].isin(NON_CARRIER_KINDS), "id"])


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
    e = e[e["src_label"] == str(label)]
    dag = nx.DiGraph()
    dag.add_nodes_from(art.nodes(label)["id"].tolist())
    dag.add_edges_from(zip(e["src"].tolist(), e["dst"].tolist(), strict=True))
    return dag


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
    rows = []
    for aid in ids:
        dist = nx.single_source_shortest_path_length(dag, aid)
        coarse = [a for a in dist if rank.get(levels.get(a), 0) >= want]
        if coarse:  # every nearest ancestor at that level: EML4::ALK → EML4 and ALK fusions
            nearest = min(dist[a] for a in coarse)
            picks = sorted(a for a in coarse if dist[a] == nearest)
        else:  # nothing that coarse: the coarsest ancestors (the DAG's tops above it)
            tops = [a for a in dist if dag.out_degree(a) == 0]
            picks = sorted(tops) or [aid]
        rows.extend((aid, pick) for pick in picks)
    out = pd.DataFrame(rows, columns=["alteration", "alteration_group"])
    out["alteration_group_name"] = out["alteration_group"].map(alts.set_index("id")["name"])
    return out.set_index("alteration")


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
    """A treatment group key per cohort row (needs ``regimen`` and ``alteration`` columns).

    ``regimen``: the regimen id. ``drug_class``: the regimen's set of drug classes (dabrafenib +
    trametinib → "BRAF inhibitor + MEK inhibitor"). ``target_class``: the classes of the member
    drugs that target a gene of the selected alteration (its own gene, or genes below or above
    it); regimens with no such member keep their full class set."""
    check_choice("treatment level", level, TREATMENT_LEVELS)
    if level == "regimen":
        return cohorts["regimen"].astype(str)
    reg = art.nodes(Label.REGIMEN)
    drug_classes = dict(zip(reg["id"], reg["drug_classes"], strict=True))

    def classes(regimen: str) -> str:
        raw = drug_classes.get(regimen)
        if raw is None or pd.isna(raw) or raw == "":
            return str(regimen)
        return " + ".join(sorted(str(raw).split(";")))

    if level == "drug_class":
        return cohorts["regimen"].map(classes)
    drugs = art.nodes(Label.DRUG).set_index("id")
    includes = art.edges(Rel.INCLUDES).groupby("src")["dst"].apply(list).to_dict()
    targets = art.edges(Rel.TARGETS).groupby("src")["dst"].apply(set).to_dict()
    alt_genes = _alteration_gene_sets(art)
    keys = []
    for regimen, alteration in zip(cohorts["regimen"], cohorts["alteration"], strict=True):
        genes = alt_genes.get(alteration, set())
        hit = sorted({str(drugs.at[d, "drug_class"]) for d in includes.get(regimen, [])
                      if targets.get(d, set()) & genes and d in drugs.index})
        keys.append(" + ".join(hit) if hit else classes(regimen))
    return pd.Series(keys, index=cohorts.index)


@per_artefact
def _alteration_gene_sets(art: Artefact) -> dict[str, set[str]]:
    """Genes linked to an alteration directly or through its ancestors and descendants."""
    dag = _hierarchy(art, Label.ALTERATION)
    in_gene = art.edges(Rel.IN_GENE).groupby("src")["dst"].apply(set).to_dict()
    ids = list(art.nodes(Label.ALTERATION)["id"])
    chains = {a: ancestors(dag, a) for a in ids}
    out: dict[str, set[str]] = {a: set() for a in ids}
    for chain in chains.values():
        genes = set().union(*(in_gene.get(x, set()) for x in chain))
        for x in chain:  # an alteration inherits its descendants' genes (NTRK fusions)
            out[x] |= genes
    return out
