"""Tumour-agnostic signals and histology dependence across a group's histologies.

A *group* is a treatment (regimen, drug-class set or target class) × an alteration at a chosen
hierarchy level; its *histologies* are the OncoTree groups (default: main type) of the
single-histology units (see queries.outcomes.units). Mixed-histology baskets count towards the
pooled rate but not as a histology, because their patients' tumour types are not separable.

Label rules (``Thresholds``: p0, p1, prob, k, min_n; only histologies with ≥ min_n evaluable
patients are judged):

* **histology-dependent**: some histology has P(rate > p1) ≥ prob while another has
  P(rate < p0) ≥ prob (qualitative heterogeneity: active here, inactive there) — or, when the
  exact heterogeneity test rejects at ``het_alpha``, P(rate < p1) ≥ prob (clearly short of the
  target where others exceed it: BRAF V600E colorectal cancer at 12% beside 50-65% elsewhere).
  Those histologies are listed as ``weaker``.
* **agnostic**: not histology-dependent, activity (P(rate > p0) ≥ prob) in ≥ k histologies —
  an active mixed-histology basket (exact lower bound > p0) counts as one more — the pooled
  exact lower bound above p0, and no judged histology likely below p0. Quantitative
  heterogeneity (exact test, I²) is reported, not used to veto: rates of 35% and 50% are the
  same signal for a committee, rates of 5% and 50% are not.
* **inactive**: no judged histology likely above p0 and the pooled exact upper bound below p1.
* **insufficient data**: everything else (too few patients or histologies to call).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kg.artefact import Artefact
from queries.estimates import (
    clopper_pearson_many,
    heterogeneity_exact,
    i_squared,
)
from queries.frames import records
from queries.hierarchy import MIXED, is_carrier
from queries.memo import per_artefact
from queries.model import exnex_posteriors
from queries.outcomes import ROLLUP_COLUMNS, annotate, units
from queries.params import ENDPOINTS, Thresholds, check_choice

GROUP = ["treatment_group", "alteration_group", "alteration_group_name"]
LABEL_ORDER = {"agnostic": 0, "histology-dependent": 1, "insufficient data": 2, "inactive": 3}
DRUP_SHARE = 0.235
DRUP_NOTE = (
    "DRUP reported histology-dependent activity in 23.5% of "
    "drug-target subgroups tested in several tumour types: one programme, one clinical-benefit "
    "endpoint (SD or response >= 16 weeks), each cohort judged by its own 8 -> 24 stage outcome. "
    "Ours pools published cohorts from many trials, judges each histology by a hierarchical "
    "posterior against p0/p1 on the chosen endpoint (ORR by default), and counts a group only "
    "when >= 2 histologies have >= min_n evaluable patients. Published cohorts over-represent "
    "active histologies (negative stage-1 cohorts often go unreported), and most publications "
    "give ORR rather than 16-week benefit, so our share is not the same measure; run with "
    "--endpoint benefit for the closer comparison.")


#: the model's columns of histology_posteriors
FIT_COLUMNS = ("post_mean", "p_above_p0", "p_above_p1", "p_below_p0", "w_exchangeable",
               "ex_mean", "ex_a", "ex_b")


def histology_posteriors(art: Artefact, as_of: int | None = None, endpoint: str = "response",
                         alteration_level: str = "codon", tumour_level: str | int = "main_type",
                         treatment_level: str = "drug_class", thresholds: Thresholds | None = None,
                         include_private: bool = True) -> pd.DataFrame:
    """One row per (group, histology): counts, exact CI and the EXNEX-like posterior.

    Columns: treatment_group, alteration_group, alteration_group_name, histology,
    histology_name, n_units, n, k, rate, low, high, judged (n ≥ min_n and not mixed), post_mean,
    p_above_p0, p_above_p1, p_below_p0, w_exchangeable, ex_mean, ex_a, ex_b (the group's fitted
    exchangeable Beta), regimens, trials, sources, result_ids. Mixed rows carry no posterior."""
    t = thresholds or Thresholds()
    check_choice("endpoint", endpoint, ENDPOINTS)
    # shared by tumour_agnostic, histology_dependence, gaps, candidate_cohorts and the UI pages
    return _histology_posteriors(art, as_of, endpoint, alteration_level, tumour_level,
                                 treatment_level, t, include_private)


@per_artefact
def _histology_posteriors(art: Artefact, as_of: int | None, endpoint: str,
                          alteration_level: str, tumour_level: str | int, treatment_level: str,
                          t: Thresholds, include_private: bool) -> pd.DataFrame:
    # only the columns annotate and the roll-up read: every step below takes whole rows
    u = annotate(art, units(art, endpoint, as_of, include_private)[ROLLUP_COLUMNS],
                 alteration_level, tumour_level, treatment_level)
    carriers = is_carrier(art, u["alteration"])
    header = dict(u.attrs.get("header", {})) | {"units_non_carrier": int((~carriers).sum()),
        "alteration_level": alteration_level, "tumour_level": tumour_level,
        "treatment_level": treatment_level, "p0": t.p0, "p1": t.p1, "prob": t.prob,
        "k": t.k, "min_n": t.min_n}
    u.attrs = {}  # pandas deep-copies attrs into every intermediate frame: keep the header apart
    if u.empty:  # every column a non-empty answer has, so callers need no special case
        out = pd.DataFrame(columns=[*GROUP, "histology", "histology_name", "n_units", "n", "k",
                                    "regimens", "trials", "sources", "result_ids", "rate", "low",
                                    "high", "judged", *FIT_COLUMNS])
        out.attrs["header"] = header
        return out
    u = u[carriers]

    keys = [*GROUP, "histology", "histology_name"]
    grouped = u.groupby(keys, dropna=False)
    agg = (grouped.agg(n_units=("unit", "size"), n=("n", "sum"), k=("k", "sum"))
           .reset_index())
    # the ;-joined lists in one pass over the rows (a Python callback per group and column
    # cost more than the whole model)
    code = grouped.ngroup().to_numpy()
    for col, name in (("regimen_name", "regimens"), ("trial", "trials"), ("source", "sources"),
                      ("result_ids", "result_ids")):
        found: list[set[str]] = [set() for _ in range(len(agg))]
        for g, v in zip(code, u[col], strict=True):
            if not pd.isna(v):
                found[g].update(str(v).split(";"))
        agg[name] = [";".join(sorted(x)) for x in found]
    agg["rate"] = agg["k"] / agg["n"]
    agg["low"], agg["high"] = clopper_pearson_many(agg["k"], agg["n"])
    agg["judged"] = (agg["histology"] != MIXED) & (agg["n"] >= t.min_n)
    fit = {col: np.full(len(agg), np.nan) for col in FIT_COLUMNS}
    is_single = (agg["histology"] != MIXED).to_numpy(dtype=bool)
    k_all = agg["k"].to_numpy(dtype=float)
    n_all = agg["n"].to_numpy(dtype=float)
    groups = [(idx, idx[is_single[idx]])
              for idx in agg.groupby(GROUP, dropna=False).indices.values()]
    groups = [(idx, single) for idx, single in groups if len(single)]
    fitted = exnex_posteriors([(k_all[single], n_all[single]) for _, single in groups],
                              t.p0, t.p1)
    for (idx, single), post in zip(groups, fitted, strict=True):
        fit["post_mean"][single] = post.mean
        fit["p_above_p0"][single] = post.p_above_p0
        fit["p_above_p1"][single] = post.p_above_p1
        fit["p_below_p0"][single] = post.p_below_p0
        fit["w_exchangeable"][single] = post.w_exchangeable
        fit["ex_mean"][idx] = post.ex.mean
        fit["ex_a"][idx], fit["ex_b"][idx] = post.ex.a, post.ex.b
    for col, values in fit.items():
        agg[col] = values
    agg = agg.sort_values([*GROUP[:2], "histology"], ignore_index=True)
    agg.attrs["header"] = header
    return agg


def tumour_agnostic(art: Artefact, as_of: int | None = None, endpoint: str = "response",
                    alteration_level: str = "codon", tumour_level: str | int = "main_type",
                    treatment_level: str = "drug_class", thresholds: Thresholds | None = None,
                    include_private: bool = True) -> pd.DataFrame:
    """Groups ranked as tumour-agnostic signals (label rules in the module docstring).

    Columns: rank, label, treatment_group, alteration_group, alteration_group_name,
    n_histologies (judged), n_types_active, types_active, n_mixed_active, n_units, n, k,
    pooled_rate, pooled_low, pooled_high (exact 95% CI over every unit incl. mixed baskets),
    het_exact_p (Fisher-Freeman-Halton across judged histologies), i2, tau2 (DerSimonian-Laird,
    logit scale), above_p1, below_p0, weaker (below p0, or short of p1 when the exact test
    rejects), weakest_histology, strongest_histology, histologies (each
    "name k/n post=…"), regimens, trials, sources, result_ids (the supporting rows)."""
    t = thresholds or Thresholds()
    post = histology_posteriors(art, as_of, endpoint, alteration_level, tumour_level,
                                treatment_level, t, include_private)
    header = dict(post.attrs.get("header", {}))
    post.attrs = {}  # pandas deep-copies attrs into every intermediate frame
    rows = records(post, list(post.columns))
    code = post.groupby(GROUP, dropna=False).ngroup().to_numpy() if len(post) else []
    parts: dict[int, list[dict]] = {}
    for g, rec in zip(code, rows, strict=True):
        parts.setdefault(int(g), []).append(rec)
    ordered = [part for _, part in sorted(parts.items())]
    # every group's pooled exact CI in one vectorised call (one call per group cost ~25 ms)
    lows, highs = clopper_pearson_many([sum(r["k"] for r in part) for part in ordered],
                                       [sum(r["n"] for r in part) for part in ordered])
    rows = [_summarise(tuple(part[0][c] for c in GROUP), part, t, (low, high))
            for part, low, high in zip(ordered, lows, highs, strict=True)]
    cols = ["rank", "label", *GROUP, "n_histologies", "n_types_active", "types_active",
            "n_mixed_active", "n_units", "n", "k", "pooled_rate", "pooled_low", "pooled_high",
            "het_exact_p", "i2", "tau2", "above_p1", "below_p0", "weaker", "weakest_histology",
            "strongest_histology", "histologies", "regimens", "trials", "sources",
            "result_ids"]
    out = pd.DataFrame(rows, columns=cols[1:])
    if len(out):
        out["_order"] = out["label"].map(LABEL_ORDER)
        out = out.sort_values(["_order", "n_types_active", "pooled_low", "treatment_group",
                               "alteration_group"],
                              ascending=[True, False, False, True, True], ignore_index=True)
        out = out.drop(columns="_order")
    out.insert(0, "rank", range(1, len(out) + 1))
    out.attrs["header"] = header | {"endpoint": endpoint}
    return out


def _summarise(key: tuple, part: list[dict], t: Thresholds,
               pooled_ci: tuple[float, float]) -> dict:
    """One group's label and summary from its rows and its pooled exact CI (plain records:
    small groups, many of them, and pandas' per-call overhead dominated)."""
    judged = [r for r in part if _is_true(r["judged"])]
    mixed = [r for r in part if r["histology"] == MIXED]
    n, k = int(sum(r["n"] for r in part)), int(sum(r["k"] for r in part))
    low, high = (float(x) for x in pooled_ci)
    active = [r for r in judged if r["p_above_p0"] >= t.prob]
    above = [r for r in judged if r["p_above_p1"] >= t.prob]
    below = [r for r in judged if r["p_below_p0"] >= t.prob]
    short = [r for r in judged if (1 - r["p_above_p1"]) >= t.prob]
    mixed_active = sum(1 for r in mixed if _gt(r["low"], t.p0))
    het_p = heterogeneity_exact([r["k"] for r in judged], [r["n"] for r in judged])
    i2, tau2 = i_squared([r["k"] for r in judged], [r["n"] for r in judged])
    weaker = below if not (het_p < t.het_alpha) else [
        r for r in judged if any(r is x for x in below) or any(r is x for x in short)]
    if len(above) and len(weaker):
        label = "histology-dependent"
    elif (len(active) + min(mixed_active, 1) >= t.k and low > t.p0 and not len(below)):
        label = "agnostic"
    elif n >= t.min_n and not len(active) and mixed_active == 0 and high < t.p1:
        label = "inactive"
    else:
        label = "insufficient data"
    ordered = sorted(judged, key=lambda r: (r["post_mean"], r["histology"]))

    def names(rows: list[dict]) -> str:
        return "; ".join(str(r["histology_name"]) for r in rows)

    def join(col: str) -> str:
        return ";".join(sorted({x for r in part for x in str(r[col]).split(";") if x}))

    return {
        "label": label, "treatment_group": key[0], "alteration_group": key[1],
        "alteration_group_name": key[2], "n_histologies": len(judged),
        "n_types_active": len(active), "types_active": names(active),
        "n_mixed_active": mixed_active, "n_units": int(sum(r["n_units"] for r in part)),
        "n": n, "k": k,
        "pooled_rate": k / n if n else np.nan, "pooled_low": low, "pooled_high": high,
        "het_exact_p": het_p, "i2": i2, "tau2": tau2, "above_p1": names(above),
        "below_p0": names(below),
        "weaker": names(sorted(weaker, key=lambda r: r["post_mean"])),
        "weakest_histology": ordered[0]["histology_name"] if len(ordered) > 1 else "",
        "strongest_histology": ordered[-1]["histology_name"] if len(ordered) > 1 else "",
        "histologies": "; ".join(
            f"{r['histology_name']} {r['k']}/{r['n']}" + (
                f" post={r['post_mean']:.2f}" if pd.notna(r["post_mean"]) else "")
            for r in sorted(part, key=lambda r: r["histology"])),
        "regimens": join("regimens"), "trials": join("trials"), "sources": join("sources"),
        "result_ids": join("result_ids"),
    }


