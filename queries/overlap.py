"""One patient counted once across cohort ids: the curated overlap relation and the unit rule.

``data/overlaps.csv`` says which cohorts share patients across cohort ids: a pooled analysis
*contains* the cohorts it pools (CONTAINS_PATIENTS_OF, transitive), two reports of partly the
same patients *overlap* (SHARES_PATIENTS_WITH). Two counting units conflict when a cohort one
is part of (the unit's cohort, and the arms it is a stratum of) contains a cohort the other is
part of, or when the two sides of an overlap meet: anything that contains or is contained in one
side conflicts with anything that contains or is contained in the other (conservative: the
shared patients may sit in any part).

The rule, applied within each analysis group after its own selection (so a pooled query for
one histology still uses that histology's subset when the pool is mixed): among conflicting
units, keep the set with no conflicts that counts the most patients; at equal patients the set
with more units (per-histology units that partition a pool beat the pool), then the later
reports, then ids. Exact (networkx maximum-weight clique of the non-conflict graph within each
connected set of conflicts, which is small). Every unit left out is listed with the units kept
in its place.
"""

from __future__ import annotations

import itertools

import networkx as nx
import pandas as pd

from kg.artefact import Artefact
from kg.schema import Rel
from queries.frames import row_keys
from queries.memo import per_artefact

#: weight of a unit: patients first, then one more unit, then a later year (see module doc)
_PATIENT, _UNIT, _BASE_YEAR = 1_000_000, 10_000, 1990


@per_artefact
def cohort_conflicts(art: Artefact) -> dict[str, set[str]]:
    """cohort → the cohorts it may share patients with (under the overlap relation)."""
    contains = nx.DiGraph()
    edges = art.edges(Rel.CONTAINS_PATIENTS_OF)
    contains.add_edges_from(zip(edges["src"].tolist(), edges["dst"].tolist(), strict=True))
    ov = art.edges(Rel.SHARES_PATIENTS_WITH)
    pairs = list(zip(ov["src"].tolist(), ov["dst"].tolist(), strict=True))
    cohorts = set(contains) | {c for p in pairs for c in p}
    up = {c: ({c} | nx.ancestors(contains, c)) if c in contains else {c} for c in cohorts}
    down = {c: ({c} | nx.descendants(contains, c)) if c in contains else {c} for c in cohorts}
    out: dict[str, set[str]] = {c: set() for c in cohorts}
    for c in cohorts:
        out[c] |= (up[c] | down[c]) - {c}
    for a, b in pairs:  # pools holding a meet pools holding b; parts of a may meet parts of b
        for x in up[a] | down[a]:
            for y in up[b] | down[b]:
                if x != y:
                    out[x].add(y)
                    out[y].add(x)
    return out


def _lineage(u: pd.DataFrame, arm_of: dict[str, str]) -> list[set[str]]:
    """The cohorts each unit is part of: its cohort and the arms above it (strata)."""
    out = []
    for cohort in u["cohort"].tolist():
        chain = {cohort}
        while cohort in arm_of and arm_of[cohort] not in chain:
            cohort = arm_of[cohort]
            chain.add(cohort)
        out.append(chain)
    return out


def non_overlapping(art: Artefact, u: pd.DataFrame, by: list[str],
                    arm_of: dict[str, str]) -> tuple[pd.DataFrame, list[dict]]:
    """``u`` without units that would count a patient twice within a group of ``by``.

    ``arm_of`` maps a stratum cohort to its arm (STRATUM_OF). Returns the kept units and one
    record per unit left out: unit, n, group, kept_instead (the kept units it conflicts with)."""
    conflicts = cohort_conflicts(art)
    if u.empty or not conflicts:
        return u, []
    lineage = _lineage(u, arm_of)
    involved = [bool(lin & conflicts.keys()) for lin in lineage]
    if not any(involved):
        return u, []
    positions = [i for i, flag in enumerate(involved) if flag]
    keys = (["\x1f".join(map(str, k)) for k in row_keys(u, by)] if by else [""] * len(u))
    units = u["unit"].tolist()
    weights = [_PATIENT * int(n) + _UNIT + max(0, int(y) - _BASE_YEAR if pd.notna(y) else 0)
               for n, y in zip(u["n"].tolist(), u["year"].tolist(), strict=True)]
    by_group: dict[str, list[int]] = {}
    for i in positions:
        by_group.setdefault(keys[i], []).append(i)
    drop: set[int] = set()
    left_out: list[dict] = []
    for key, members in by_group.items():
        clash = nx.Graph()
        clash.add_nodes_from(members)
        for i, j in itertools.combinations(members, 2):
            if any(b in conflicts.get(a, ()) for a in lineage[i] for b in lineage[j]):
                clash.add_edge(i, j)
        for part in nx.connected_components(clash):
            if len(part) < 2:
                continue
            nodes = sorted(part, key=lambda i: units[i])
            free = nx.complement(clash.subgraph(nodes))
            for i in nodes:
                free.nodes[i]["w"] = weights[i]
            kept, _ = nx.max_weight_clique(free, weight="w")
            kept_set = set(kept)
            for i in nodes:
                if i not in kept_set:
                    drop.add(i)
                    left_out.append({"unit": units[i], "n": int(u["n"].iloc[i]),
                                     "group": key.replace("\x1f", " | "),
                                     "kept_instead": ";".join(sorted(
                                         units[j] for j in clash[i] if j in kept_set))})
    keep = [i not in drop for i in range(len(u))]
    out = u[keep].reset_index(drop=True)
    out.attrs = dict(u.attrs)
    return out, sorted(left_out, key=lambda r: (r["group"], r["unit"]))
