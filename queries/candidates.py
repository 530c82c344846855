"""Candidate cohorts ranked by the probability that a new cohort of a chosen design succeeds.

The decision quantity is the success probability of the design (the DRUP-like 8 → 24 rule or
the Simon optimal/minimax design for p0/p1/alpha/beta) integrated over the new histology's
posterior predictive response rate (queries.model: EXNEX with its hyperparameters integrated).
A candidate resting on one histology ranks lower than one resting on five at the same pooled
rate only because its predictive is wider — no penalty is added. Support breadth (histologies,
patients, trials behind the group's fit) and the best evidence tier are columns beside it.

Evidence against counts: knowledgebase items that do not support the use or show resistance
(``evidence.opposing_evidence``) for the same treatment group × alteration group × histology
put a candidate below every uncontested one when their best tier is as good as the best
supporting tier (weaker ones are listed, not used); an approval (supporting tier A in that
histology) is not a new cohort and goes to the bottom. ``flag`` and the rationale say which.

``rank_by_success`` is a pure function over the frames of ``gaps.unranked_candidates`` and
``agnostic.histology_posteriors``, so candidate_cohorts can call it in place of its own sort.
"""

from __future__ import annotations

from functools import cache, partial

import numpy as np
import pandas as pd

from kg.artefact import Artefact
from kg.schema import Label
from queries.agnostic import GROUP, histology_posteriors
from queries.evidence import TIER_RANK, opposing_evidence
from queries.frames import row_keys
from queries.gaps import KEY, _evidence_keys, unranked_candidates
from queries.hierarchy import MIXED, ancestors, descendants, hierarchy, tumour_groups
from queries.model import DRUP, TwoStageDesign, exnex_posterior, success_of
from queries.params import Thresholds, check_choice
from queries.simon import simon_designs

DESIGNS = ("drup", "simon_optimal", "simon_minimax")
SUPPORT = ["support_histologies", "support_patients", "support_trials"]
SUCCESS = ["success_prob", "success_low", "success_high", "success_sd"]
AGAINST = ["evidence_against", "against_tier", "flag"]
APPROVED = "approved use (tier A in this histology): not a new cohort"
TIER_NAME = {v: k for k, v in TIER_RANK.items()}


def design_for(name: str, t: Thresholds) -> TwoStageDesign:
    """The named two-stage design: the 8 → 24 rule, or Simon's for t's p0/p1/alpha/beta."""
    check_choice("design", name, DESIGNS)
    if name == "drup":
        return DRUP
    d = simon_designs(t.p0, t.p1, t.alpha, t.beta)[name.removeprefix("simon_")]
    return TwoStageDesign.simon(d.n1, d.r1, d.n, d.r)


def group_support(post: pd.DataFrame, t: Thresholds, design: TwoStageDesign) -> pd.DataFrame:
    """Per group: support breadth and the design's success probability under its predictive.

    A group's fit uses its single-histology rows (as histology_posteriors); patients and trials
    count mixed baskets too."""
    parts: dict[int, list[dict]] = {}
    # plain records per group: iterating a pandas groupby deep-copied the frame's attrs per group
    code = post.groupby(GROUP, dropna=False, sort=False).ngroup().to_numpy() if len(post) else []
    records = post[[*GROUP, "histology", "n", "k", "trials"]].to_dict("records")
    for g, rec in zip(code, records, strict=True):
        parts.setdefault(int(g), []).append(rec)
    rows = []
    for part in parts.values():
        single = [r for r in part if r["histology"] != MIXED]
        trials = {x for r in part if isinstance(r["trials"], str)
                  for x in r["trials"].split(";") if x}
        row = {c: part[0][c] for c in GROUP} | {
            "support_histologies": len(single),
            "support_patients": int(sum(r["n"] for r in part)), "support_trials": len(trials)}
        if single:
            win = success_of(exnex_posterior(np.array([r["k"] for r in single], dtype=float),
                                             np.array([r["n"] for r in single], dtype=float),
                                             t.p0, t.p1), design)
            row |= {"success_prob": win.prob, "success_low": win.low,
                    "success_high": win.high, "success_sd": win.sd}
        rows.append(row)
    return pd.DataFrame(rows, columns=[*GROUP, *SUPPORT, *SUCCESS])


