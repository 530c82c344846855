"""The filter options every evidence-reading command shares (``kg evidence``, ``kg query``,
``kg profile``), turned into a queries.selection.Selection."""

from __future__ import annotations

import typer

from kg.artefact import Artefact
from queries.selection import Selection, resolve

OPTIONS: dict[str, typer.models.OptionInfo] = {
    "gene": typer.Option([], "--gene", help="Gene symbol, e.g. BRAF (repeatable)."),
    "alteration": typer.Option([], "--alteration", help="e.g. BRAF:V600E; also finds narrower "
                               "ones and cohorts that select a broader one (repeatable)."),
    "drug": typer.Option([], "--drug", help="Drug name or id: every regimen with it."),
    "regimen": typer.Option([], "--regimen", help="Regimen id or name."),
    "drug_class": typer.Option([], "--drug-class", help="e.g. 'KRAS G12C inhibitor'."),
    "tumour_type": typer.Option([], "--tumour-type", help="OncoTree code, e.g. COADREAD "
                                "(with its sub-types)."),
    "tier": typer.Option([], "--tier", help="Evidence tier (A-E, or 'trial cohort')."),
    "source": typer.Option([], "--source", help="Source name, e.g. civic, cgi, curated."),
    "exact_alteration": typer.Option(False, "--exact-alteration", help="Leave out cohorts that "
                                     "select a broader alteration."),
}
NAMES = tuple(OPTIONS)


def selection(art: Artefact, values: dict) -> Selection:
    """A Selection from the options' values (raises QueryParameterError on unknown names)."""
    return resolve(art, gene=values.get("gene") or [],
                   alteration=values.get("alteration") or [], drug=values.get("drug") or [],
                   regimen=values.get("regimen") or [],
                   drug_class=values.get("drug_class") or [],
                   tumour_type=values.get("tumour_type") or [], tier=values.get("tier") or [],
                   source=values.get("source") or [],
                   broader=not values.get("exact_alteration", False))
