"""Like compared with like: which reports carry counts an endpoint may use.

An objective-response analysis uses responses judged by standard criteria
(``kg.schema.STANDARD_RESPONSE_CRITERIA``: RECIST, RANO, RAPNO, IWG, or an "objective response
rate" whose criterion the source does not name). Composite, clinical-complete-response,
pathological, haematological and minor responses are kept and labelled, but pooled only on
request. A clinical-benefit analysis uses one definition at a time, by default DRUP's and
TAPUR's (objective response or stable disease for at least 16 weeks): a PFS rate at 6 months or
disease control at 12 weeks is another endpoint. The rule lives here so every analysis applies it
the same way.
"""

from __future__ import annotations

import re

import pandas as pd

from kg.schema import STANDARD_RESPONSE_CRITERIA

COUNT_OF = {"response": "n_response", "benefit": "n_benefit"}
#: The benefit definition the benefit analyses use unless told otherwise: (kind, weeks).
REFERENCE_BENEFIT = ("clinical-benefit", 16)
CI_METHOD = "Clopper-Pearson exact, two-sided 95%"


def _column(reports: pd.DataFrame, name: str) -> pd.Series:
    if name in reports:
        return reports[name]
    return pd.Series(pd.NA, index=reports.index, dtype="object")


def weeks_from_text(definition: object) -> float | None:
    """The window a free-text benefit definition names, in weeks ("4 months" → 17)."""
    if definition is None or pd.isna(definition):
        return None
    m = re.search(r"(\d+)\s*(weeks?|wk|months?|days)", str(definition).lower())
    if not m:
        return None
    value, unit = int(m.group(1)), m.group(2)
    return round(value * (4.345 if unit.startswith("month") else 1 / 7 if unit == "days" else 1))


def endpoint_label(reports: pd.DataFrame, endpoint: str) -> pd.Series:
    """What each report's count measures, e.g. ``RECIST``, ``composite``,
    ``clinical-benefit >=16 wk``, ``pfs-rate 26 wk``."""
    if endpoint == "response":
        crit = _column(reports, "response_criterion").fillna("").astype(str)
        return crit.where(crit != "", "not-stated")
    kind = _column(reports, "benefit_kind").fillna("").astype(str)
    weeks = pd.to_numeric(_column(reports, "benefit_weeks"), errors="coerce")
    text_weeks = pd.to_numeric(pd.Series(
        [weeks_from_text(x) for x in _column(reports, "benefit_definition").tolist()],
        index=reports.index, dtype="float64"), errors="coerce")
    weeks = weeks.astype("float64").fillna(text_weeks)
    kind = kind.where(kind != "", "clinical-benefit")
    return [f"{k} >={int(w)} wk" if pd.notna(w) else f"{k} (window not stated)"
            for k, w in zip(kind, weeks, strict=True)]


def is_reference_endpoint(reports: pd.DataFrame, endpoint: str) -> pd.Series:
    """True where a report's count is the endpoint the analyses pool by default (from the
    report's typed columns, or from an ``endpoint_kind`` column a unit already carries)."""
    labels = (reports["endpoint_kind"] if "endpoint_kind" in reports
              else pd.Series(endpoint_label(reports, endpoint), index=reports.index))
    if endpoint == "response":
        return labels.isin(STANDARD_RESPONSE_CRITERIA)
    kind, weeks = REFERENCE_BENEFIT
    return labels == f"{kind} >={weeks} wk"


def has_counts(reports: pd.DataFrame, endpoint: str) -> pd.Series:
    """The report gives evaluable patients and the endpoint's count."""
    n = pd.to_numeric(reports["n_evaluable"], errors="coerce")
    k = pd.to_numeric(reports[COUNT_OF[endpoint]], errors="coerce")
    return (n.notna() & k.notna() & (n > 0)).astype(bool)


def usable(reports: pd.DataFrame, endpoint: str, other_endpoints: bool = False) -> pd.Series:
    """Counts present and, unless ``other_endpoints``, the reference endpoint."""
    ok = has_counts(reports, endpoint)
    if not other_endpoints:
        ok &= is_reference_endpoint(reports, endpoint).astype(bool)
    return ok


def endpoint_note(endpoint: str, other_endpoints: bool) -> str:
    if other_endpoints:
        return "every definition of the endpoint (other_endpoints=True): compare with care"
    if endpoint == "response":
        return ("objective response by standard criteria (" + ", ".join(
            STANDARD_RESPONSE_CRITERIA) + "); composite, clinical complete, pathological, "
            "haematological and minor responses left out")
    kind, weeks = REFERENCE_BENEFIT
    return f"{kind} (objective response or stable disease) >= {weeks} weeks; other " \
           "definitions (other windows, disease control, PFS rates) left out"
