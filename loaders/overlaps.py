"""data/overlaps.csv → validated patient-overlap edges between cohorts of different ids.

Within one cohort id, ``supersedes`` says which reports repeat the same patients and
``parent_cohort_id`` says a stratum's patients are part of its arm. Across cohort ids only a curated
statement can say it: a pooled regulatory set that includes earlier trials, a tumour-type paper
drawn from a pooled analysis, two subgroups cut across the same patients. Each row names the
source that says so. ``contains`` is a partial order (checked acyclic together with STRATUM_OF,
which is a containment too); ``overlaps`` is symmetric and stored once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx

from kg import schema as S
from kg.errors import Issue
from loaders.tables import Column, Row, TableSpec, display_path, read_table

OVERLAPS = TableSpec("overlaps", (
    Column("cohort_id", required=True), Column("relation", required=True,
                                               choices=tuple(S.OVERLAP_RELATIONS)),
    Column("other_cohort_id", required=True), Column("source", required=True),
    Column("note"),
))

#: Called with (cohort id, other cohort id, relation, citation, note) for each valid row.
EdgeSink = Callable[[str, str, S.Rel, str, str], None]


def load_overlaps(path: Path, cohorts: dict[str, dict], issues: list[Issue],
                  emit: EdgeSink) -> int:
    """Validate every row against the known cohorts (id → {"values": row values}) and emit edges.

    A missing file means no curated overlaps (fixtures and committee data dirs need none). Returns
    the number of rows emitted; nothing is emitted unless every row is valid.
    """
    if not path.exists():
        return 0
    before = len(issues)
    rows = read_table(path, OVERLAPS, issues)
    parents = {c: (v["values"].get("parent_cohort_id") or None) for c, v in cohorts.items()}
    seen: dict[frozenset[str], Row] = {}
    good: list[Row] = []
    for r in rows:
        a, b = r["cohort_id"], r["other_cohort_id"]
        ok = True
        for field in ("cohort_id", "other_cohort_id"):
            if r[field] and r[field] not in cohorts:
                issues.append(_issue(path, r, field, f"unknown cohort '{r[field]}' (not a "
                                     "cohort_id of cohorts.csv, arms.csv or a committee table)"))
                ok = False
        if not (ok and a and b and r["relation"] and r["source"]):
            continue
        if a == b:
            issues.append(_issue(path, r, "other_cohort_id", f"'{a}' is linked to itself"))
            continue
        if parents.get(a) == b or parents.get(b) == a:
            issues.append(_issue(path, r, "other_cohort_id", f"'{a}' and '{b}' are arm and "
                                 "stratum (parent_cohort_id already says so)"))
            continue
        pair = frozenset((a, b))
        if pair in seen:
            issues.append(_issue(path, r, "other_cohort_id", f"'{a}' and '{b}' are already "
                                 f"related on row {seen[pair].line} (one row per pair)"))
            continue
        seen[pair] = r
        good.append(r)
    _check_contains_acyclic(path, good, parents, issues)
    if len(issues) > before:
        return 0
    for r in good:
        emit(r["cohort_id"], r["other_cohort_id"], S.OVERLAP_RELATIONS[r["relation"]],
             r["source"], r["note"] or "")
    return len(good)


def _check_contains_acyclic(path: Path, rows: list[Row], parents: dict[str, str | None],
                            issues: list[Issue]) -> None:
    """`contains` rows plus arm → stratum links must form a DAG; one line per cycle."""
    g = nx.DiGraph()
    g.add_edges_from((p, c) for c, p in parents.items() if p)
    by_edge: dict[tuple[str, str], Row] = {}
    for r in rows:
        if r["relation"] == "contains":
            by_edge[(r["cohort_id"], r["other_cohort_id"])] = r
            g.add_edge(r["cohort_id"], r["other_cohort_id"])
    for cycle in sorted(nx.simple_cycles(g), key=lambda c: sorted(c)):
        edges = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
        row = max((by_edge[e] for e in edges if e in by_edge), key=lambda r: r.line)
        loop = " contains ".join(f"'{c}'" for c in [*cycle, cycle[0]])
        issues.append(_issue(path, row, "other_cohort_id", f"cycle of containment: {loop}"))


def _issue(path: Path, r: Row, field: str, message: str) -> Issue:
    return Issue(display_path(path), r.line, field, message)
