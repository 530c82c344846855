"""Checks of a report row's typed endpoints (criterion, benefit kind and window, CI level).

A benefit figure is comparable only with figures of the same kind and window, and a published
interval only with its level; these checks make a table say both whenever it gives the figure.
Columns a committee's older table lacks are optional; when a table has the column, a figure without
its type is an error.
"""

from __future__ import annotations

from pathlib import Path

from kg import schema as S
from kg.errors import Issue
from loaders.tables import Row, display_path

TIMED_BENEFIT = ("clinical-benefit", "disease-control", "pfs-rate")


def check_endpoints(path: Path, r: Row, columns: set[str], issues: list[Issue]) -> None:
    def issue(fld: str, msg: str) -> None:
        issues.append(Issue(display_path(path), r.line, fld, msg))

    has_benefit = r["n_benefit"] is not None or r["cbr_pct"] is not None
    kind, weeks = r["benefit_kind"], r["benefit_weeks"]
    if kind and not has_benefit:
        issue("benefit_kind", f"'{kind}' but the row has no benefit figure "
                              "(n_benefit or cbr_pct)")
    if has_benefit and not kind and "benefit_kind" in columns:
        issue("benefit_kind", f"a benefit figure needs its kind ({', '.join(S.BENEFIT_KINDS)})")
    if weeks is not None and not kind:
        issue("benefit_weeks", "a window without a benefit_kind")
    if weeks == 0:
        issue("benefit_weeks", "a window of 0 weeks")
    if kind in TIMED_BENEFIT and weeks is None:
        issue("benefit_weeks", f"'{kind}' needs its window in weeks (use 'other' when the "
                               "source gives none)")

    has_ci = r["orr_ci_low"] is not None or r["orr_ci_high"] is not None
    level = r["ci_level"]
    if level is not None and level not in S.CI_LEVELS:
        issue("ci_level", f"{level} is not one of {', '.join(f'{x:.2f}' for x in S.CI_LEVELS)}")
    if level is not None and not has_ci:
        issue("ci_level", "a level but no orr_ci_low/orr_ci_high")
    if has_ci and level is None and "ci_level" in columns:
        issue("ci_level", "a published interval needs its level (e.g. 0.95, 0.90)")


def header_of(path: Path) -> set[str]:
    """Column names of a CSV file (empty when it cannot be read; read_table reports why)."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return {h.strip() for h in fh.readline().strip().split(",")}
    except OSError:
        return set()
