"""How a result frame is printed: table (fitted to the terminal), CSV or JSON.

Tables show an analysis's default columns (queries.analyses) unless ``--columns`` or
``--all-columns`` says otherwise; cells wrap inside their column, rates print as percentages,
and the rows beyond ``--limit`` are counted in the caption. CSV and JSON always carry every
column unless ``--columns`` is given. The header (levels, thresholds, exclusions, filters) comes
first: ``#`` lines in CSV, a ``header`` key in JSON.
"""

from __future__ import annotations

import io
import json
import math

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.table import Table

from kg.csv_safe import frame_to_csv
from queries.analyses import default_columns
from queries.params import QueryParameterError

FORMATS = ("table", "csv", "json")
RATE_COLUMNS = ("rate", "low", "high", "orr", "cbr", "pooled_rate", "pooled_low",
                "pooled_high", "orr_low", "orr_high", "cbr_low", "cbr_high", "orr_ci_low",
                "orr_ci_high", "post_mean", "pred_response", "p_above_p1", "p_above_p0")

console = Console()

FORMAT = typer.Option("table", "--format", help="table, csv or json.")
COLUMNS = typer.Option(None, "--columns", help="Comma-separated columns to show "
                       "(default: a set that fits 100 columns).")
ALL_COLUMNS = typer.Option(False, "--all-columns", help="Show every column.")
LIMIT = typer.Option(50, "--limit", help="Rows shown in table format.")


def choose_columns(df: pd.DataFrame, name: str, columns: str | None, all_columns: bool,
                   fmt: str) -> pd.DataFrame:
    """The columns to print; an unknown name in ``--columns`` is an error naming it."""
    if columns:
        wanted = [c.strip() for c in columns.split(",") if c.strip()]
        unknown = [c for c in wanted if c not in df.columns]
        if unknown:
            raise QueryParameterError(f"unknown column(s) {', '.join(unknown)}; this output has "
                                      f"{', '.join(map(str, df.columns))}")
        return _keep_attrs(df, df[wanted])
    if all_columns or fmt != "table":
        return df
    default = [c for c in default_columns(name) if c in df.columns]
    for extra in ("alteration_match", "tumour_match"):
        shown = extra in df.columns and (df[extra].fillna("exact") != "exact").any()
        if shown and extra not in default:
            default.append(extra)
    return _keep_attrs(df, df[default]) if default else df


