"""`kg evidence`: every cohort report and knowledgebase item for a gene, alteration, treatment
or tumour type, saying how each row matched (exact, broader or narrower alteration, sub-type)."""

from __future__ import annotations

from pathlib import Path

import typer

from ui.commands import filters
from ui.commands.output import ALL_COLUMNS, COLUMNS, FORMAT, LIMIT
from ui.commands.query import AS_OF, ROOT, _open, run_and_print


def register(app: typer.Typer) -> None:
    app.command("evidence")(evidence)


def evidence(root: Path | None = ROOT, fmt: str = FORMAT, as_of: int | None = AS_OF,
             gene: list[str] = filters.OPTIONS["gene"],
             alteration: list[str] = filters.OPTIONS["alteration"],
             drug: list[str] = filters.OPTIONS["drug"],
             regimen: list[str] = filters.OPTIONS["regimen"],
             drug_class: list[str] = filters.OPTIONS["drug_class"],
             tumour_type: list[str] = filters.OPTIONS["tumour_type"],
             tier: list[str] = filters.OPTIONS["tier"],
             source: list[str] = filters.OPTIONS["source"],
             exact_alteration: bool = filters.OPTIONS["exact_alteration"],
             all_reports: bool = typer.Option(False, "--all-reports", help="Also list interim "
                                              "reports that later ones supersede."),
             limit: int = LIMIT, columns: str | None = COLUMNS,
             all_columns: bool = ALL_COLUMNS) -> None:
    """Cohort reports and knowledgebase evidence, filtered through the hierarchies.

    Example: kg evidence --alteration BRAF:V600E --tumour-type COADREAD
    """
    from queries.evidence_table import evidence_table

    art = _open(root)
    values = dict(locals())
    run_and_print(art, "evidence", "Evidence",
                  lambda: evidence_table(art, as_of, current_only=not all_reports), values)
