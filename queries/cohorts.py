"""The cohort table analyses start from: one row per cohort with its current report.

"Current" = the latest report known (optionally as of a year) that no other known report of the
same patients supersedes. Several reports of one cohort are never added together.
"""

from __future__ import annotations

import pandas as pd

from kg.artefact import Artefact
from kg.schema import Label, Rel
from queries.endpoints import endpoint_note, has_counts, usable
from queries.frames import in_set
from queries.memo import per_artefact

RESULT_COLUMNS = ["n_enrolled", "n_evaluable", "n_response", "n_benefit", "benefit_definition",
                  "orr_pct", "cbr_pct", "median_pfs_months", "median_os_months", "outcome_call",
                  "analysis", "analysis_kind", "year", "citation", "source_url", "locator",
                  "confidence", "source_file", "source_row"]
#: Typed-endpoint properties of a Result (present once the curated tables carry them).
ENDPOINT_COLUMNS = ["response_criterion", "benefit_kind", "benefit_weeks", "ci_level",
                    "orr_ci_low", "orr_ci_high"]


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
    for label, key in ((Label.TRIAL, "trial"), (Label.ALTERATION, "alteration"),
                       (Label.TUMOUR_TYPE, "tumour_type")):
        nodes = art.nodes(label)
        names = dict(zip(nodes["id"].tolist(), nodes["name"].tolist(), strict=True))
        out[f"{key}_name"] = out[key].map(names)
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


def current_results(art: Artefact, as_of: int | None = None, include_private: bool = True,
                    endpoint: str | None = None,
                    other_endpoints: bool = False) -> tuple[pd.DataFrame, dict]:
    """One row per cohort that has a report known by ``as_of`` (all reports when None).

    The report that stands for a cohort is the latest known one; with ``endpoint``, the latest
    one that carries that endpoint's counts of the reference kind (queries.endpoints). A later
    report without counts therefore never erases an earlier report's counts, and a report is
    passed over only for a later one of the same cohort that has them (SUPERSEDES first, then
    year, then id, so the choice is deterministic). Returns the frame and a header dict: reports
    excluded for lacking a year or being newer than ``as_of``, and cohorts whose latest report
    had no usable counts so an earlier one stands.
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
    latest = _latest(art, reports)
    if endpoint is None:
        current = latest
    else:
        ok = usable(reports, endpoint, other_endpoints)
        with_counts = _latest(art, reports[ok])
        rest = latest[~in_set(latest["cohort"], set(with_counts["cohort"]))]
        current = pd.concat([with_counts, rest], ignore_index=True)
        earlier = with_counts[~in_set(with_counts["result"], set(latest["result"]))]
        other = reports[~ok & has_counts(reports, endpoint)]
        header |= {"endpoint": endpoint, "endpoint_kind": endpoint_note(endpoint,
                                                                         other_endpoints),
                   "cohorts_standing_on_earlier_report": sorted(earlier["cohort"]),
                   "reports_other_endpoint_left_out": sorted(other["result"])}
    cohorts = cohort_frame(art, include_private)
    keep = ["result", "cohort", *RESULT_COLUMNS, "result_source"]
    keep += [c for c in ENDPOINT_COLUMNS if c in current]
    out = cohorts.merge(current[keep], on="cohort", how="inner")
    header["cohorts_with_result"] = len(out)
    return out.sort_values("cohort", ignore_index=True), header


def _latest(art: Artefact, reports: pd.DataFrame) -> pd.DataFrame:
    """Per cohort, the report no other report in ``reports`` supersedes; latest year, then id."""
    sup = art.edges(Rel.SUPERSEDES)
    known = set(reports["result"])
    superseded = set(sup.loc[in_set(sup["src"], known) & in_set(sup["dst"], known), "dst"])
    current = reports[~in_set(reports["result"], superseded)]
    return (current.sort_values(["cohort", "year", "result"], na_position="first")
            .drop_duplicates("cohort", keep="last"))
