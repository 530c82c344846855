"""Per-cohort ORR/CBR with exact CIs, and the "units" every roll-up counts exactly once.

Patients are never counted twice: a cohort's current report is taken once (``current_results``),
and an arm broken down into per-histology strata (STRATUM_OF) is counted through its strata when
they report the endpoint. When the arm also reports it, the arm's patients outside the strata
become one *remainder* unit (arm minus strata, mixed histology, ``derived`` = True) so that the
arm's total is kept; when the strata add up to more than the arm (reports from different
years), the arm alone is used. Columns of :func:`units`:

unit, cohort, parent_cohort, derived, trial, trial_name, regimen, regimen_name, drug_classes,
alteration, tumour_type, n, k (responders or patients with benefit), result_ids (;-joined, every
report behind the unit), source (``curated`` or ``committee:<file>``), private, year,
benefit_definition, median_pfs_months, arm (name), tumour_type_published.
"""

from __future__ import annotations

import pandas as pd

from kg.artefact import Artefact
from queries.cohorts import current_results
from queries.estimates import clopper_pearson_many
from queries.hierarchy import alteration_groups, treatment_keys, tumour_groups
from queries.params import ENDPOINTS, check_choice

COUNT_OF = {"response": "n_response", "benefit": "n_benefit"}
UNIT_COLUMNS = ["unit", "cohort", "parent_cohort", "derived", "trial", "trial_name", "regimen",
                "regimen_name", "drug_classes", "alteration", "tumour_type", "n", "k",
                "result_ids", "source", "private", "year", "benefit_definition",
                "median_pfs_months", "arm", "tumour_type_published", "status", "design",
                "outcome_call"]


def _with_header(df: pd.DataFrame, header: dict) -> pd.DataFrame:
    df.attrs["header"] = dict(header)
    return df


def cohort_outcomes(art: Artefact, as_of: int | None = None,
                    include_private: bool = True) -> pd.DataFrame:
    """One row per cohort with a current report: ORR and CBR with exact 95% CIs.

    Columns: cohort, parent_cohort (set for strata), trial, trial_name, arm, regimen_name,
    drug_classes, alteration, alteration_name, tumour_type, tumour_type_name, result, year,
    analysis_kind, n_evaluable, n_response, orr, orr_low, orr_high, n_benefit, cbr, cbr_low,
    cbr_high, benefit_definition, median_pfs_months, outcome_call, source (curated or
    committee:<file>), private, citation. Rates are fractions (0-1); NaN when not reported.
    ``attrs["header"]``: as_of and the reports excluded (no year / later than as_of)."""
    cur, header = current_results(art, as_of, include_private)
    out = cur.rename(columns={"result_source": "source"})
    for prefix, col in (("orr", "n_response"), ("cbr", "n_benefit")):
        out[prefix] = out[col] / out["n_evaluable"]
        out[f"{prefix}_low"], out[f"{prefix}_high"] = clopper_pearson_many(
            out[col], out["n_evaluable"])
    cols = ["cohort", "parent_cohort", "trial", "trial_name", "arm", "regimen_name",
            "drug_classes", "alteration", "alteration_name", "tumour_type", "tumour_type_name",
            "result", "year", "analysis_kind", "n_evaluable", "n_response", "orr", "orr_low",
            "orr_high", "n_benefit", "cbr", "cbr_low", "cbr_high", "benefit_definition",
            "median_pfs_months", "outcome_call", "source", "private", "citation"]
    return _with_header(out[cols].reset_index(drop=True), header)


