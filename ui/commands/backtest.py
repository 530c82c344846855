"""`kg backtest`: the candidate ranking scored against cohorts first reported later."""

from __future__ import annotations

from pathlib import Path

import typer

from queries.params import QueryParameterError
from ui.commands.output import FORMAT, emit, fail
from ui.commands.query import ROOT, _open

#: the columns a committee reads first (every column in csv/json)
SHOWN = ["year", "method", "later_tested", "precision_at_k", "recall_at_k",
         "failures_top_decile"]


def register(app: typer.Typer) -> None:
    app.command("backtest")(backtest_cmd)


def backtest_cmd(start: int = typer.Option(2012, "--from", help="First as-of year."),
                 end: int = typer.Option(2022, "--to", help="Last as-of year."),
                 k: int = typer.Option(10, "--k", help="Top k for precision and recall."),
                 undecided_as_failure: bool = typer.Option(
                     False, "--undecided-as-failure", help="Score later cohorts the 8 -> 24 "
                     "rule has not judged (under 8 patients, a stage open) as failures."),
                 root: Path | None = ROOT, fmt: str = FORMAT) -> None:
    """Rank candidate cohorts as of each year; score them against cohorts reported later.

    Compares the model's ranking with a naive one (the nearest tested histology's observed
    rate). Method: queries/backtest.py. Example: kg backtest --from 2012 --to 2022
    """
    from queries.backtest import backtest

    if start > end:
        fail(QueryParameterError(f"--from {start} is after --to {end}"))
    if k < 1:
        fail(QueryParameterError(f"--k must be at least 1, not {k}"))
    art = _open(root)
    table = backtest(art, range(start, end + 1), k=k,
                     undecided_as_failure=undecided_as_failure)
    emit(table if fmt != "table" else _shown(table), fmt, limit=len(table))


def _shown(table):
    out = table[[c for c in SHOWN if c in table.columns]].copy()
    out.attrs = dict(table.attrs)
    return out