def evidence_against(art: Artefact, as_of: int | None = None,
                     alteration_level: str = "codon", tumour_level: str | int = "main_type",
                     treatment_level: str = "drug_class") -> pd.DataFrame:
    """Per treatment group × alteration group × histology: the ids of the evidence against
    (;-joined) and its best tier."""
    ev, _ = opposing_evidence(art, as_of)
    ev = _evidence_keys(art, ev, alteration_level, tumour_level, treatment_level)
    ev = ev.dropna(subset=KEY)
    if ev.empty:
        return pd.DataFrame(columns=[*KEY, "evidence_against", "against_tier"])
    return _against_by_key(ev, ev["evidence"], ev["common_tier"].map(TIER_RANK).fillna(9))


def _against_by_key(keys: pd.DataFrame, ids: pd.Series, ranks: pd.Series) -> pd.DataFrame:
    """Per KEY, in key order: the ;-joined ids (evidence_against) and the best tier
    (against_tier). Plain dicts: a pandas aggregation calling back into Python per group was a
    fifth of a cold candidate_cohorts run."""
    found: dict[tuple, set[str]] = {}
    best: dict[tuple, float] = {}
    for key, v, r in zip(row_keys(keys, KEY), ids.tolist(), ranks.tolist(), strict=True):
        found.setdefault(key, set()).update(x for x in str(v).split(";") if x)
        best[key] = min(best.get(key, r), r)
    order = sorted(found)
    out = pd.DataFrame({c: pd.array([k[i] for k in order], dtype=keys[c].dtype)
                        for i, c in enumerate(KEY)})
    out["evidence_against"] = pd.array([";".join(sorted(found[k])) for k in order],
                                       dtype=ids.dtype)
    out["against_tier"] = pd.Series([best[k] for k in order], dtype=float).map(
        TIER_NAME).fillna("")
    return out


def negative_cohorts(art: Artefact, post: pd.DataFrame, t: Thresholds,
                     tumour_level: str | int = "main_type") -> pd.DataFrame:
    """Per group × histology: tested histologies of the same group, at a coarser tumour type
    than the candidate's, whose outcome is negative (exact upper bound below p1), as evidence
    against (tier B: a clinical cohort). Columns: KEY, evidence_against (result ids),
    against_tier."""
    dag = hierarchy(art, Label.TUMOUR_TYPE)
    groups = tumour_groups(art, tumour_level)
    key_of = groups["histology"].to_dict()
    nodes_of: dict[str, list[str]] = {}
    for node, key in key_of.items():
        nodes_of.setdefault(key, []).append(node)
    negative = post[(post["histology"] != MIXED) & (post["high"] < t.p1)]
    by_group: dict[tuple, dict] = {}  # plain lists: a pandas groupby loop cost more than the rest
    for tg, ag, h, ids in row_keys(negative, [*GROUP[:2], "histology", "result_ids"]):
        if not (pd.isna(tg) or pd.isna(ag)):
            by_group.setdefault((tg, ag), {})[h] = ids
    rows = []
    # the same tumour types come up group after group
    under, over = cache(partial(descendants, dag)), cache(partial(ancestors, dag))
    for (tg, ag), bad in sorted(by_group.items()):
        below: set[str] = set()
        for h in bad:  # every histology under a negative, coarser one
            for node in nodes_of.get(h, []):
                below |= {key_of.get(d) for d in under(node)} - {h, None}
        for h in below:
            parents = {key_of.get(a) for n in nodes_of.get(h, []) for a in over(n)}
            ids = sorted({x for g in parents & bad.keys() for x in str(bad[g]).split(";")})
            if ids:
                rows.append({GROUP[0]: tg, GROUP[1]: ag, "histology": h,
                             "evidence_against": ";".join(ids), "against_tier": "B"})
    return pd.DataFrame(rows, columns=[*KEY, "evidence_against", "against_tier"])


