"""Small pandas helpers that the analyses share.

``in_set`` exists because ``Series.isin`` on Arrow-backed string columns (how the artefact's
Parquet tables load) converts the values to an Arrow array on every call: 4-15 ms for a few
hundred rows, against well under a millisecond for a Python set lookup per value. The analyses
call it many times per run, so it mattered for a cold run's latency (bench/queries.py)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def in_set(values: pd.Series, members: Iterable) -> pd.Series:
    """``values.isin(members)``, by a set lookup per value; a missing value is never a member."""
    wanted = members if isinstance(members, (set, frozenset)) else set(
        members.tolist() if isinstance(members, pd.Series) else members)
    return pd.Series([v in wanted and not pd.isna(v) for v in values.tolist()],
                     index=values.index, dtype=bool)


def grouped_sets(df: pd.DataFrame, key: str, value: str) -> dict[str, set[str]]:
    """key → set of values, from two plain lists (a pandas groupby-apply copies the frame's
    attrs into every group, which cost a third of a cold analysis on the full graph)."""
    out: dict[str, set[str]] = {}
    for k, v in zip(df[key].tolist(), df[value].tolist(), strict=True):
        out.setdefault(k, set()).add(v)
    return out


def row_keys(df: pd.DataFrame, cols: list[str]) -> list[tuple]:
    """Each row's values of ``cols`` as a tuple, from whole columns as Python lists (pandas'
    row iteration and row-wise ``agg`` went value by value through Arrow arrays)."""
    return list(zip(*(df[c].tolist() for c in cols), strict=True)) if len(df) else []


def records(df: pd.DataFrame, cols: list[str]) -> list[dict]:
    """``df[cols].to_dict("records")`` (a missing nullable value as None), built from whole
    columns as Python lists: to_dict converted Arrow-backed values one by one."""
    values = [[None if x is pd.NA else x for x in df[c].tolist()] for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*values, strict=True)]
