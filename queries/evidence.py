"""Knowledgebase evidence (CIViC, MOAlmanac, CGI) as (alteration, regimen, tumour type) rows.

Present only when those loaders ran: an empty graph table gives an empty frame, never an error.
Only evidence that *supports sensitivity/response* is used as support for a candidate cohort;
"does not support" keeps its direction and is never read as the opposite claim.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kg.artefact import Artefact
from kg.schema import Label, Rel
from queries.memo import per_artefact

COLUMNS = ["evidence", "common_tier", "source", "year", "alteration", "regimen", "tumour_type"]
TIER_RANK = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}
_USED = ["id", "common_tier", "source"]  # the columns of an item the rows carry


def supporting_evidence(art: Artefact, as_of: int | None = None) -> tuple[pd.DataFrame, dict]:
    """Rows of sensitivity evidence with their alteration, regimen and tumour type.

    With ``as_of`` only evidence whose year (its own, else its publication's) is known and not
    later is used; the header counts what was left out."""
    ev = art.nodes(Label.EVIDENCE)
    if ev.empty:
        return _rows(art, ev, as_of)
    sig = ev["significance"].fillna("").str.lower()
    keep = (ev["direction"].fillna("") == "supports") & sig.str.contains("sensitiv|response")
    return _rows(art, ev.loc[keep, _USED], as_of, len(ev))


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
    return _rows(art, ev.loc[keep, _USED], as_of, len(ev))


def _rows(art: Artefact, ev: pd.DataFrame, as_of: int | None,
          total: int = 0) -> tuple[pd.DataFrame, dict]:
    header = {"evidence_total": total, "evidence_excluded_no_year": 0,
              "evidence_excluded_after_as_of": 0}
    if ev.empty:
        return pd.DataFrame(columns=COLUMNS), header
    base = ev[["id", "common_tier", "source"]].rename(columns={"id": "evidence"})
    base = base.assign(year=base["evidence"].map(evidence_years(art)))
    if as_of is not None:
        no_year = base["year"].isna()
        later = base["year"].fillna(0) > as_of
        header["evidence_excluded_no_year"] = int(no_year.sum())
        header["evidence_excluded_after_as_of"] = int((later & ~no_year).sum())
        base = base[~no_year & ~later]
    # one row per (alteration, regimen, tumour type) the item names, in the order an inner
    # merge on each relation gives; plain dict look-ups (the three merges were most of it)
    links = _links(art)
    alteration, regimen, tumour = (links[rel] for rel in _LINKS)
    at, cols = [], ([], [], [])
    for i, e in enumerate(base["evidence"].tolist()):
        for a in alteration.get(e, ()):
            for r in regimen.get(e, ()):
                for t in tumour.get(e, ()):
                    at.append(i)
                    for col, value in zip(cols, (a, r, t), strict=True):
                        col.append(value)
    out = base.take(at).reset_index(drop=True)
    for rel, name, values in zip(_LINKS, COLUMNS[4:], cols, strict=True):
        out[name] = pd.array(values, dtype=art.edges(rel)["dst"].dtype)
    header["evidence_used"] = len({e for e in out["evidence"].tolist()})
    return out[COLUMNS], header


_LINKS = (Rel.FOR_ALTERATION, Rel.FOR_REGIMEN, Rel.IN_TUMOUR)


@per_artefact
def _links(art: Artefact) -> dict[Rel, dict[str, list[str]]]:
    """Evidence id → the alterations, regimens and tumour types it names (edge order)."""
    out: dict[Rel, dict[str, list[str]]] = {}
    for rel in _LINKS:
        e = art.edges(rel)
        found: dict[str, list[str]] = {}
        for src, dst in zip(e["src"].tolist(), e["dst"].tolist(), strict=True):
            found.setdefault(src, []).append(dst)
        out[rel] = found
    return out


@per_artefact  # the same for every as_of and every analysis
def evidence_years(art: Artefact) -> pd.Series:
    """Evidence id → year: its own, else its earliest publication's. The one rule for what an
    ``as_of`` run knew of an evidence item (analyses, evidence table and UI alike)."""
    ev = art.nodes(Label.EVIDENCE)
    pubs = art.nodes(Label.PUBLICATION)
    pub_year = {p: y for p, y in zip(pubs["id"].tolist(), pubs["year"].tolist(), strict=True)
                if not pd.isna(y)}
    rep = art.edges(Rel.REPORTED_IN)
    earliest: dict[str, float] = {}
    for src, dst in zip(rep["src"].tolist(), rep["dst"].tolist(), strict=True):
        if dst in pub_year:
            earliest[src] = min(earliest.get(src, pub_year[dst]), pub_year[dst])
    own = pd.Series(ev["year"].astype("Float64").array, index=pd.Index(ev["id"], name="id"),
                    name="year")
    return own.fillna(pd.Series([earliest.get(e, np.nan) for e in ev["id"].tolist()],
                                index=own.index, dtype="Float64"))
