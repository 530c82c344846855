"""Knowledgebase evidence (CIViC, MOAlmanac, CGI) as (alteration, regimen, tumour type) rows.

Present only when those loaders ran: an empty graph table gives an empty frame, never an error.
Only evidence that *supports sensitivity/response* is used as support for a candidate cohort;
"does not support" keeps its direction and is never read as the opposite claim.
"""

from __future__ import annotations

import pandas as pd

from kg.artefact import Artefact
from kg.schema import Label, Rel

COLUMNS = ["evidence", "common_tier", "source", "year", "alteration", "regimen", "tumour_type"]
TIER_RANK = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}


def supporting_evidence(art: Artefact, as_of: int | None = None) -> tuple[pd.DataFrame, dict]:
    """Rows of sensitivity evidence with their alteration, regimen and tumour type.

    With ``as_of`` only evidence whose year (its own, else its publication's) is known and not
    later is used; the header counts what was left out."""
    ev = art.nodes(Label.EVIDENCE)
    if ev.empty:
        return _rows(art, ev, as_of)
    sig = ev["significance"].fillna("").str.lower()
    keep = (ev["direction"].fillna("") == "supports") & sig.str.contains("sensitiv|response")
    return _rows(art, ev[keep], as_of, len(ev))


def opposing_evidence(art: Artefact, as_of: int | None = None) -> tuple[pd.DataFrame, dict]:
    """Rows of evidence against a use: sensitivity that the item does not support (CIViC,
    MOAlmanac), or resistance it supports (CIViC; CGI "Resistant" and "No Responsive")."""
    ev = art.nodes(Label.EVIDENCE)
    if ev.empty:
        return _rows(art, ev, as_of)
    sig = ev["significance"].fillna("").str.lower()
    dirn = ev["direction"].fillna("")
    keep = (((dirn == "does not support") & sig.str.contains("sensitiv|response"))
            | ((dirn == "supports") & sig.str.contains("resist")))
    return _rows(art, ev[keep], as_of, len(ev))


def _rows(art: Artefact, ev: pd.DataFrame, as_of: int | None,
          total: int = 0) -> tuple[pd.DataFrame, dict]:
    header = {"evidence_total": total, "evidence_excluded_no_year": 0,
              "evidence_excluded_after_as_of": 0}
    if ev.empty:
        return pd.DataFrame(columns=COLUMNS), header
    ev = ev.assign(year=ev["id"].map(evidence_years(art)))
    if as_of is not None:
        no_year = ev["year"].isna()
        later = ev["year"].fillna(0) > as_of
        header["evidence_excluded_no_year"] = int(no_year.sum())
        header["evidence_excluded_after_as_of"] = int((later & ~no_year).sum())
        ev = ev[~no_year & ~later]
    base = ev[["id", "common_tier", "source", "year"]].rename(columns={"id": "evidence"})
    for rel, col in ((Rel.FOR_ALTERATION, "alteration"), (Rel.FOR_REGIMEN, "regimen"),
                     (Rel.IN_TUMOUR, "tumour_type")):
        e = art.edges(rel)[["src", "dst"]].rename(columns={"src": "evidence", "dst": col})
        base = base.merge(e, on="evidence", how="inner")
    header["evidence_used"] = int(base["evidence"].nunique())
    return base[COLUMNS].reset_index(drop=True), header


def evidence_years(art: Artefact) -> pd.Series:
    """Evidence id → year: its own, else its earliest publication's. The one rule for what an
    ``as_of`` run knew of an evidence item (analyses, evidence table and UI alike)."""
    ev = art.nodes(Label.EVIDENCE)
    rep = art.edges(Rel.REPORTED_IN)
    pubs = art.nodes(Label.PUBLICATION).set_index("id")["year"]
    rep = rep.assign(year=rep["dst"].map(pubs)).dropna(subset=["year"])
    pub_year = rep.groupby("src")["year"].min()
    own = ev.set_index("id")["year"].astype("Float64")
    return own.fillna(own.index.to_series().map(pub_year).astype("Float64"))