def units(art: Artefact, endpoint: str = "response", as_of: int | None = None,
          include_private: bool = True) -> pd.DataFrame:
    """Non-overlapping counting units for ``endpoint`` (see module docstring)."""
    check_choice("endpoint", endpoint, ENDPOINTS)
    cur, header = current_results(art, as_of, include_private)
    col = COUNT_OF[endpoint]
    cur = cur.assign(n=cur["n_evaluable"], k=cur[col], source=cur["result_source"],
                     result_ids=cur["result"], unit=cur["cohort"], derived=False)
    usable = cur["n"].notna() & cur["k"].notna() & (cur["n"] > 0)
    # only the columns a unit carries: the cohort frame is wide, and converting all of it to
    # records was a fifth of a cold tumour_agnostic run
    needed = list(dict.fromkeys([*UNIT_COLUMNS, "result", "parent_cohort"]))
    by_id = {r["cohort"]: r for r in cur[needed].to_dict("records")}
    children: dict[str, list[str]] = {}
    for c, p in zip(cur["cohort"], cur["parent_cohort"], strict=True):
        if isinstance(p, str) and p:
            children.setdefault(p, []).append(c)
    ok = dict(zip(cur["cohort"], usable, strict=True))

    def expand(cohort: str) -> list[dict]:
        row = dict(by_id[cohort])
        kids = [u for child in sorted(children.get(cohort, [])) for u in expand(child)]
        if not kids:
            return [row] if ok[cohort] else []
        if not ok[cohort]:
            return kids
        n_rest = row["n"] - sum(u["n"] for u in kids)
        k_rest = row["k"] - sum(u["k"] for u in kids)
        if n_rest < 0 or k_rest < 0 or k_rest > n_rest:
            return [row]  # strata and arm disagree: trust the arm's own total
        if n_rest == 0:
            return kids
        rest = row | {"unit": f"remainder:{cohort}", "n": n_rest, "k": k_rest, "derived": True,
                      "tumour_type": _remainder_tumour(row), "result_ids": ";".join(
                          [row["result"], *(u["result_ids"] for u in kids)])}
        return [*kids, rest]

    tops = [c for c in cur["cohort"] if not (isinstance(by_id[c]["parent_cohort"], str)
                                             and by_id[c]["parent_cohort"] in ok)]
    rows = [u for c in sorted(tops) for u in expand(c)]
    out = pd.DataFrame(rows, columns=None if rows else UNIT_COLUMNS)
    if rows:
        out["n"] = out["n"].astype(int)
        out["k"] = out["k"].astype(int)
        out = out.rename(columns={"arm": "arm"})[UNIT_COLUMNS]
    header = header | {"endpoint": endpoint, "units": len(out),
                       "cohorts_without_counts": int((~usable).sum())}
    return _with_header(out.reset_index(drop=True), header)


def _remainder_tumour(row: dict) -> str:
    """Patients of an arm outside its reported strata: the arm's own tumour type."""
    return row["tumour_type"]


def annotate(art: Artefact, u: pd.DataFrame, alteration_level: str, tumour_level: str | int,
             treatment_level: str) -> pd.DataFrame:
    """Add treatment / alteration / histology group keys at the chosen levels."""
    alt = alteration_groups(art, alteration_level)
    tum = tumour_groups(art, tumour_level)
    out = u.join(alt, on="alteration").join(tum, on="tumour_type")
    out["treatment_group"] = treatment_keys(art, out, treatment_level) if len(out) else []
    out["histology"] = out["histology"].fillna("unmapped")
    out.attrs = u.attrs
    return out


GROUP_KEYS = ["treatment_group", "alteration_group", "alteration_group_name", "histology",
              "histology_name"]


def group_outcomes(art: Artefact, as_of: int | None = None, alteration_level: str = "codon",
                   tumour_level: str | int = "main_type", treatment_level: str = "drug_class",
                   include_private: bool = True) -> pd.DataFrame:
    """Roll-up per (treatment group, alteration group, histology) for both endpoints.

    Columns: the group keys, then for ``orr`` and ``cbr``: n_units, n, k, rate, low, high
    (exact 95% CI of the summed counts, units never overlapping), and ``trials``, ``sources``,
    ``result_ids`` (every report behind the row)."""
    frames = []
    header: dict = {}
    for endpoint, prefix in (("response", "orr"), ("benefit", "cbr")):
        u = annotate(art, units(art, endpoint, as_of, include_private), alteration_level,
                     tumour_level, treatment_level)
        header = header or dict(u.attrs.get("header", {}))
        if u.empty:
            continue
        g = u.groupby(GROUP_KEYS, dropna=False).agg(
            **{f"{prefix}_units": ("unit", "size"), f"{prefix}_n": ("n", "sum"),
               f"{prefix}_k": ("k", "sum"),
               f"{prefix}_trials": ("trial", lambda s: ";".join(sorted(set(s)))),
               f"{prefix}_sources": ("source", lambda s: ";".join(sorted(set(s)))),
               f"{prefix}_result_ids": ("result_ids", lambda s: ";".join(sorted(s)))})
        g[f"{prefix}"] = g[f"{prefix}_k"] / g[f"{prefix}_n"]
        g[f"{prefix}_low"], g[f"{prefix}_high"] = clopper_pearson_many(g[f"{prefix}_k"],
                                                                       g[f"{prefix}_n"])
        frames.append(g)
    if not frames:
        return _with_header(pd.DataFrame(columns=GROUP_KEYS), header)
    out = frames[0].join(frames[1], how="outer") if len(frames) == 2 else frames[0]
    out = out.reset_index().sort_values(GROUP_KEYS[:2] + ["histology"], ignore_index=True)
    header |= {"alteration_level": alteration_level, "tumour_level": tumour_level,
               "treatment_level": treatment_level}
    header.pop("endpoint", None)
    return _with_header(out, header)