def _is_true(value: object) -> bool:
    return bool(pd.notna(value) and value)


def _gt(value: object, bound: float) -> bool:
    """``value > bound`` with a missing value counting as not greater (as pandas compares)."""
    return bool(pd.notna(value) and value > bound)


def histology_dependence(art: Artefact, as_of: int | None = None, endpoint: str = "response",
                         alteration_level: str = "codon", tumour_level: str | int = "main_type",
                         treatment_level: str = "drug_class", thresholds: Thresholds | None = None,
                         include_private: bool = True) -> pd.DataFrame:
    """Groups where tissue context matters, with the histologies above p1 and below p0.

    Columns: treatment_group, alteration_group, alteration_group_name, above_p1, below_p0,
    weaker, weakest_histology, strongest_histology, histologies, het_exact_p, i2, why, trials,
    sources,
    result_ids. ``attrs["header"]``: tested_groups (≥ 2 judged histologies), dependent_groups,
    share_dependent, drup_share (0.235) and ``explanation`` of why the two shares differ."""
    t = thresholds or Thresholds()
    ranked = tumour_agnostic(art, as_of, endpoint, alteration_level, tumour_level,
                             treatment_level, t, include_private)
    tested = ranked[ranked["n_histologies"] >= 2] if len(ranked) else ranked
    dep = tested[tested["label"] == "histology-dependent"].copy() if len(tested) else tested
    if len(dep):
        dep["why"] = [f"P(rate > {t.p1:g}) >= {t.prob:g} in {a}; weaker: {w} "
                      f"(exact heterogeneity p = {p:.2g})" for a, w, p in
                      zip(dep["above_p1"], dep["weaker"], dep["het_exact_p"], strict=True)]
    cols = [*GROUP, "above_p1", "below_p0", "weaker", "weakest_histology", "strongest_histology",
            "histologies", "het_exact_p", "i2", "why", "trials", "sources", "result_ids"]
    out = dep.reindex(columns=cols).reset_index(drop=True)
    share = len(dep) / len(tested) if len(tested) else np.nan
    out.attrs["header"] = dict(ranked.attrs.get("header", {})) | {
        "tested_groups": len(tested), "dependent_groups": len(dep),
        "share_dependent": share, "drup_share": DRUP_SHARE, "explanation": DRUP_NOTE}
    return out
