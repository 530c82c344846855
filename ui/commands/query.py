"""`kg query <name>`: the analyses of queries/ as tables, CSV or JSON.

Every analysis takes ``--as-of YEAR`` (only reports and evidence published by then; undated ones
are excluded and counted in the header) and prints its header (levels, thresholds, exclusions)
before the rows. Bad parameters (an unknown level, p0 >= p1 …) are a clear error and exit 2.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from kg.csv_safe import frame_to_csv
from queries.params import QueryParameterError, Thresholds, check_choice

query_app = typer.Typer(help="Analyses: tumour-agnostic signals, histology dependence, gaps, "
                             "candidate cohorts, durability, pooling.", no_args_is_help=True)
console = Console()
err = Console(stderr=True, soft_wrap=True)
FORMATS = ("table", "csv", "json")

ROOT = typer.Option(None, "--root", help="Build directory (default $REDISCOVER_BUILD_DIR or "
                    "./build).")
FORMAT = typer.Option("table", "--format", help="table, csv or json.")
AS_OF = typer.Option(None, "--as-of", help="Use only reports/evidence published up to YEAR.")
ENDPOINT = typer.Option("response", "--endpoint", help="response (ORR) or benefit (CBR).")
ALT_LEVEL = typer.Option("codon", "--alteration-level", help="variant, codon, exon, kind, gene, "
                         "group or signature.")
TUM_LEVEL = typer.Option("main_type", "--tumour-level", help="code, main_type, tissue or an "
                         "OncoTree depth (0-7).")
TRT_LEVEL = typer.Option("drug_class", "--treatment-level", help="regimen, drug_class or "
                         "target_class.")
P0 = typer.Option(0.10, "--p0", help="Uninteresting rate.")
P1 = typer.Option(0.30, "--p1", help="Target rate.")
PROB = typer.Option(0.80, "--prob", help="Posterior probability that counts as 'likely'.")
K = typer.Option(3, "--k", help="Main tumour types with activity a tumour-agnostic signal "
                 "needs.")
MIN_N = typer.Option(5, "--min-n", help="Evaluable patients before a histology is judged.")
ALPHA = typer.Option(0.05, "--alpha", help="Type I error of the Simon designs.")
BETA = typer.Option(0.20, "--beta", help="Type II error of the Simon designs.")
PUBLIC = typer.Option(False, "--public-only", help="Leave out committee (private) rows.")
LIMIT = typer.Option(200, "--limit", help="Rows shown in table format.")


def register(app: typer.Typer) -> None:
    app.add_typer(query_app, name="query")


def _run(fn: Callable[[], pd.DataFrame], fmt: str, limit: int, title: str) -> None:
    try:
        check_choice("format", fmt, FORMATS)
        df = fn()
    except QueryParameterError as exc:
        err.print(f"[red]Error: {exc}[/red]")
        raise typer.Exit(2) from exc
    emit(df, fmt, limit, title)


def _open(root: Path | None):
    from ui.cli import open_artefact

    return open_artefact(root)


def _thresholds(p0: float, p1: float, prob: float = 0.8, k: int = 3, min_n: int = 5,
                alpha: float = 0.05, beta: float = 0.2) -> Thresholds:
    return Thresholds(p0=p0, p1=p1, prob=prob, k=k, min_n=min_n, alpha=alpha, beta=beta)


def _plain(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def emit(df: pd.DataFrame, fmt: str, limit: int = 200, title: str = "") -> None:
    """Print a result: header first (as comments in CSV, a key in JSON), then rows."""
    header = {k: _plain(v) for k, v in df.attrs.get("header", {}).items()}
    if fmt == "json":
        rows = json.loads(df.to_json(orient="records", default_handler=str))
        typer.echo(json.dumps({"header": header, "rows": rows}, indent=2, default=str))
        return
    if fmt == "csv":
        buf = io.StringIO()
        for k, v in header.items():
            buf.write(f"# {k}: {v}\n")
        frame_to_csv(df, buf)
        typer.echo(buf.getvalue(), nl=False)
        return
    for k, v in header.items():
        console.print(f"[dim]{k}:[/dim] {_fmt(v)}", highlight=False)
    t = Table(title=f"{title} ({len(df)} rows)")
    for col in df.columns:
        t.add_column(str(col))
    for row in df.head(limit).itertuples(index=False):
        t.add_row(*[_fmt(v) for v in row])
    if len(df) > limit:
        t.caption = f"{len(df) - limit} more rows: use --limit or --format csv"
    console.print(t)


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, float):
        return f"{v:.3g}"
    return str(v)


@query_app.command("cohort_outcomes")
def cohort_outcomes_cmd(root: Path | None = ROOT, fmt: str = FORMAT, as_of: int | None = AS_OF,
                        rollup: bool = typer.Option(False, "--rollup", help="Roll up per "
                                                    "treatment x alteration x histology group."),
                        alteration_level: str = ALT_LEVEL, tumour_level: str = TUM_LEVEL,
                        treatment_level: str = TRT_LEVEL, public_only: bool = PUBLIC,
                        limit: int = LIMIT) -> None:
    """Per cohort ORR and CBR with exact 95% CIs (or roll-ups with --rollup)."""
    from queries.outcomes import cohort_outcomes, group_outcomes

    art = _open(root)
    if rollup:
        _run(lambda: group_outcomes(art, as_of, alteration_level, tumour_level,
                                    treatment_level, not public_only), fmt, limit,
             "Group outcomes")
    else:
        _run(lambda: cohort_outcomes(art, as_of, not public_only), fmt, limit,
             "Cohort outcomes")


def _analysis(name: str, title: str):
    def command(root: Path | None = ROOT, fmt: str = FORMAT, as_of: int | None = AS_OF,
                endpoint: str = ENDPOINT, alteration_level: str = ALT_LEVEL,
                tumour_level: str = TUM_LEVEL, treatment_level: str = TRT_LEVEL,
                p0: float = P0, p1: float = P1, prob: float = PROB, k: int = K,
                min_n: int = MIN_N, alpha: float = ALPHA, beta: float = BETA,
                public_only: bool = PUBLIC, limit: int = LIMIT) -> None:
        import importlib

        module, fn_name = name.rsplit(".", 1)
        fn = getattr(importlib.import_module(module), fn_name)
        art = _open(root)

        def call() -> pd.DataFrame:
            check_choice("endpoint", endpoint, ("response", "benefit"))
            t = _thresholds(p0, p1, prob, k, min_n, alpha, beta)
            return fn(art, as_of=as_of, endpoint=endpoint, alteration_level=alteration_level,
                      tumour_level=tumour_level, treatment_level=treatment_level,
                      thresholds=t, include_private=not public_only)

        _run(call, fmt, limit, title)

    command.__doc__ = f"{title}."
    return command


for _name, _path, _title in (
        ("tumour_agnostic", "queries.agnostic.tumour_agnostic",
         "Groups ranked as tumour-agnostic signals"),
        ("histology_posteriors", "queries.agnostic.histology_posteriors",
         "Per group and histology: counts, exact CI and the EXNEX-like posterior"),
        ("histology_dependence", "queries.agnostic.histology_dependence",
         "Groups where tissue context matters (share beside DRUP's 23.5%)"),
        ("gaps", "queries.gaps.gaps", "Untested, planned and inconclusive triples with support"),
        ("candidate_cohorts", "queries.gaps.candidate_cohorts",
         "Candidate new cohorts with rationale and Simon designs"),
):
    query_app.command(_name)(_analysis(_path, _title))


@query_app.command("durability")
def durability_cmd(root: Path | None = ROOT, fmt: str = FORMAT, as_of: int | None = AS_OF,
                   pfs_months: float = typer.Option(6.0, "--pfs-months"), p0: float = P0,
                   p1: float = P1, public_only: bool = PUBLIC, limit: int = LIMIT) -> None:
    """Cohorts that met a 16-week benefit endpoint without median PFS >= 6 months."""
    from queries.durability import durability

    art = _open(root)
    _run(lambda: durability(art, as_of, pfs_months, _thresholds(p0, p1), not public_only),
         fmt, limit, "Durability")


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
               tumour_type: str | None = typer.Option(None, "--tumour-type",
                                                      help="OncoTree code, e.g. COADREAD."),
               tumour_level: str | None = typer.Option(
                   None, "--tumour-level", help="Also pool every tumour type in the same group "
                   "at this level (default: the code and those below it)."),
               endpoint: str = ENDPOINT, public_only: bool = PUBLIC, limit: int = LIMIT) -> None:
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

    _run(call, fmt, limit, "Pooled cohorts")


@query_app.command("simon")
def simon_cmd(p0: float = P0, p1: float = P1, alpha: float = ALPHA, beta: float = BETA,
              fmt: str = FORMAT) -> None:
    """Simon optimal and minimax designs and the DRUP-like 8 -> 24 rule at p0/p1."""
    from queries.simon import drup_rule_characteristics, simon_designs

    def call() -> pd.DataFrame:
        _thresholds(p0, p1, alpha=alpha, beta=beta)
        designs = simon_designs(p0, p1, alpha, beta)
        df = pd.DataFrame([d.as_dict() for d in designs.values()])
        df.attrs["header"] = {"p0": p0, "p1": p1, "alpha": alpha, "beta": beta,
                              **drup_rule_characteristics(p0, p1)}
        return df

    _run(call, fmt, 10, "Simon two-stage designs")
