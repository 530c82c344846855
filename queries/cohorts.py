"""The cohort table analyses start from: one row per cohort with its current report.

"Current" = the latest report known (optionally as of a year) that no other known report of the
same patients supersedes. Several reports of one cohort are never added together.
"""

from __future__ import annotations

import pandas as pd

from kg.artefact import Artefact
from kg.schema import Label, Rel
from queries.frames import in_set
from queries.memo import per_artefact

RESULT_COLUMNS = ["n_enrolled", "n_evaluable", "n_response", "n_benefit", "benefit_definition",
                  "orr_pct", "cbr_pct", "median_pfs_months", "median_os_months", "outcome_call",
                  "analysis", "analysis_kind", "year", "citation", "source_url", "locator",
                  "confidence", "source_file", "source_row"]


@per_artefact  # every analysis starts here; gaps needs it twice
def cohort_frame(art: Artefact, include_private: bool = True) -> pd.DataFrame:
    """Cohorts with trial, regimen, drug classes, alteration, tumour type and parent arm."""
    c = art.nodes(Label.COHORT).rename(columns={"id": "cohort", "name": "arm",
                                                 "source": "cohort_source"})
    if not include_private:
        c = c[~c["private"].fillna(False).astype(bool)]

    def one(rel: Rel, name: str) -> pd.Series:
        e = art.edges(rel)
        return e.drop_duplicates("src").set_index("src")["dst"].rename(name)

    out = c[["cohort", "arm", "biomarker", "tumour_type_published", "design", "status",
             "private", "cohort_source"]].set_index("cohort")
    for rel, name in ((Rel.PART_OF, "trial"), (Rel.TESTS, "regimen"),
                      (Rel.SELECTS, "alteration"), (Rel.ENROLS, "tumour_type"),
                      (Rel.STRATUM_OF, "parent_cohort")):
        out = out.join(one(rel, name))
    reg = art.nodes(Label.REGIMEN).set_index("id")
    out["regimen_name"] = out["regimen"].map(reg["name"])
    out["drug_classes"] = out["regimen"].map(reg["drug_classes"])
    names = art.all_nodes["name"]
    out["trial_name"] = out["trial"].map(names)
    out["alteration_name"] = out["alteration"].map(names)
    out["tumour_type_name"] = out["tumour_type"].map(names)
    return out.reset_index()


@per_artefact
def report_frame(art: Artefact, include_private: bool = True) -> pd.DataFrame:
    """Every Result with the cohort it reports on."""
    r = art.nodes(Label.RESULT).rename(columns={"id": "result", "source": "result_source"})
    of = art.edges(Rel.OF).set_index("src")["dst"]
    r = r.assign(cohort=r["result"].map(of))
    if not include_private:
        r = r[~r["private"].fillna(False).astype(bool)]
    return r


def current_results(art: Artefact, as_of: int | None = None,
                    include_private: bool = True) -> tuple[pd.DataFrame, dict]:
    """One row per cohort that has a report known by ``as_of`` (all reports when None).

    Returns the frame and a header dict: how many reports were excluded for lacking a year
    (never silently used in an as_of run) or for being newer than as_of.
    """
    reports = report_frame(art, include_private)
    header = {"as_of": as_of, "reports_total": len(reports), "excluded_no_year": 0,
              "excluded_after_as_of": 0}
    if as_of is not None:
        no_year = reports["year"].isna()
        later = reports["year"].fillna(0) > as_of
        header["excluded_no_year"] = int(no_year.sum())
        header["excluded_after_as_of"] = int((later & ~no_year).sum())
        reports = reports[~no_year & ~later]
    sup = art.edges(Rel.SUPERSEDES)
    known = set(reports["result"])
    superseded = set(sup.loc[in_set(sup["src"], known), "dst"])
    current = reports[~in_set(reports["result"], superseded)]
    current = (current.sort_values(["cohort", "year"], na_position="first")
               .drop_duplicates("cohort", keep="last"))
    cohorts = cohort_frame(art, include_private)
    keep = ["result", "cohort", *RESULT_COLUMNS, "result_source"]
    out = cohorts.merge(current[keep], on="cohort", how="inner")
    header["cohorts_with_result"] = len(out)
    return out.sort_values("cohort", ignore_index=True), header
