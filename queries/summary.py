"""Counts for `kg stats` and the UI overview, traceable to the artefact tables."""

from __future__ import annotations

import pandas as pd

from kg.artefact import Artefact
from kg.schema import Label
from queries.cohorts import cohort_frame, current_results


def graph_stats(art: Artefact) -> dict:
    counts = art.counts()
    cohorts = cohort_frame(art)
    current, _ = current_results(art)
    reports = art.nodes(Label.RESULT)
    cited = set(current["cohort"])
    has_source = cohorts["cohort"].isin(cited) | cohorts["cohort"].map(
        art.nodes(Label.COHORT).set_index("id")["source_url"]).notna()
    top = current[current["parent_cohort"].isna()]
    by_trial = (
        cohorts.groupby(["trial", "trial_name", "cohort_source"], dropna=False)
        .agg(cohorts=("cohort", "size"))
        .join(current.groupby(["trial", "trial_name", "cohort_source"], dropna=False)
              .agg(with_result=("cohort", "size")))
        .join(top.groupby(["trial", "trial_name", "cohort_source"], dropna=False)
              .agg(evaluable_patients=("n_evaluable", "sum")))
        .fillna(0).astype(int).reset_index()
        .rename(columns={"cohort_source": "source"})
        .sort_values(["cohorts", "trial"], ascending=[False, True])
    )
    n = len(cohorts)
    return {
        "nodes": counts["nodes"],
        "edges": counts["edges"],
        "by_trial": by_trial.to_dict("records"),
        "coverage": {
            "trials": int(counts["nodes"].get("Trial", 0)),
            "cohorts": n,
            "results": len(reports),
            "cohorts_with_result": len(current),
            "cohorts_with_source": int(has_source.sum()),
            "cohorts_with_source_pct": 100.0 * has_source.sum() / n if n else 0.0,
        },
    }


def frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records)
