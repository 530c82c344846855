"""Web addresses of the identifiers the graph carries (PubMed, DOI, NCT, CIViC …).

One converter for every caller (evidence table, profile, UI links): a CURIE is resolved through
bioregistry, so no URL pattern is written here. A prefix bioregistry does not know (``cgi``)
gets no link rather than a guessed one.
"""

from __future__ import annotations

import functools

import pandas as pd


@functools.lru_cache(maxsize=20_000)
def link_for(curie: object) -> str | None:
    """Resolvable web address of a CURIE, an NCT id or a URL; None when there is none."""
    if curie is None or pd.isna(curie) or not str(curie).strip():
        return None
    text = str(curie).strip()
    if text.startswith(("http://", "https://")):
        return text
    if text.startswith("url:"):
        return text[4:]
    if text.upper().startswith("NCT"):
        text = f"clinicaltrials:{text.upper()}"
    prefix, _, local = text.partition(":")
    if not local:
        return None
    template = _uri_format(prefix)
    return template.replace("$1", local) if template else None


@functools.lru_cache(maxsize=256)
def _uri_format(prefix: str) -> str | None:
    """bioregistry's default URL pattern for a prefix, looked up once per prefix (its per-id
    resolver costs about a millisecond a call, seconds over a knowledgebase)."""
    import bioregistry

    try:
        return bioregistry.get_default_format(prefix)
    except (KeyError, ValueError):
        return None


def first_nct(ids: object) -> str | None:
    """The first ClinicalTrials.gov id in a ``;``- or ``,``-separated list."""
    if ids is None or pd.isna(ids):
        return None
    for part in str(ids).replace(",", ";").split(";"):
        if part.strip().upper().startswith("NCT"):
            return part.strip().upper()
    return None
