"""The cohort table analyses start from: one row per cohort with its current report.

"Current" = the latest report known (optionally as of a year) that no other known report of the
same patients supersedes. Several reports of one cohort are never added together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kg.artefact import Artefact
from kg.schema import Label, Rel
from queries.endpoints import endpoint_note, has_counts, usable
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
    out = c[["cohort", "arm", "biomarker", "tumour_type_published", "design", "status",
             "private", "cohort_source"]].reset_index(drop=True)
    # dict look-ups: a pandas join per relation re-indexed the whole frame each time
    for rel, name in ((Rel.PART_OF, "trial"), (Rel.TESTS, "regimen"),
                      (Rel.SELECTS, "alteration"), (Rel.ENROLS, "tumour_type"),
                      (Rel.STRATUM_OF, "parent_cohort")):
        e = art.edges(rel)
        out[name] = _looked_up(out["cohort"], e["src"], e["dst"])
    reg = art.nodes(Label.REGIMEN)
    out["regimen_name"] = _looked_up(out["regimen"], reg["id"], reg["name"])
    out["drug_classes"] = _looked_up(out["regimen"], reg["id"], reg["drug_classes"])
    for label, key in ((Label.TRIAL, "trial"), (Label.ALTERATION, "alteration"),
                       (Label.TUMOUR_TYPE, "tumour_type")):
        nodes = art.nodes(label)
        names = dict(zip(nodes["id"].tolist(), nodes["name"].tolist(), strict=True))
        out[f"{key}_name"] = out[key].map(names)
    return out


def _looked_up(keys: pd.Series, src: pd.Series, dst: pd.Series) -> pd.api.extensions.ExtensionArray:
    """For each key, the ``dst`` of its first ``src`` row (missing when none), in dst's dtype."""
    first: dict = {}
    for s, d in zip(src.tolist(), dst.tolist(), strict=True):
        first.setdefault(s, d)
    return pd.array([first.get(k) for k in keys.tolist()], dtype=dst.dtype)


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
    known = np.ones(len(reports), dtype=bool)
    if as_of is not None:
        no_year = reports["year"].isna().to_numpy(dtype=bool)
        later = (reports["year"].fillna(0) > as_of).to_numpy(dtype=bool)
        header["excluded_no_year"] = int(no_year.sum())
        header["excluded_after_as_of"] = int((later & ~no_year).sum())
        known &= ~no_year & ~later
    # the choice is made on plain lists (row positions), then the rows are taken once: sorting
    # and filtering the wide Arrow-backed frame were most of a cold cohort_outcomes run
    results, cohort_of = reports["result"].tolist(), reports["cohort"].tolist()
    order = [(0, 0) if pd.isna(y) else (1, y) for y in reports["year"].tolist()]
    supersedes = art.edges(Rel.SUPERSEDES)
    pairs = list(zip(supersedes["src"].tolist(), supersedes["dst"].tolist(), strict=True))

    def latest(mask: np.ndarray) -> dict[str, int]:
        """Per cohort, the row no other row in ``mask`` supersedes; latest year, then id."""
        ids = {results[i] for i in np.flatnonzero(mask)}
        superseded = {d for s, d in pairs if s in ids and d in ids}
        best: dict[str, int] = {}
        for i in np.flatnonzero(mask):
            if results[i] in superseded:
                continue
            c = cohort_of[i]
            j = best.get(c)
            if j is None or (order[i], results[i]) > (order[j], results[j]):
                best[c] = int(i)
        return best

    chosen = latest(known)
    if endpoint is not None:
        ok = usable(reports, endpoint, other_endpoints).to_numpy(dtype=bool)
        with_counts = latest(known & ok)
        standing = set(chosen.values())
        earlier = [c for c, i in with_counts.items() if i not in standing]
        chosen |= with_counts
        other = known & ~ok & has_counts(reports, endpoint).to_numpy(dtype=bool)
        header |= {"endpoint": endpoint, "endpoint_kind": endpoint_note(endpoint,
                                                                         other_endpoints),
                   "cohorts_standing_on_earlier_report": sorted(earlier),
                   "reports_other_endpoint_left_out": sorted(
                       results[i] for i in np.flatnonzero(other))}
    cohorts = cohort_frame(art, include_private)
    keep = [*RESULT_COLUMNS, "result_source"]
    keep = ["result", *keep, *(c for c in ENDPOINT_COLUMNS if c in reports and c not in keep)]
    rows = sorted((c, i) for i, c in enumerate(cohorts["cohort"].tolist()) if c in chosen)
    out = pd.concat([cohorts.take([i for _, i in rows]).reset_index(drop=True),
                     reports[keep].take([chosen[c] for c, _ in rows]).reset_index(drop=True)],
                    axis=1)
    header["cohorts_with_result"] = len(out)
    return out, header