def rank_by_success(cands: pd.DataFrame, post: pd.DataFrame, t: Thresholds,
                    design: str = "drup", against: pd.DataFrame | None = None) -> pd.DataFrame:
    """``cands`` (candidate_cohorts rows) with support, success and evidence-against columns,
    ranked: uncontested, then contested, then approved uses; within each by the success
    probability (ties: better evidence tier, broader support, rarer histology)."""
    support = group_support(post, t, design_for(design, t))
    out = cands.drop(columns=["rank", *SUPPORT, *SUCCESS, *AGAINST], errors="ignore")
    out.attrs = {}  # set below; pandas deep-copies attrs into every intermediate frame
    out = out.merge(support.drop(columns=GROUP[2:]), on=GROUP[:2], how="left")
    if against is None or against.empty:
        out = out.assign(evidence_against="", against_tier="")
    else:
        out = out.merge(against[[*KEY, "evidence_against", "against_tier"]], on=KEY,
                        how="left")
        out[["evidence_against", "against_tier"]] = out[
            ["evidence_against", "against_tier"]].fillna("")
    out["_tier"] = out["evidence_tier"].map(TIER_RANK).astype(float).fillna(9)
    against_rank = out["against_tier"].map(TIER_RANK).astype(float).fillna(9)
    contested = (out["evidence_against"] != "") & (against_rank <= out["_tier"])
    approved = out["evidence_tier"] == "A"
    out["_standing"] = np.where(approved, 2, np.where(contested, 1, 0))
    out["flag"] = np.where(approved, APPROVED, np.where(
        contested, "evidence against at least as strong as the support", np.where(
            out["evidence_against"] != "", "weaker evidence against", "")))
    base = out["rationale"] if "rationale" in out else pd.Series("", index=out.index)
    out["rationale"] = [_with_against(*r) for r in zip(
        base.tolist(), out["evidence_against"].tolist(), out["against_tier"].tolist(),
        out["evidence_tier"].tolist(), strict=True)]
    out = out.sort_values(
        ["_standing", "success_prob", "_tier", "support_histologies", "rarity", *KEY],
        ascending=[True, False, True, False, False, True, True, True], na_position="last",
        ignore_index=True).drop(columns=["_tier", "_standing"])
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.attrs = dict(cands.attrs)
    out.attrs["header"] = dict(cands.attrs.get("header", {})) | {"ranked_by": design}
    return out


def ranked_candidates(art: Artefact, as_of: int | None = None, endpoint: str = "response",
                      alteration_level: str = "codon", tumour_level: str | int = "main_type",
                      treatment_level: str = "drug_class", thresholds: Thresholds | None = None,
                      include_private: bool = True, design: str = "drup") -> pd.DataFrame:
    """candidate_cohorts ranked by ``rank_by_success``. Columns: those of candidate_cohorts,
    support_histologies, support_patients, support_trials, success_prob, success_low and
    success_high (10% and 90% quantiles of the success probability over the hyperparameters'
    posterior: how sure the group's data make it; ``model.success_of``), success_sd,
    evidence_against (ids), against_tier, flag; the rationale lists evidence for and against."""
    t = thresholds or Thresholds()
    cands = unranked_candidates(art, as_of, endpoint, alteration_level, tumour_level,
                                treatment_level, t, include_private)
    post = histology_posteriors(art, as_of, endpoint, alteration_level, tumour_level,
                                treatment_level, t, include_private)
    post.attrs = {}  # its header is not shown here; pandas deep-copies attrs into every frame
    against = pd.concat([evidence_against(art, as_of, alteration_level, tumour_level,
                                          treatment_level),
                         negative_cohorts(art, post, t, tumour_level)], ignore_index=True)
    if len(against):
        against = _against_by_key(against, against["evidence_against"],
                                  against["against_tier"].map(TIER_RANK).fillna(9))
    return rank_by_success(cands, post, t, design, against)


def _with_against(base, against: str, against_tier: str, evidence_tier) -> str:
    parts = [base] if isinstance(base, str) and base else []
    if against:
        parts.append(f"evidence against (tier {against_tier or '?'}): {against}")
    if evidence_tier == "A":
        parts.append(APPROVED)
    return "; ".join(parts)
