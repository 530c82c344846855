"""Gaps and candidate new cohorts: where a signal could be carried to another histology.

A *gap* is a (treatment group, alteration group, histology) triple with support — activity of
the same group in other histologies (hierarchical posterior) and/or knowledgebase evidence —
that is

* ``untested``: no cohort of the group in that histology known by ``as_of``,
* ``planned``: a programme lists an arm (a Cohort with no result, from data/arms.csv), or
* ``inconclusive``: tested, but the exact 95% CI still contains both p0 and p1.

A *candidate cohort* is an untested gap (never what a programme already tests), ranked by the
posterior predictive response of a new histology of the group (queries.model: EXNEX with its
hyperparameters integrated, EX at the prior weight, else NEX; its mean in bands of 0.1 so that
the later keys can matter), the best supporting evidence tier, the number of
supporting histologies, and rarity; each comes with its rationale (supporting result and
evidence ids), the Simon optimal and minimax designs for the given p0/p1/alpha/beta and the
DRUP-like 8 → 24 rule's operating characteristics.

The histologies considered for a group are those where the alteration (at the chosen level) is
documented in the graph: any cohort selecting it (whatever the drug) or any evidence item for
it. Groups without any trial data are left out (no borrowing is possible); rarity is the
TumourType ``rare`` flag when the graph has one, else a proxy: how seldom cohorts of any kind
enrol that histology (1 − count / largest count).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kg.artefact import Artefact
from kg.schema import ROOT_TUMOUR, Label
from queries.agnostic import GROUP, _is_true, histology_posteriors
from queries.cohorts import cohort_frame, report_frame
from queries.evidence import TIER_RANK, supporting_evidence
from queries.frames import in_set, records, row_keys
from queries.hierarchy import (
    MIXED,
    alteration_groups,
    ancestors,
    hierarchy,
    is_carrier,
    tumour_groups,
    with_treatment_groups,
)
from queries.model import DRUP, exnex_posterior, success_of
from queries.params import Thresholds
from queries.simon import drup_rule_characteristics, simon_designs

KEY = [*GROUP[:2], "histology"]


def _cohort_keys(art: Artefact, as_of: int | None, alteration_level: str,
                 tumour_level: str | int, treatment_level: str,
                 include_private: bool) -> pd.DataFrame:
    """Every cohort (with or without results) with group keys and whether it is known/planned."""
    c = cohort_frame(art, include_private)[["cohort", "regimen", "alteration", "tumour_type"]]
    rep = report_frame(art, include_private)
    first = rep.groupby("cohort")["year"].min()
    has_report = in_set(c["cohort"], rep["cohort"])
    first_year = c["cohort"].map(first)
    if as_of is None:
        known = pd.Series(True, index=c.index)
    else:
        known = ~has_report | (first_year.notna() & (first_year <= as_of))
    c = c.assign(planned=~has_report, known=known)
    c = c[is_carrier(art, c["alteration"])]
    c = c.join(alteration_groups(art, alteration_level), on="alteration")
    c = c.join(tumour_groups(art, tumour_level), on="tumour_type")
    c = with_treatment_groups(art, c, treatment_level)
    return c


def gaps(art: Artefact, as_of: int | None = None, endpoint: str = "response",
         alteration_level: str = "codon", tumour_level: str | int = "main_type",
         treatment_level: str = "drug_class", thresholds: Thresholds | None = None,
         include_private: bool = True) -> pd.DataFrame:
    """Untested, planned and inconclusive triples with support (see module docstring).

    Columns: status, treatment_group, alteration_group, alteration_group_name, histology,
    histology_name, n, k, rate, low, high (for inconclusive ones), n_supporting, supporting
    (histologies with activity), pred_response and pred_p_above_p0 (mean and P(rate > p0) of the
    new-histology predictive), drup_success_prob (P(the 8 → 24 rule succeeds) integrated over
    that predictive) with drup_success_low/high (its 10%/90% quantiles over the
    hyperparameters' posterior, ``model.success_of``), evidence_tier, evidence_ids, rarity,
    supporting_rows (result and evidence ids behind the rationale), sources (curated /
    committee:<file> of the supporting results), planned_cohorts."""
    t = thresholds or Thresholds()
    post = histology_posteriors(art, as_of, endpoint, alteration_level, tumour_level,
                                treatment_level, t, include_private)
    header = dict(post.attrs.get("header", {}))
    post.attrs = {}  # pandas deep-copies attrs into every intermediate frame
    ev, ev_header = supporting_evidence(art, as_of)
    header |= ev_header
    cohorts = _cohort_keys(art, as_of, alteration_level, tumour_level, treatment_level,
                           include_private)
    ev = _evidence_keys(art, ev, alteration_level, tumour_level, treatment_level)
    rarity = _rarity(art, cohorts, tumour_level)
    names = tumour_groups(art, tumour_level).drop_duplicates("histology").set_index(
        "histology")["histology_name"]
    tumour_dag = hierarchy(art, Label.TUMOUR_TYPE)
    above: dict = {}

    def coarser_types(tumour: object) -> list:
        """The tumour type's ancestors, nearest first (asked for again and again)."""
        if tumour not in above:
            above[tumour] = ancestors(tumour_dag, tumour)[1:]
        return above[tumour]

    # split once by key (filtering the whole frames per group dominated the run time)
    cohorts_by = _records_by(cohorts[["treatment_group", "alteration_group", "histology",
                                      "tumour_type", "known", "planned", "cohort"]],
                             ["treatment_group", "alteration_group"])
    # evidence as (histology, tumour type, tier, id) and the documented (histology, tumour type)
    # of each alteration group: plain tuples, thousands of them
    ev_by = _tuples_by(ev, ["treatment_group", "alteration_group"],
                       ["histology", "tumour_type", "common_tier", "evidence"])
    documented_by: dict[tuple, set[tuple]] = {}
    for source in (cohorts[cohorts["known"].to_numpy(dtype=bool)], ev):
        for key, found in _tuples_by(source, ["alteration_group"],
                                     ["histology", "tumour_type"]).items():
            documented_by.setdefault(key, set()).update(found)  # each pair once
    tier_name = {v: k for k, v in TIER_RANK.items()}
    rows: list[dict] = []
    post_rows = records(post, list(post.columns))
    code = post.groupby(GROUP, dropna=False).ngroup().to_numpy() if len(post) else []
    parts: dict[int, list[dict]] = {}
    for g, rec in zip(code, post_rows, strict=True):
        parts.setdefault(int(g), []).append(rec)
    for _, part in sorted(parts.items()):
        tg, ag, ag_name = (part[0][c] for c in GROUP)
        single = [r for r in part if r["histology"] != MIXED]
        active = [r for r in part if _is_true(r["judged"]) and r["p_above_p0"] >= t.prob]
        mixed_active = [r for r in part if r["histology"] == MIXED and r["low"] > t.p0]
        if not single and not mixed_active:
            continue
        # the group's fit, as histology_posteriors made it (cached in queries.model)
        post_g = (exnex_posterior(np.array([r["k"] for r in single], dtype=float),
                                  np.array([r["n"] for r in single], dtype=float), t.p0, t.p1)
                  if single else None)
        fitted = post_g.predictive if post_g else None
        pred, pred_p = (fitted.mean, fitted.p_above(t.p0)) if fitted else (np.nan, np.nan)
        win = success_of(post_g, DRUP) if post_g else None
        support_rows = sorted({x for r in [*active, *mixed_active]
                               for x in str(r["result_ids"]).split(";") if x})
        mine = cohorts_by.get((tg, ag), [])
        tested_known = {c["histology"] for c in mine if c["known"] and not c["planned"]}
        planned = [c for c in mine if c["planned"]]
        planned_h = {c["histology"] for c in planned}
        # a tumour type above one the group tested (evidence filed under "Bowel" when colorectal
        # cancer was tested) is not another histology
        coarser = {a for c in mine if c["known"] for a in coarser_types(c["tumour_type"])}
        # and one below a tumour type the group tested (cholangiocarcinoma evidence when the
        # cohort enrolled biliary tract cancer) is covered by that cohort
        tested_types = {c["tumour_type"] for c in mine
                        if c["known"] and not c["planned"]} - {ROOT_TUMOUR}
        covered = coarser | {t for t in {e[1] for e in ev_by.get((tg, ag), [])}
                             | {d[1] for d in documented_by.get((ag,), [])}
                             if isinstance(t, str) and not tested_types.isdisjoint(
                                 coarser_types(t))}
        ev_of: dict = {}  # histology → its evidence rows not covered by a tested tumour type
        for e in ev_by.get((tg, ag), []):
            if e[1] not in covered:
                ev_of.setdefault(e[0], []).append(e)
        candidates = {h for h, tumour in documented_by.get((ag,), []) if tumour not in covered}
        candidates |= planned_h | ev_of.keys()
        candidates.discard(MIXED)
        candidates.discard(None)
        base = {"treatment_group": tg, "alteration_group": ag, "alteration_group_name": ag_name,
                "n_supporting": len(active) + len(mixed_active),
                "supporting": "; ".join(str(r["histology_name"]) for r in active) + (
                    "; mixed basket" if len(mixed_active) else ""),
                "pred_response": pred, "pred_p_above_p0": pred_p,
                "drup_success_prob": win.prob if win else np.nan,
                "drup_success_low": win.low if win else np.nan,
                "drup_success_high": win.high if win else np.nan,
                "sources": ";".join(sorted({x for r in [*active, *mixed_active]
                                            for x in str(r["sources"]).split(";") if x}))}
        first_single: dict = {}
        for r in single:
            first_single.setdefault(r["histology"], r)
        for h in sorted(c for c in candidates if isinstance(c, str)):
            h_ev = ev_of.get(h, [])
            tier = min((TIER_RANK.get(e[2], 9) for e in h_ev if not pd.isna(e[2])), default=9)
            ev_ids = sorted({e[3] for e in h_ev})
            row = base | {"histology": h, "histology_name": names.get(h, h),
                          "evidence_tier": tier_name.get(tier, ""),
                          "evidence_ids": ";".join(ev_ids), "rarity": rarity.get(h, np.nan),
                          "n": np.nan, "k": np.nan, "rate": np.nan, "low": np.nan,
                          "high": np.nan, "planned_cohorts": ""}
            if not support_rows and not ev_ids:
                continue  # nothing to borrow from
            row["supporting_rows"] = ";".join(support_rows + ev_ids)
            if h in first_single:
                r = first_single[h]
                low, high = r["low"], r["high"]  # its exact CI, from histology_posteriors
                if not (low < t.p0 and high > t.p1):
                    continue  # tested and conclusive
                row |= {"status": "inconclusive", "n": int(r["n"]), "k": int(r["k"]),
                        "rate": r["k"] / r["n"], "low": low, "high": high}
            elif h in tested_known:
                continue  # tested, counts not reported
            elif h in planned_h:
                row |= {"status": "planned", "planned_cohorts": ";".join(
                    sorted(c["cohort"] for c in planned if c["histology"] == h))}
            else:
                row["status"] = "untested"
            rows.append(row)
    cols = ["status", *GROUP, "histology", "histology_name", "n", "k", "rate", "low", "high",
            "n_supporting", "supporting", "pred_response", "pred_p_above_p0",
            "drup_success_prob", "drup_success_low", "drup_success_high", "evidence_tier",
            "evidence_ids", "rarity", "supporting_rows", "sources", "planned_cohorts"]
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values(["status", *KEY], ignore_index=True)
    out.attrs["header"] = header | {"planned_arms_without_date": int(cohorts["planned"].sum())}
    return out


def candidate_cohorts(art: Artefact, as_of: int | None = None, endpoint: str = "response",
                      alteration_level: str = "codon", tumour_level: str | int = "main_type",
                      treatment_level: str = "drug_class",
                      thresholds: Thresholds | None = None,
                      include_private: bool = True, design: str = "drup") -> pd.DataFrame:
    """Untested triples ranked by the probability that a new cohort of ``design`` succeeds,
    integrated over the predictive, with evidence for and against (queries.candidates)."""
    # imported here: queries.candidates builds on this module's unranked candidates
    from queries.candidates import ranked_candidates

    return ranked_candidates(art, as_of, endpoint, alteration_level, tumour_level,
                             treatment_level, thresholds, include_private, design)


def unranked_candidates(art: Artefact, as_of: int | None = None, endpoint: str = "response",
                        alteration_level: str = "codon", tumour_level: str | int = "main_type",
                        treatment_level: str = "drug_class",
                        thresholds: Thresholds | None = None,
                        include_private: bool = True) -> pd.DataFrame:
    """Untested triples, each with rationale and designs, in a provisional order
    (queries.candidates ranks them).

    Columns: rank, the gap columns (status always ``untested``), rationale (text), simon_optimal,
    simon_minimax (r1/n1, r/n text). ``attrs["header"]``
    carries the designs and the 8 → 24 rule's type I error and power at p0/p1."""
    t = thresholds or Thresholds()
    g = gaps(art, as_of, endpoint, alteration_level, tumour_level, treatment_level, t,
             include_private)
    header = dict(g.attrs.get("header", {}))
    g.attrs = {}  # pandas deep-copies attrs into every intermediate frame
    out = g[g["status"] == "untested"].copy()
    designs = simon_designs(t.p0, t.p1, t.alpha, t.beta)
    drup = drup_rule_characteristics(t.p0, t.p1)
    if len(out):
        out["_pred"] = out["pred_response"].round(1).fillna(-1)
        out["_tier"] = out["evidence_tier"].map(TIER_RANK).fillna(9)
        out = out.sort_values(["_pred", "_tier", "n_supporting", "rarity", *KEY],
                              ascending=[False, True, False, False, True, True, True],
                              ignore_index=True).drop(columns=["_pred", "_tier"])
        out["rationale"] = [_rationale(r, t) for r in out.itertuples()]
    else:
        out = out.assign(rationale=[])
    out["simon_optimal"] = f"{designs['optimal'].r1}/{designs['optimal'].n1}, " \
                           f"{designs['optimal'].r}/{designs['optimal'].n}"
    out["simon_minimax"] = f"{designs['minimax'].r1}/{designs['minimax'].n1}, " \
                           f"{designs['minimax'].r}/{designs['minimax'].n}"
    out.insert(0, "rank", range(1, len(out) + 1))
    out.attrs["header"] = header | {
        "simon_optimal": designs["optimal"].as_text(),
        "simon_minimax": designs["minimax"].as_text(),
        "drup_rule": drup["rule"], "drup_type_i_error": round(drup["type_i_error"], 4),
        "drup_power": round(drup["power"], 4), "drup_en0": round(drup["en0"], 2)}
    return out


def _rationale(r, t: Thresholds) -> str:
    parts = []
    if r.n_supporting:
        parts.append(f"active (P(rate > {t.p0:g}) >= {t.prob:g}) in {r.supporting}")
    if pd.notna(r.pred_response):
        parts.append(f"borrowed predictive rate {r.pred_response:.2f}")
    if r.evidence_ids:
        parts.append(f"knowledgebase evidence tier {r.evidence_tier}")
    return "; ".join(parts)


def _records_by(df: pd.DataFrame, cols: list[str]) -> dict[tuple, list[dict]]:
    """Rows as records grouped by ``cols``; rows with a missing key are left out (a missing
    value never equals another)."""
    out: dict[tuple, list[dict]] = {}
    missing = df[cols].isna().any(axis=1).to_numpy()
    names = list(df.columns)
    at = [names.index(c) for c in cols]
    # whole columns to Python lists first: itertuples over Arrow-backed strings went value by
    # value and was a tenth of a cold candidate_cohorts run
    rows = zip(*(df[c].tolist() for c in names), strict=True)
    for skip, values in zip(missing, rows, strict=True):
        if not skip:
            out.setdefault(tuple(values[i] for i in at), []).append(dict(zip(names, values,
                                                                             strict=True)))
    return out


def _tuples_by(df: pd.DataFrame, key: list[str], cols: list[str]) -> dict[tuple, list[tuple]]:
    """The ``cols`` values of each row as a plain tuple, grouped by ``key``; rows with a missing
    key are left out (a missing value never equals another)."""
    out: dict[tuple, list[tuple]] = {}
    missing = df[key].isna().any(axis=1).to_numpy()
    for skip, k, values in zip(missing, row_keys(df, key), row_keys(df, cols), strict=True):
        if not skip:
            out.setdefault(k, []).append(values)
    return out


def _evidence_keys(art: Artefact, ev: pd.DataFrame, alteration_level: str,
                   tumour_level: str | int, treatment_level: str) -> pd.DataFrame:
    if ev.empty:
        return ev.assign(alteration_group=[], histology=[], treatment_group=[])
    ev = ev.join(alteration_groups(art, alteration_level), on="alteration")
    ev = ev.join(tumour_groups(art, tumour_level), on="tumour_type")
    ev = with_treatment_groups(art, ev, treatment_level)
    return ev


def _rarity(art: Artefact, cohorts: pd.DataFrame, tumour_level: str | int) -> dict[str, float]:
    tt = art.nodes(Label.TUMOUR_TYPE)
    groups = tumour_groups(art, tumour_level)
    if "rare" in tt.columns and tt["rare"].notna().any():
        flag = tt.set_index("id")["rare"].astype("boolean")
        by = groups.join(flag.rename("rare")).groupby("histology")["rare"].max()
        return {h: float(bool(v)) for h, v in by.items() if pd.notna(v)}
    counts = cohorts.groupby("histology").size()
    top = counts.max() if len(counts) else 1
    return {h: 1 - counts.get(h, 0) / top for h in groups["histology"].unique()}
