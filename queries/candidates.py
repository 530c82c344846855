"""Candidate cohorts ranked by the probability that a new cohort of a chosen design succeeds.

The decision quantity is the success probability of the design (the DRUP-like 8 → 24 rule or
the Simon optimal/minimax design for p0/p1/alpha/beta) integrated over the new histology's
posterior predictive response rate (queries.model: EXNEX with its hyperparameters integrated).
A candidate resting on one histology ranks lower than one resting on five at the same pooled
rate only because its predictive is wider — no penalty is added. Support breadth (histologies,
patients, trials behind the group's fit) and the best evidence tier are columns beside it.

``rank_by_success`` is a pure function over the frames of ``gaps.candidate_cohorts`` and
``agnostic.histology_posteriors``, so candidate_cohorts can call it in place of its own sort.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kg.artefact import Artefact
from queries.agnostic import GROUP, histology_posteriors
from queries.evidence import TIER_RANK
from queries.gaps import KEY, candidate_cohorts
from queries.hierarchy import MIXED
from queries.model import DRUP, TwoStageDesign, exnex_posterior, success_probability
from queries.params import Thresholds, check_choice
from queries.simon import simon_designs

DESIGNS = ("drup", "simon_optimal", "simon_minimax")
SUPPORT = ["support_histologies", "support_patients", "support_trials"]
SUCCESS = ["success_prob", "success_low", "success_high", "success_sd"]


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
    rows = []
    for key, part in post.groupby(GROUP, dropna=False, sort=False):
        single = part[part["histology"] != MIXED]
        trials = {x for v in part["trials"].dropna() for x in str(v).split(";") if x}
        row = dict(zip(GROUP, key, strict=True)) | {
            "support_histologies": len(single), "support_patients": int(part["n"].sum()),
            "support_trials": len(trials)}
        if len(single):
            pred = exnex_posterior(single["k"].to_numpy(dtype=float),
                                   single["n"].to_numpy(dtype=float), t.p0, t.p1).predictive
            win = success_probability(pred, design)
            row |= {"success_prob": win.prob, "success_low": win.low,
                    "success_high": win.high, "success_sd": win.sd}
        rows.append(row)
    return pd.DataFrame(rows, columns=[*GROUP, *SUPPORT, *SUCCESS])


def rank_by_success(cands: pd.DataFrame, post: pd.DataFrame, t: Thresholds,
                    design: str = "drup") -> pd.DataFrame:
    """``cands`` (candidate_cohorts rows) with support and success columns, ranked by the
    success probability (ties: better evidence tier, broader support, rarer histology)."""
    support = group_support(post, t, design_for(design, t))
    out = cands.drop(columns=["rank", *SUPPORT, *SUCCESS], errors="ignore")
    out = out.merge(support.drop(columns=GROUP[2:]), on=GROUP[:2], how="left")
    out["_tier"] = out["evidence_tier"].map(TIER_RANK).fillna(9)
    out = out.sort_values(
        ["success_prob", "_tier", "support_histologies", "rarity", *KEY],
        ascending=[False, True, False, False, True, True, True], na_position="last",
        ignore_index=True).drop(columns="_tier")
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
    success_high (the success probability at the predictive's 10% and 90% rates), success_sd."""
    t = thresholds or Thresholds()
    cands = candidate_cohorts(art, as_of, endpoint, alteration_level, tumour_level,
                              treatment_level, t, include_private)
    post = histology_posteriors(art, as_of, endpoint, alteration_level, tumour_level,
                                treatment_level, t, include_private)
    return rank_by_success(cands, post, t, design)
