"""Durability: cohorts that met a 16-week clinical-benefit endpoint without median PFS ≥ 6 months.

Reimbursement bodies ask for progression-free survival of about six months; a DRUP-like cohort
can pass its 16-week benefit bar with a shorter median PFS. A cohort *met* the endpoint when its
benefit count is of the reference definition (queries.endpoints: clinical benefit at 16 weeks)
and either it
reached the 8 → 24 bar (≥ 5 with benefit among ≤ 24 evaluable patients) or, when larger, its
exact 95% lower bound exceeds p0 and its rate is at least 5/24. Cohorts whose median PFS is not
reported are listed too (``pfs_status`` says so), as a committee would have to ask for it.
"""

from __future__ import annotations

import pandas as pd

from kg.artefact import Artefact
from queries.outcomes import cohort_outcomes
from queries.overlap import non_overlapping
from queries.params import Thresholds
from queries.simon import DRUP_MIN, DRUP_N


def durability(art: Artefact, as_of: int | None = None, pfs_months: float = 6.0,
               thresholds: Thresholds | None = None, include_private: bool = True
               ) -> pd.DataFrame:
    """Columns: cohort, trial_name, arm, regimen_name, alteration_name, tumour_type_name,
    n_evaluable (the benefit report's), n_benefit, cbr, cbr_low, cbr_high, benefit_definition,
    median_pfs_months, pfs_status (``below`` / ``not reported``), result, year, source, citation."""
    t = thresholds or Thresholds()
    co = cohort_outcomes(art, as_of, include_private)
    header = dict(co.attrs.get("header", {})) | {"pfs_months": pfs_months, "p0": t.p0}
    # cohort_outcomes keeps benefit counts only of the reference definition (queries.endpoints:
    # objective response or stable disease >= 16 weeks)
    defined = co["n_benefit"].notna()
    n, k = co["cbr_n_evaluable"], co["n_benefit"]
    small = (n <= DRUP_N) & (k >= DRUP_MIN)
    large = (n > DRUP_N) & (co["cbr_low"] > t.p0) & (k / n >= DRUP_MIN / DRUP_N)
    met = defined & (small | large).fillna(False).astype(bool)
    pfs = co["median_pfs_months"]
    short = pfs.notna() & (pfs < pfs_months)
    out = co[met & (short | pfs.isna())].copy()
    # a pooled analysis and a cohort it contains are the same patients: list one of them
    arm_of = {c: p for c, p in zip(co["cohort"], co["parent_cohort"], strict=True)
              if isinstance(p, str) and p}
    out = out.assign(unit=out["cohort"], n=out["cbr_n_evaluable"])
    out, left_out = non_overlapping(art, out.reset_index(drop=True), [], arm_of)
    header["units_left_out_shared_patients"] = left_out
    out["pfs_status"] = ["below" if pd.notna(v) else "not reported"
                         for v in out["median_pfs_months"]]
    cols = ["cohort", "trial_name", "arm", "regimen_name", "alteration_name", "tumour_type_name",
            "cbr_n_evaluable", "n_benefit", "cbr", "cbr_low", "cbr_high", "benefit_definition",
            "median_pfs_months", "pfs_status", "result", "year", "source", "citation"]
    out = out.sort_values(["pfs_status", "median_pfs_months", "cohort"], ignore_index=True)
    out = out[cols].rename(columns={"cbr_n_evaluable": "n_evaluable"})
    header |= {"met_benefit_endpoint": int(met.sum()), "with_pfs_below": int((met & short).sum()),
               "with_pfs_not_reported": int((met & pfs.isna()).sum())}
    out.attrs["header"] = header
    return out
