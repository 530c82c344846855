"""`kg query <name>`: the analyses of queries/ as tables, CSV or JSON.

Commands, options and defaults come from the registry in queries/analyses.py. Every analysis
takes ``--as-of YEAR`` and the shared filters (``--gene``, ``--alteration``, ``--tumour-type``,
``--drug`` …, applied to its output by queries.selection), and prints its header (levels,
thresholds, exclusions, filters) before the rows. Bad parameters (an unknown level, p0 >= p1,
a name not in the graph) are a clear error and exit 2.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pandas as pd
import typer

from queries.analyses import ANALYSES, PARAMS, Analysis
from queries.params import QueryParameterError, Thresholds, check_choice
from queries.selection import filter_rows
from ui.commands import filters
from ui.commands.output import (
    ALL_COLUMNS,
    COLUMNS,
    FORMAT,
    FORMATS,
    LIMIT,
    choose_columns,
    emit,
    fail,
)

query_app = typer.Typer(help="Analyses: tumour-agnostic signals, histology dependence, gaps, "
                             "candidate cohorts, durability, pooling.", no_args_is_help=True)

ROOT = typer.Option(None, "--root", help="Build directory (default $REDISCOVER_BUILD_DIR or "
                    "./build).")
AS_OF = typer.Option(None, "--as-of", help="Use only reports/evidence published up to YEAR.")
PUBLIC = typer.Option(False, "--public-only", help="Leave out committee (private) rows.")
COMMON = {"root": (Path | None, ROOT), "fmt": (str, FORMAT), "as_of": (int | None, AS_OF),
          "public_only": (bool, PUBLIC), "limit": (int, LIMIT),
          "columns": (str | None, COLUMNS), "all_columns": (bool, ALL_COLUMNS)}
FILTER_TYPES = {n: (bool if n == "exact_alteration" else list[str]) for n in filters.NAMES}


def register(app: typer.Typer) -> None:
    app.add_typer(query_app, name="query")


def _open(root: Path | None):
    from ui.cli import open_artefact

    return open_artefact(root)


def run_and_print(art, name: str, title: str, compute, values: dict) -> None:
    """Compute, filter, choose columns, print; parameter errors exit 2."""
    try:
        check_choice("format", values["fmt"], FORMATS)
        sel = filters.selection(art, values)
        df = filter_rows(art, compute(), sel)
        df = choose_columns(df, name, values.get("columns"), values.get("all_columns", False),
                            values["fmt"])
    except QueryParameterError as exc:
        fail(exc)
    emit(df, values["fmt"], values.get("limit", 50), title)


def _command(analysis: Analysis):
    """A typer command whose options are the analysis's parameters, the filters and output."""
    params = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=opt, annotation=t)
              for n, (t, opt) in COMMON.items()]
    for p in analysis.params:
        spec = PARAMS[p]
        kind = type(spec.default) if p != "tumour_level" else str
        params.append(inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, annotation=kind,
                                        default=typer.Option(spec.default, spec.option,
                                                             help=spec.help)))
    for n, opt in filters.OPTIONS.items():
        params.append(inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=opt,
                                        annotation=FILTER_TYPES[n]))

    def command(**values) -> None:
        art = _open(values["root"])
        given = {p: values[p] for p in analysis.params}
        run_and_print(art, analysis.name, analysis.title,
                      lambda: analysis.run(art, values["as_of"], not values["public_only"],
                                           **given), values)

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__doc__ = analysis.title + "."
    return command


for _analysis in ANALYSES.values():
    query_app.command(_analysis.name)(_command(_analysis))


@query_app.command("pooled")
def pooled_cmd(root: Path | None = ROOT, fmt: str = FORMAT, as_of: int | None = AS_OF,
               drug: str | None = typer.Option(None, "--drug", help="Drug name or id."),
               regimen: str | None = typer.Option(None, "--regimen", help="Regimen id or name."),
               drug_class: str | None = typer.Option(None, "--drug-class",
                                                     help="e.g. 'PD-1/PD-L1 inhibitor'."),
               alteration: str | None = typer.Option(None, "--alteration",
                                                     help="e.g. BRAF:V600E or alt:MSI-H."),
               alteration_level: str | None = typer.Option(
                   None, "--alteration-level", help="Also pool every alteration in the same "
                   "group at this level (default: the alteration and those below it)."),
               tumour_type: str = typer.Option("TISSUE", "--tumour-type",
                                               help="OncoTree code, e.g. COADREAD (default: "
                                               "every tumour type)."),
               tumour_level: str | None = typer.Option(
                   None, "--tumour-level", help="Also pool every tumour type in the same group "
                   "at this level (default: the code and those below it)."),
               endpoint: str = typer.Option("response", "--endpoint",
                                            help="response (ORR) or benefit (CBR)."),
               public_only: bool = PUBLIC, limit: int = LIMIT, columns: str | None = COLUMNS,
               all_columns: bool = ALL_COLUMNS) -> None:
    """Pool one treatment x alteration x tumour type across trials, flagging what differs."""
    from queries.params import ALTERATION_LEVELS, parse_tumour_level
    from queries.pooled import pooled

    art = _open(root)

    def call() -> pd.DataFrame:
        check_choice("endpoint", endpoint, ("response", "benefit"))
        if alteration_level is not None:
            check_choice("alteration level", alteration_level, ALTERATION_LEVELS)
        tl = parse_tumour_level(tumour_level) if tumour_level is not None else None
        return pooled(art, drug, regimen, drug_class, alteration, alteration_level,
                      tumour_type, tl, endpoint, as_of, not public_only)

    run_and_print(art, "pooled", "Pooled cohorts", call,
                  {"fmt": fmt, "limit": limit, "columns": columns, "all_columns": all_columns})


@query_app.command("simon")
def simon_cmd(p0: float = typer.Option(0.10, "--p0", help=PARAMS["p0"].help),
              p1: float = typer.Option(0.30, "--p1", help=PARAMS["p1"].help),
              alpha: float = typer.Option(0.05, "--alpha", help=PARAMS["alpha"].help),
              beta: float = typer.Option(0.20, "--beta", help=PARAMS["beta"].help),
              fmt: str = FORMAT) -> None:
    """Simon optimal and minimax designs and the DRUP-like 8 -> 24 rule at p0/p1."""
    from queries.simon import drup_rule_characteristics, simon_designs

    try:
        check_choice("format", fmt, FORMATS)
        Thresholds(p0=p0, p1=p1, alpha=alpha, beta=beta)
        designs = simon_designs(p0, p1, alpha, beta)
    except QueryParameterError as exc:
        fail(exc)
    df = pd.DataFrame([d.as_dict() for d in designs.values()])
    df.attrs["header"] = {"p0": p0, "p1": p1, "alpha": alpha, "beta": beta,
                          **drup_rule_characteristics(p0, p1)}
    emit(df, fmt, 10, "Simon two-stage designs")