def _keep_attrs(src: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    out = out.copy()
    out.attrs = dict(src.attrs)
    return out


def plain(v):
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def cell(v, column: str = "") -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        if column in RATE_COLUMNS and 0 <= v <= 1:
            return f"{v:.0%}"
        if v.is_integer() and abs(v) < 1e6:
            return str(int(v))
        return f"{v:.3g}"
    return str(v)


def emit(df: pd.DataFrame, fmt: str, limit: int = 50, title: str = "") -> None:
    """Print a result: header first, then rows."""
    header = {k: plain(v) if not isinstance(v, dict) else v
              for k, v in df.attrs.get("header", {}).items()}
    if fmt == "json":
        rows = json.loads(df.to_json(orient="records", default_handler=str))
        typer.echo(json.dumps({"header": header, "rows": rows}, indent=2, default=str))
        return
    if fmt == "csv":
        buf = io.StringIO()
        for k, v in header.items():
            buf.write(f"# {k}: {v}\n")
        frame_to_csv(df, buf)  # formula cells neutralised (OWASP)
        typer.echo(buf.getvalue(), nl=False)
        return
    if header:
        console.print(" · ".join(f"[dim]{k}[/dim] {cell(v) or '–'}" for k, v in header.items()),
                      highlight=False)
    console.print(frame_table(df, f"{title} ({len(df)} rows)", limit))


#: (rate, low, high) column triples shown as one "rate (low–high)" cell in tables.
CI_TRIPLES = (("rate", "low", "high"), ("pooled_rate", "pooled_low", "pooled_high"),
              ("orr", "orr_low", "orr_high"), ("orr", "orr_ci_low", "orr_ci_high"),
              ("cbr", "cbr_low", "cbr_high"), ("success_prob", "success_low", "success_high"))
#: the interval a triple's low/high stand for, when not an exact 95% CI
INTERVAL = {"success_prob": "10–90%"}
#: (successes, total) pairs shown as one "k/n" cell.
COUNT_PAIRS = (("k", "n"), ("n_response", "n_evaluable"), ("orr_k", "orr_n"),
               ("n_benefit", "n_evaluable"))
#: Shorter table headings for long column names (CSV and JSON keep the real names).
SHORT = {"treatment_group": "treatment", "alteration_group_name": "alteration",
         "alteration_name": "alteration", "histology_name": "histology",
         "tumour_type_name": "tumour type", "regimen_name": "regimen",
         "n_types_active": "types active", "het_exact_p": "het. p", "pred_response": "pred.",
         "evidence_tier": "tier", "n_supporting": "support", "simon_optimal": "Simon optimal",
         "strongest_histology": "strongest", "weakest_histology": "weakest",
         "median_pfs_months": "mPFS", "alteration_match": "match", "tumour_match": "tumour",
         "trial_name": "trial", "p_above_p1": "P(>p1)", "post_mean": "posterior",
         "cohorts_here": "cohorts here", "exact_here": "exact match",
         "cohorts_broader_or_basket": "broader/ basket", "cohorts_elsewhere": "other histol.",
         "open_or_planned_arms": "open arms", "kb_for": "KB for", "kb_against": "KB against",
         "candidate_rank": "cand. rank", "histology_match": "histology",
         "success_prob": "P(success)", "support_histologies": "histol."}


#: Shorter table text for long repeated values.
SHORT_VALUES = {"cohort report": "cohort", "knowledgebase evidence": "evidence",
                "trial cohort": "–"}


def compact(df: pd.DataFrame) -> pd.DataFrame:
    """Table-only view: a rate and its exact CI in one cell, counts as k/n, short headings."""
    out = pd.DataFrame(index=df.index)
    used: set[str] = set()
    right: set[str] = set()
    for col in df.columns:
        if col in used:
            continue
        triple = next((t for t in CI_TRIPLES if t[0] == col and set(t) <= set(df.columns)),
                      None)
        pair = next((p for p in COUNT_PAIRS if col in p and set(p) <= set(df.columns)), None)
        if triple:
            out[f"{SHORT.get(col, col)} ({INTERVAL.get(col, '95% CI')})"] = [
                "" if pd.isna(r) else f"{r:.0%} ({lo:.0%}–{hi:.0%})" for r, lo, hi in
                zip(df[triple[0]], df[triple[1]], df[triple[2]], strict=True)]
            used |= set(triple)
        elif pair:
            out["k/n"] = ["" if pd.isna(n) else f"{'' if pd.isna(k) else int(k)}/{int(n)}"
                          for k, n in zip(df[pair[0]], df[pair[1]], strict=True)]
            used |= set(pair)
        else:
            out[SHORT.get(col, col)] = [
                SHORT_VALUES.get(t, t).replace(" alteration (", " (") for t in
                (cell(v, col) for v in df[col])]
            used.add(col)
            if pd.api.types.is_numeric_dtype(df[col]):
                right.add(SHORT.get(col, col))
    out.attrs["right"] = right
    return out


def frame_table(df: pd.DataFrame, title: str, limit: int = 50) -> Table:
    """A rich table whose cells wrap inside their column; headings never fold."""
    view = compact(df.head(limit))
    t = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left")
    for col in view.columns:
        # Wide enough for the column's longest word (up to 12), so cells mostly wrap between
        # words; the rest of the width is shared by rich.
        longest = max([len(w) for v in view[col] for w in str(v).split()] or [0])
        heading = max(len(w) for w in str(col).split())
        numeric = col in view.attrs["right"] or col == "k/n"
        width = max(heading, min(longest, 12))
        # A numeric column is as wide as its longest heading word or value: its heading wraps.
        t.add_column(str(col), overflow="fold", justify="right" if numeric else "left",
                     min_width=width, max_width=width if numeric else None,
                     ratio=None if numeric else 1)
    for row in view.itertuples(index=False):
        t.add_row(*[str(v) for v in row])
    if len(df) > limit:
        t.caption = f"{len(df) - limit} more rows: --limit N, or --format csv"
    return t


def fail(exc: Exception) -> None:
    Console(stderr=True, soft_wrap=True).print(f"[red]Error: {exc}[/red]")
    raise typer.Exit(2) from exc
