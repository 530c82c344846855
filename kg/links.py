"""Web links for the ids a table row carries; the converter itself is kg.identifiers (one
CURIE → IRI rule for the RDF export and the UI), this adds what table cells need around it."""

from __future__ import annotations

import pandas as pd

from kg import identifiers


def link_for(curie: object) -> str | None:
    """Web address of an id cell (a CURIE, an NCT number or a URL); None when empty or when
    the id has no web page."""
    if curie is None or pd.isna(curie) or not str(curie).strip():
        return None
    return identifiers.link(str(curie).strip())


def first_nct(ids: object) -> str | None:
    """The first ClinicalTrials.gov id in a ``;``- or ``,``-separated list."""
    if ids is None or pd.isna(ids):
        return None
    for part in str(ids).replace(",", ";").split(";"):
        if part.strip().upper().startswith("NCT"):
            return part.strip().upper()
    return None
