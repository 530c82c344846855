"""Backtest of the candidate ranking: rank as of a year, score against cohorts reported later.

For each year Y the candidates are ranked with only what was published by Y
(``candidates.ranked_candidates(as_of=Y)``); a candidate triple (treatment group, alteration
group, histology) whose first cohort result appears after Y is scored by that later outcome,
counted with every result to date:

* **success** when the exact 95% CI's lower bound is above p0, or when the 8 → 24 rule is met
  on totals (≥ 5 responders among ≤ 24 evaluable patients, so ≥ 1 of the first 8);
* **failure** when it is not a success and the rule has decided against it (0 of ≥ 8, or 5 of
  24 out of reach; ``simon.patients_to_decide``) or it has enrolled 24 or more;
* **undecided** otherwise — a report of fewer than 8 patients, or a stage still open (2 of
  10): the rule itself has not judged it, so it is neither and is left out of the scores
  (counted in ``later_undecided``). ``undecided_as_failure=True`` scores them as failures
  instead, the stricter reading ("otherwise a failure") kept as a sensitivity analysis.

Both methods rank the same list: the new-cohort candidates as of Y. Approved uses (supporting
tier A in that histology by Y) are not new cohorts; candidate_cohorts puts them last and the
backtest leaves them out of both rankings (counted in ``approved_left_out``).

Scores per year and method: precision@k (later successes among the top k / k), recall@k
(later successes in the top k / later successes anywhere in the ranking) and the share of later
failures ranked in the top decile. The naive baseline ranks the same candidates by the observed
rate (as of Y) of the nearest tested histology of the same group: one in the same OncoTree
tissue if any, else any; the one with most patients among equals. A triple scored in several
years counts once per year: the yearly rows are not independent.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kg.artefact import Artefact
from queries.agnostic import GROUP, histology_posteriors
from queries.candidates import APPROVED, ranked_candidates
from queries.gaps import KEY
from queries.hierarchy import MIXED, tumour_groups
from queries.params import Thresholds
from queries.simon import DRUP_MIN, DRUP_N, patients_to_decide

METHODS = ("model", "naive")


def later_outcomes(art: Artefact, as_of: int, t: Thresholds, **levels) -> pd.DataFrame:
    """Triples first reported after ``as_of``: KEY, n, k and ``outcome`` (success, failure or
    undecided; module docstring)."""
    now = histology_posteriors(art, None, thresholds=t, **levels)
    then = histology_posteriors(art, as_of, thresholds=t, **levels)
    now = now[(now["histology"] != MIXED) & (now["n"] > 0)]
    seen = set(map(tuple, then[KEY].itertuples(index=False)))
    new = now[[tuple(r) not in seen for r in now[KEY].itertuples(index=False)]]
    success = ((new["low"] > t.p0) | ((new["k"] >= DRUP_MIN) & (new["n"] <= DRUP_N))).to_numpy()
    decided = np.array([n >= DRUP_N or patients_to_decide(int(n), int(k))["decided"]
                        for n, k in zip(new["n"], new["k"], strict=True)], dtype=bool)
    outcome = np.where(success, "success", np.where(decided, "failure", "undecided"))
    return new[[*KEY, "n", "k"]].assign(outcome=outcome)


def naive_order(cands: pd.DataFrame, post: pd.DataFrame, tissue: pd.Series) -> pd.DataFrame:
    """``cands`` re-ranked by the observed rate of the nearest tested histology (docstring)."""
    tested = post[(post["histology"] != MIXED) & (post["n"] > 0)]
    by_group = {key: part for key, part in tested.groupby(GROUP[:2])}
    rates = []
    for r in cands.itertuples():
        part = by_group.get((r.treatment_group, r.alteration_group))
        if part is None:
            rates.append(np.nan)
            continue
        near = part[part["histology"].map(tissue) == tissue.get(r.histology)]
        pick = (near if len(near) else part).sort_values("n", ascending=False).iloc[0]
        rates.append(pick["k"] / pick["n"])
    out = cands.assign(naive_rate=rates).sort_values(
        ["naive_rate", *KEY], ascending=[False, True, True, True], na_position="last",
        ignore_index=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def score(ranked: pd.DataFrame, outcomes: pd.DataFrame, k: int,
          undecided_as_failure: bool = False) -> dict:
    """Counts behind precision@k, recall@k and the failures' top-decile share of one ranking
    (``ranked``: KEY and rank; ``outcomes``: KEY and outcome; undecided ones left out)."""
    hit = ranked.merge(outcomes[[*KEY, "outcome"]], on=KEY, how="inner")
    undecided = int((hit["outcome"] == "undecided").sum())
    if undecided_as_failure:
        hit = hit.assign(outcome=hit["outcome"].replace("undecided", "failure"))
        undecided = 0
    hit = hit[hit["outcome"] != "undecided"].assign(success=lambda d: d["outcome"] == "success")
    top_decile = math.ceil(len(ranked) / 10)
    return {"candidates": len(ranked), "k": min(k, len(ranked)),
            "later_tested": len(hit), "later_undecided": undecided,
            "later_successes": int(hit["success"].sum()),
            "successes_top_k": int(hit.loc[hit["rank"] <= k, "success"].sum()),
            "later_failures": int((~hit["success"]).sum()),
            "failures_top_decile": int((~hit["success"] & (hit["rank"] <= top_decile)).sum())}


def backtest(art: Artefact, years: range, k: int = 10, thresholds: Thresholds | None = None,
             alteration_level: str = "codon", tumour_level: str | int = "main_type",
             treatment_level: str = "drug_class",
             undecided_as_failure: bool = False) -> pd.DataFrame:
    """One row per year and method, then an ``overall`` row per method (counts summed):
    the ``score`` counts with precision_at_k, recall_at_k and failures_top_decile_share."""
    t = thresholds or Thresholds()
    levels = {"alteration_level": alteration_level, "tumour_level": tumour_level,
              "treatment_level": treatment_level}
    # histology key -> its OncoTree tissue (the first tumour type carrying that key decides)
    both = pd.DataFrame({"histology": tumour_groups(art, tumour_level)["histology"],
                         "tissue": tumour_groups(art, "tissue")["histology"]})
    tissue = both.drop_duplicates("histology").set_index("histology")["tissue"]
    rows = []
    for year in years:
        model = ranked_candidates(art, as_of=year, thresholds=t, **levels)
        approved = model["flag"] == APPROVED
        model = model[~approved].assign(rank=lambda d: np.arange(1, len(d) + 1))
        post = histology_posteriors(art, year, thresholds=t, **levels)
        outcomes = later_outcomes(art, year, t, **levels)
        for method, ranked in (("model", model), ("naive", naive_order(model, post, tissue))):
            rows.append({"year": year, "method": method, "approved_left_out": int(approved.sum())}
                        | score(ranked, outcomes, k, undecided_as_failure))
    out = pd.DataFrame(rows)
    if len(out):
        total = out.drop(columns="year").groupby("method", sort=False).sum().reset_index()
        out = pd.concat([out, total.assign(year="overall")], ignore_index=True)
    out = _rates(out)
    out.attrs["header"] = {
        "years": f"{years.start}-{years.stop - 1}", "k": k, "p0": t.p0, "p1": t.p1,
        "model": "queries.candidates.ranked_candidates (8 -> 24 success under the predictive)",
        "naive": "observed rate of the nearest tested histology of the group",
        "left_out": ("approved uses (tier A in the histology; approved_left_out) from both "
                     "rankings; " + ("undecided later cohorts scored as failures"
                                     if undecided_as_failure else
                                     "later cohorts the 8 -> 24 rule has not judged "
                                     "(later_undecided)")),
        "caveat": "a triple is scored once per year it was a candidate: years overlap"}
    return out


def _rates(out: pd.DataFrame) -> pd.DataFrame:
    def ratio(a: str, b: str) -> pd.Series:
        return (out[a] / out[b].where(out[b] > 0)).astype(float)

    return out.assign(precision_at_k=ratio("successes_top_k", "k"),
                      recall_at_k=ratio("successes_top_k", "later_successes"),
                      failures_top_decile_share=ratio("failures_top_decile", "later_failures"))
