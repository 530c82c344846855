"""`kg profile`: a tumour's alterations against every cohort, open arm and knowledgebase item.

Evidence for a committee (a molecular tumour board) to weigh, not a treatment recommendation;
the output says so first.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from queries.params import QueryParameterError
from ui.commands.output import FORMAT, emit, fail, frame_table
from ui.commands.query import AS_OF, PUBLIC, ROOT, _open

console = Console()

#: (section, title, table columns) in the order a committee reads them.
SECTIONS = (
    ("summary", "Per alteration and treatment",
     ["treatment", "cohorts_here", "exact_here",
      "cohorts_broader_or_basket", "cohorts_elsewhere", "open_or_planned_arms", "kb_for",
      "kb_against", "candidate_rank"]),
    ("cohorts", "Cohorts with outcomes",
     ["treatment", "histology_match", "alteration_match", "trial_name", "arm",
      "tumour_type_name", "n_response", "n_evaluable", "orr", "orr_low", "orr_high"]),
    ("arms", "Open or planned arms that would take the patient",
     ["treatment", "trial_name", "arm", "status", "alteration_name", "tumour_type_name"]),
    ("evidence", "Knowledgebase evidence for and against",
     ["treatment", "stance", "tier", "regimen_name", "alteration_match", "tumour_type_name",
      "outcome", "id"]),
    ("candidates", "Candidate new cohorts for this histology (untested pairs)",
     ["rank", "treatment_group", "alteration_group_name", "pred_response", "evidence_tier",
      "rationale"]),
)


def register(app: typer.Typer) -> None:
    app.command("profile")(profile_cmd)


def profile_cmd(tumour_type: str = typer.Option(..., "--tumour-type", help="OncoTree code, "
                                                "e.g. COADREAD."),
                alteration: list[str] = typer.Option(..., "--alteration", help="e.g. "
                                                     "BRAF:V600E (repeatable)."),
                root: Path | None = ROOT, as_of: int | None = AS_OF,
                public_only: bool = PUBLIC, fmt: str = FORMAT,
                other_histologies: int = typer.Option(
                    10, "--other-histologies", help="Cohorts from other histologies shown per "
                    "alteration in table format (all in csv/json)."),
                limit: int = typer.Option(40, "--limit", help="Rows per section (table).")
                ) -> None:
    """Cohorts, open arms, knowledgebase evidence and candidate cohorts for one tumour.

    Example: kg profile --tumour-type COADREAD --alteration BRAF:V600E
    """
    from queries.profile import profile

    art = _open(root)
    try:
        p = profile(art, tumour_type, alteration, as_of, not public_only)
    except QueryParameterError as exc:
        fail(exc)
    if fmt == "json":
        out = {"header": p.header}
        for name, _, _ in SECTIONS:
            out[name] = json.loads(getattr(p, name).to_json(orient="records",
                                                            default_handler=str))
        typer.echo(json.dumps(out, indent=2, default=str))
        return
    if fmt == "csv":
        for name, title, _ in SECTIONS:
            typer.echo(f"# section: {name} ({title})")
            emit(getattr(p, name), "csv")
        return
    console.print(f"[bold]{p.header['note']}[/bold]", highlight=False)
    console.print(f"Tumour type: {p.header['tumour_type']} · alterations: "
                  f"{p.header['alterations']}"
                  + (f" · as of {as_of}" if as_of else ""), highlight=False)
    for name, title, columns in SECTIONS:
        df = getattr(p, name)
        if name == "cohorts" and len(df):
            here = df["histology_match"] != "other histology"
            others = df[~here].groupby("patient_alteration").head(other_histologies)
            df = df[here | df.index.isin(others.index)]
            console.print(f"\n(cohorts: this tumour type first, then broader types and baskets, "
                          f"then up to {other_histologies} from other histologies)")
        for alt, part in (df.groupby("patient_alteration", sort=False) if len(df)
                          else [("", df)]):
            shown = part[[c for c in columns if c in part.columns]]
            label = f"{title}: {alt}" if alt else title
            if shown.empty:
                console.print(f"\n[bold]{label}[/bold]: none", highlight=False)
            else:
                console.print()
                console.print(frame_table(shown, f"{label} ({len(part)})", limit))
