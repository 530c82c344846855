"""Backtest of the candidate ranking: rank as of a year, score against cohorts reported later.

For each year Y the candidates are ranked with only what was published by Y
(``candidates.ranked_candidates(as_of=Y)``); a candidate triple (treatment group, alteration
group, histology) whose first cohort result appears after Y is scored by that later outcome,
counted with every result to date:

* **success** when the exact 95% CI's lower bound is above p0, or when the 8 → 24 rule is met
  on totals (≥ 5 responders among ≤ 24 evaluable patients, so ≥ 1 of the first 8);
* **failure** otherwise.

Scores per year and method: precision@k (later successes among the top k / k), recall@k
(later successes in the top k / later successes anywhere in the ranking) and the share of later
failures ranked in the top decile. The naive baseline ranks the same candidates by the observed
rate (as of Y) of the nearest tested histology of the same group: one in the same OncoTree
tissue if any, else any; the one with most patients among equals.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kg.artefact import Artefact
from queries.agnostic import GROUP, histology_posteriors
from queries.candidates import ranked_candidates
from queries.gaps import KEY
from queries.hierarchy import MIXED, tumour_groups
from queries.params import Thresholds
from queries.simon import DRUP_MIN, DRUP_N

METHODS = ("model", "naive")


def later_outcomes(art: Artefact, as_of: int, t: Thresholds, **levels) -> pd.DataFrame:
    """Triples first reported after ``as_of``: KEY, n, k and ``success`` (module docstring)."""
    now = histology_posteriors(art, None, thresholds=t, **levels)
    then = histology_posteriors(art, as_of, thresholds=t, **levels)
    now = now[(now["histology"] != MIXED) & (now["n"] > 0)]
    seen = set(map(tuple, then[KEY].itertuples(index=False)))
    new = now[[tuple(r) not in seen for r in now[KEY].itertuples(index=False)]]
    success = (new["low"] > t.p0) | ((new["k"] >= DRUP_MIN) & (new["n"] <= DRUP_N))
    return new[[*KEY, "n", "k"]].assign(success=success.to_numpy(dtype=bool))


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


def score(ranked: pd.DataFrame, outcomes: pd.DataFrame, k: int) -> dict:
    """Counts behind precision@k, recall@k and the failures' top-decile share of one ranking
    (``ranked``: KEY and rank; ``outcomes``: KEY and success)."""
    hit = ranked.merge(outcomes[[*KEY, "success"]], on=KEY, how="inner")
    top_decile = math.ceil(len(ranked) / 10)
    return {"candidates": len(ranked), "k": min(k, len(ranked)),
            "later_tested": len(hit), "later_successes": int(hit["success"].sum()),
            "successes_top_k": int(hit.loc[hit["rank"] <= k, "success"].sum()),
            "later_failures": int((~hit["success"]).sum()),
            "failures_top_decile": int((~hit["success"] & (hit["rank"] <= top_decile)).sum())}


def backtest(art: Artefact, years: range, k: int = 10, thresholds: Thresholds | None = None,
             alteration_level: str = "codon", tumour_level: str | int = "main_type",
             treatment_level: str = "drug_class") -> pd.DataFrame:
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
        post = histology_posteriors(art, year, thresholds=t, **levels)
        outcomes = later_outcomes(art, year, t, **levels)
        for method, ranked in (("model", model), ("naive", naive_order(model, post, tissue))):
            rows.append({"year": year, "method": method} | score(ranked, outcomes, k))
    out = pd.DataFrame(rows)
    if len(out):
        total = out.drop(columns="year").groupby("method", sort=False).sum().reset_index()
        out = pd.concat([out, total.assign(year="overall")], ignore_index=True)
    return _rates(out)


def _rates(out: pd.DataFrame) -> pd.DataFrame:
    def ratio(a: str, b: str) -> pd.Series:
        return (out[a] / out[b].where(out[b] > 0)).astype(float)

    return out.assign(precision_at_k=ratio("successes_top_k", "k"),
                      recall_at_k=ratio("successes_top_k", "later_successes"),
                      failures_top_decile_share=ratio("failures_top_decile", "later_failures"))
