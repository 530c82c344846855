"""A tumour profile as a molecular tumour board asks it: for this tumour type and these
alterations, per alteration and treatment,

* the cohorts with outcomes that match, and how (exact; broader alteration; other histology);
* the open or planned arms (data/arms.csv: cohorts without a report) that would take the patient;
* knowledgebase evidence for and against;
* for pairs with no cohort in this histology, the candidate-cohort rationale
  (queries.gaps.candidate_cohorts).

It is evidence for a committee to weigh, not a treatment recommendation; every frame's header
says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kg.artefact import Artefact
from kg.schema import ROOT_TUMOUR, Label
from queries.cohorts import cohort_frame, current_results, report_frame
from queries.estimates import clopper_pearson_many
from queries.evidence import opposing_evidence, supporting_evidence
from queries.evidence_table import EVIDENCE_KIND, evidence_table
from queries.gaps import candidate_cohorts
from queries.hierarchy import ancestors, hierarchy, treatment_keys, tumour_groups
from queries.params import QueryParameterError
from queries.selection import EXACT, alteration_match, resolve

NOT_ADVICE = ("Evidence for a committee to weigh, not a treatment recommendation: it lists what "
              "is published or planned; it does not rank treatments for this patient.")
SAME, SUBTYPE, BROADER_TUMOUR, BASKET, OTHER = (
    "same tumour type", "sub-type", "broader tumour type", "mixed-histology basket",
    "other histology")


@dataclass
class Profile:
    tumour_type: str
    tumour_name: str
    alterations: list[tuple[str, str]]  # (id, name)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohorts: pd.DataFrame = field(default_factory=pd.DataFrame)
    arms: pd.DataFrame = field(default_factory=pd.DataFrame)
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    candidates: pd.DataFrame = field(default_factory=pd.DataFrame)
    header: dict = field(default_factory=dict)


def _histology_match(art: Artefact, tumour: str) -> callable:
    dag = hierarchy(art, Label.TUMOUR_TYPE)
    above = set(ancestors(dag, tumour))

    def match(x: object) -> str:
        if x is None or pd.isna(x):
            return OTHER
        x = str(x)
        if x == tumour:
            return SAME
        if tumour in ancestors(dag, x):
            return SUBTYPE
        if x == ROOT_TUMOUR:
            return BASKET
        if x in above:
            return BROADER_TUMOUR
        return OTHER
    return match


def profile(art: Artefact, tumour_type: str, alterations: list[str], as_of: int | None = None,
            include_private: bool = True) -> Profile:
    """The profile of one tumour (an OncoTree code) with one or more alterations."""
    if not alterations:
        raise QueryParameterError("give at least one --alteration")
    sel = resolve(art, tumour_type=[tumour_type], alteration=alterations)
    tumour = sel.tumour_types[0]
    names = art.all_nodes["name"]
    hist = _histology_match(art, tumour)
    out = Profile(tumour, str(names.get(tumour, tumour)),
                  [(a, str(names.get(a, a))) for a in sel.alterations])

    # ---- cohorts with outcomes
    current, header = current_results(art, as_of, include_private)
    frames = []
    for alt, alt_name in out.alterations:
        m = alteration_match(art, current["alteration"], (alt,))
        part = current[m.notna()].assign(patient_alteration=alt_name, alteration_match=m[m.notna()])
        frames.append(part)
    cohorts = pd.concat(frames, ignore_index=True) if frames else current.head(0)
    cohorts["histology_match"] = cohorts["tumour_type"].map(hist)
    cohorts["treatment"] = _treatment(art, cohorts)
    low, high = clopper_pearson_many(cohorts["n_response"], cohorts["n_evaluable"])
    n = pd.to_numeric(cohorts["n_evaluable"], errors="coerce").astype(float)
    cohorts = cohorts.assign(
        orr=pd.to_numeric(cohorts["n_response"], errors="coerce").astype(float) / n.where(n > 0),
        orr_low=low, orr_high=high)
    order = {SAME: 0, SUBTYPE: 1, BROADER_TUMOUR: 2, BASKET: 3, OTHER: 4}
    cohorts = cohorts.assign(_o=cohorts["histology_match"].map(order)).sort_values(
        ["patient_alteration", "_o", "treatment", "orr"], ascending=[True, True, True, False],
        ignore_index=True).drop(columns="_o")
    out.cohorts = cohorts[["patient_alteration", "treatment", "histology_match",
                           "alteration_match", "trial_name", "arm", "regimen_name",
                           "alteration_name", "tumour_type_name", "n_response", "n_evaluable",
                           "orr", "orr_low", "orr_high", "outcome_call", "year", "result",
                           "citation", "private"]]

    # ---- open or planned arms that would take the patient
    arms = cohort_frame(art, include_private)
    arms = arms[~arms["cohort"].isin(set(report_frame(art, include_private)["cohort"]))]
    rows = []
    for alt, alt_name in out.alterations:
        m = alteration_match(art, arms["alteration"], (alt,))
        ok = m.notna() & ~m.fillna("").str.startswith("narrower")
        take = arms[ok & arms["tumour_type"].map(hist).isin([SAME, BROADER_TUMOUR, BASKET])]
        rows.append(take.assign(patient_alteration=alt_name, alteration_match=m[take.index]))
    arms = pd.concat(rows, ignore_index=True) if rows else arms.head(0)
    arms = arms.assign(histology_match=arms["tumour_type"].map(hist),
                       treatment=_treatment(art, arms))
    out.arms = arms[["patient_alteration", "treatment", "trial_name", "arm", "status",
                     "regimen_name", "alteration_name", "tumour_type_name", "alteration_match",
                     "histology_match", "cohort"]].reset_index(drop=True)

    # ---- knowledgebase evidence for and against (this tumour type, its sub-types, baskets)
    table = evidence_table(art, as_of)
    kb = table[table["kind"] == EVIDENCE_KIND]
    rows = []
    for alt, alt_name in out.alterations:
        m = alteration_match(art, kb["alteration"], (alt,))
        part = kb[m.notna()].assign(patient_alteration=alt_name, alteration_match=m[m.notna()])
        part = part.assign(histology_match=part["tumour_type"].map(hist))
        rows.append(part[part["histology_match"] != OTHER])
    kb = pd.concat(rows, ignore_index=True) if rows else kb.head(0)
    # For and against as queries.evidence defines them (one rule for the analyses and this).
    pro = set(supporting_evidence(art, as_of)[0]["evidence"])
    con = set(opposing_evidence(art, as_of)[0]["evidence"])
    kb = kb.assign(stance=kb["id"].map(lambda i: "for" if i in pro else
                                       "against" if i in con else None))
    kb = kb[kb["stance"].notna() & kb["regimen"].notna()]
    kb = kb.assign(treatment=_treatment(art, kb))
    out.evidence = kb[["patient_alteration", "treatment", "stance", "tier", "regimen_name",
                       "alteration_name", "tumour_type_name", "alteration_match",
                       "histology_match", "outcome", "direction", "origin", "id",
                       "publication"]].sort_values(
        ["patient_alteration", "treatment", "stance", "tier"], ignore_index=True)

    # ---- candidate cohorts for this histology (pairs no cohort has tested here)
    cand = candidate_cohorts(art, as_of=as_of, include_private=include_private)
    histology = tumour_groups(art, "main_type").loc[tumour, "histology"] \
        if tumour != ROOT_TUMOUR else None
    rows = []
    for alt, alt_name in out.alterations:
        m = alteration_match(art, cand["alteration_group"], (alt,))
        part = cand[m.notna() & (cand["histology"] == histology)]
        rows.append(part.assign(patient_alteration=alt_name, alteration_match=m[part.index]))
    cand = pd.concat(rows, ignore_index=True) if rows else cand.head(0)
    out.candidates = cand[["patient_alteration", "rank", "treatment_group",
                           "alteration_group_name", "histology_name", "pred_response",
                           "evidence_tier", "rationale", "simon_optimal",
                           "supporting_rows"]].reset_index(drop=True)

    out.summary = _summary(out)
    out.header = {"tumour_type": f"{out.tumour_name} ({tumour})",
                  "alterations": ", ".join(n for _, n in out.alterations), "as_of": as_of,
                  "excluded_no_year": header["excluded_no_year"],
                  "excluded_after_as_of": header["excluded_after_as_of"],
                  "note": NOT_ADVICE}
    for name in ("summary", "cohorts", "arms", "evidence", "candidates"):
        getattr(out, name).attrs["header"] = dict(out.header)
    return out


def _treatment(art: Artefact, rows: pd.DataFrame) -> pd.Series:
    """The drug-class key of each row's regimen (queries.hierarchy); a drug acting in several
    classes gives "A / B"."""
    if rows.empty:
        return pd.Series([], index=rows.index, dtype=object)
    return treatment_keys(art, rows, "drug_class").map(" / ".join)


def _summary(p: Profile) -> pd.DataFrame:
    """One row per (alteration, treatment): what the sections below hold for it."""
    keys = ["patient_alteration", "treatment"]
    c = p.cohorts
    same = c[c["histology_match"].isin([SAME, SUBTYPE])]
    frames = {
        "cohorts_here": same.groupby(keys).size(),
        "cohorts_broader_or_basket": c[c["histology_match"].isin([BROADER_TUMOUR, BASKET])]
        .groupby(keys).size(),
        "cohorts_elsewhere": c[c["histology_match"] == OTHER].groupby(keys).size(),
        "exact_here": same[same["alteration_match"] == EXACT].groupby(keys).size(),
        "open_or_planned_arms": p.arms.groupby(keys).size(),
        "kb_for": p.evidence[p.evidence["stance"] == "for"].groupby(keys).size(),
        "kb_against": p.evidence[p.evidence["stance"] == "against"].groupby(keys).size(),
    }
    cand = p.candidates.rename(columns={"treatment_group": "treatment"})
    frames["candidate_rank"] = cand.groupby(keys)["rank"].min()
    out = pd.concat(frames, axis=1).reset_index()
    for col in ("cohorts_here", "cohorts_broader_or_basket", "cohorts_elsewhere", "exact_here",
                "open_or_planned_arms", "kb_for", "kb_against"):
        out[col] = out[col].fillna(0).astype(int)
    out = out.sort_values(["patient_alteration", "cohorts_here", "kb_for"],
                          ascending=[True, False, False], ignore_index=True)
    return out
