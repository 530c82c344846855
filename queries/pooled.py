"""Pooling one drug × alteration × tumour type across trials (PCM4EU / PRIME-ROSE use case).

Small national cohorts of the same treatment, alteration and tumour type can reach a decision
sooner together. Pooling is *not* appropriate when the cohorts measure different things, so rows
are flagged (listed, left out of the pooled figure) rather than mixed when they differ from the
majority in:

* **regimen class**: a different set of drug classes (dabrafenib alone vs with trametinib);
* **benefit definition** (endpoint ``benefit`` only): a different window (SD ≥ 16 weeks vs
  > 24 weeks vs disease control at 12 weeks) is a different endpoint;
* **line of therapy**: first line vs pretreated vs (neo)adjuvant/local disease. The schema has no
  line-of-therapy field, so it is read from the arm, analysis, published tumour type and note
  text; "not stated" never conflicts.

Each contributing unit (queries.outcomes.units: current report, strata instead of their arm,
never the same patients twice) is listed with its counts and source (``curated`` or
``committee:<file>`` for a committee's own unpublished rows). The header gives the pooled rate
with its exact CI over the unflagged rows, the between-trial heterogeneity (exact test and I²
over per-trial totals), and where the pooled cohort stands under the DRUP-like 8 → 24 rule.
"""

from __future__ import annotations

import re

import pandas as pd

from kg.artefact import Artefact
from kg.schema import ROOT_TUMOUR, Label, Rel
from queries.endpoints import CI_METHOD, endpoint_note, is_reference_endpoint, weeks_from_text
from queries.estimates import (
    clopper_pearson,
    clopper_pearson_many,
    heterogeneity_exact,
    i_squared,
)
from queries.frames import in_set
from queries.hierarchy import (
    alteration_descendants,
    alteration_groups,
    ancestors,
    hierarchy,
    treatment_keys,
    tumour_descendants,
    tumour_groups,
)
from queries.outcomes import units
from queries.overlap import non_overlapping
from queries.params import ALTERATION_LEVELS, QueryParameterError
from queries.simon import DRUP_N, patients_to_decide

LINES = (("(neo)adjuvant/local", r"neoadjuvant|adjuvant|locally advanced|stage ii/iii|"
          r"stage ii-iii|resectable"),
         ("first line", r"first[- ]line|1st[- ]line|treatment[- ]na[iï]ve|previously untreated|"
          r"untreated|\bnaive\b"),
         ("pretreated", r"previously treated|pretreated|pre-treated|refractory|relapsed|"
          r"second[- ]line|>=\s*[12] prior|≥\s*[12] prior|\bprior (therapy|treatment)|"
          r"post[- ]"))


def line_of_therapy(text: str) -> str:
    low = (text or "").lower()
    for name, pattern in LINES:
        if re.search(pattern, low):
            return name
    return "not stated"


def benefit_window(definition: str | None) -> str:
    """A comparable key for a benefit definition: its time window, else the text itself."""
    if not definition or pd.isna(definition):
        return "not stated"
    weeks = weeks_from_text(definition)
    if weeks is not None:
        return f"~{weeks} weeks"
    low = str(definition).lower()
    return "disease control (no window)" if "disease control" in low else low


def _broader_up_to_codon(art: Artefact, aid: str) -> set[str]:
    """The alteration's ancestors at codon level or finer (BRAF V600 above BRAF V600E): a cohort
    selecting one of them takes the patient. Coarser ones (any BRAF mutation) are left out."""
    alts = art.nodes(Label.ALTERATION)
    level = dict(zip(alts["id"], alts["level"], strict=True))
    rank = {name: i for i, name in enumerate(ALTERATION_LEVELS)}
    codon = rank["codon"]
    return {a for a in ancestors(hierarchy(art, Label.ALTERATION), aid)[1:]
            if rank.get(level.get(a), len(rank)) <= codon}


def _resolve(art: Artefact, value: str, label: Label, prefixes: tuple[str, ...]) -> str:
    """An id from an id, a prefixed key or a unique name (case-insensitive)."""
    table = art.nodes(label)
    ids = set(table["id"])
    for candidate in (value, *(f"{p}:{value}" for p in prefixes)):
        if candidate in ids:
            return candidate
    hits = table[table["name"].fillna("").str.lower() == value.lower()]
    if len(hits) == 1:
        return str(hits["id"].iloc[0])
    raise QueryParameterError(f"unknown {label} '{value}'" + (
        f" (several match: {', '.join(sorted(hits['id']))})" if len(hits) > 1 else ""))


def _note_text(art: Artefact) -> pd.Series:
    r = art.nodes(Label.RESULT).set_index("id")
    return (r["note"].fillna("") + " " + r["analysis"].fillna("")).rename("note_text")


def pooled(art: Artefact, drug: str | None = None, regimen: str | None = None,
           drug_class: str | None = None, alteration: str | None = None,
           alteration_level: str | None = None, tumour_type: str | None = None,
           tumour_level: str | int | None = None, endpoint: str = "response",
           as_of: int | None = None, include_private: bool = True,
           other_endpoints: bool = False) -> pd.DataFrame:
    """Every contributing unit with flags; the pooled figure and decision in the header.

    Without a treatment every treatment is listed and those of another class are flagged. An
    alteration finds cohorts selecting it, narrower ones, and broader ones down to codon level
    (``alteration_match`` says which; ``alteration_level`` widens to that level's group).

    Columns: unit, cohort, trial, trial_name, arm, regimen_name, drug_classes, alteration,
    alteration_match, tumour_type, tumour_type_published, n, k, rate, low, high, year, source,
    private, result_ids, benefit_definition, benefit_window, line, pooled (bool), flags, stage_8_24,
    needed_8_24 (patients this cohort alone still needs for its next 8 → 24 decision)."""
    if not alteration or not tumour_type:
        raise QueryParameterError("give --alteration and --tumour-type")
    u = units(art, endpoint, as_of, include_private, other_endpoints=True)
    header = dict(u.attrs.get("header", {}))
    header.pop("reports_other_endpoint_left_out", None)  # kept here: listed and flagged below
    header["endpoint_kind"] = (
        "every definition pooled (other_endpoints=True), other ones flagged"
        if other_endpoints else endpoint_note(endpoint, False) + "; those are listed, flagged "
        "and not pooled")
    sel = pd.Series(True, index=u.index)
    if regimen:
        sel &= u["regimen"] == _resolve(art, regimen, Label.REGIMEN, ("regimen",))
    if drug:
        did = _resolve(art, drug, Label.DRUG, ("NCIT", "drug"))
        inc = art.edges(Rel.INCLUDES)
        sel &= in_set(u["regimen"], inc.loc[inc["dst"] == did, "src"])
    if drug_class:
        wanted = drug_class.lower()
        known = {c.lower() for v in art.nodes(Label.DRUG)["drug_classes"].dropna()
                 for c in str(v).split(";")}
        if wanted not in known:
            raise QueryParameterError(f"unknown drug class '{drug_class}'")
        sel &= u["drug_classes"].fillna("").str.lower().str.split(";").map(
            lambda cs: wanted in cs)
    aid = _resolve(art, alteration, Label.ALTERATION, ("alt",))
    narrower = alteration_descendants(art, aid)
    if alteration_level:
        groups = alteration_groups(art, alteration_level)["alteration_group"]
        mine = set(groups[groups.index == aid]) or {aid}
        broader = set(groups[groups.isin(mine)].index) - narrower
    else:  # a patient's V600E is selected by a cohort of "BRAF V600" too: codon level and below
        broader = _broader_up_to_codon(art, aid)
    sel &= in_set(u["alteration"], narrower | broader)
    tid = _resolve(art, tumour_type, Label.TUMOUR_TYPE, ("oncotree",))
    if tumour_level is not None:
        hist = tumour_groups(art, tumour_level)["histology"]
        tts = set(hist[hist == hist.get(tid, tid)].index) | tumour_descendants(art, tid)
    else:
        tts = tumour_descendants(art, tid)
    if tid != ROOT_TUMOUR:
        tts.discard(ROOT_TUMOUR)
    sel &= in_set(u["tumour_type"], tts)
    rows = u.loc[sel.astype(bool)].copy()
    names = dict(zip(art.nodes(Label.ALTERATION)["id"], art.nodes(Label.ALTERATION)["name"],
                     strict=True))
    rows["alteration_match"] = ["exact" if a == aid else "narrower" if a in narrower
                                else f"broader ({names.get(a, a)})" for a in rows["alteration"]]
    arm_of = dict(zip(u["cohort"], u["parent_cohort"], strict=True))
    rows, left_out = non_overlapping(art, rows.reset_index(drop=True), [],
                                     {c: p for c, p in arm_of.items() if isinstance(p, str)})
    header |= {"units_left_out_shared_patients": left_out,
               "reference_endpoint_only": not other_endpoints}
    if not any((drug, regimen, drug_class)):
        header["treatment"] = ("none given: every treatment is listed; those of another class "
                               "than the one with most patients are flagged, not pooled")
    header |= {"selection": {"drug": drug, "regimen": regimen, "drug_class": drug_class,
                             "alteration": aid, "alteration_level": alteration_level,
                             "tumour_type": tid, "tumour_level": tumour_level}}
    return _pool(art, rows, endpoint, header, other_endpoints)


POOLED_COLUMNS = ["unit", "cohort", "trial", "trial_name", "arm", "regimen_name", "drug_classes",
                  "alteration", "alteration_match", "tumour_type", "tumour_type_published", "n",
                  "k", "rate", "low", "high", "year", "source", "private", "result_ids",
                  "benefit_definition", "benefit_window", "endpoint_kind", "line", "pooled",
                  "flags", "stage_8_24", "needed_8_24"]


def _pool(art: Artefact, rows: pd.DataFrame, endpoint: str, header: dict,
          other_endpoints: bool = False) -> pd.DataFrame:
    if rows.empty:
        out = pd.DataFrame(columns=POOLED_COLUMNS)
        out.attrs["header"] = header | {"contributing_units": 0, "pooled_units": 0,
                                        "note": "no cohort matches this selection"}
        return out
    notes = _note_text(art)
    rows["rate"] = rows["k"] / rows["n"]
    rows["low"], rows["high"] = clopper_pearson_many(rows["k"], rows["n"])
    first_result = rows["result_ids"].str.split(";").str[0]
    text = (rows["arm"].fillna("") + " " + rows["tumour_type_published"].fillna("") + " "
            + first_result.map(notes).fillna(""))
    rows["line"] = [line_of_therapy(x) for x in text]
    rows["benefit_window"] = [benefit_window(x) for x in rows["benefit_definition"]]
    flags: list[list[str]] = [[] for _ in range(len(rows))]
    # the classes each regimen acts in on the selected alteration (entrectinib on NTRK: TRK)
    rows["treatment_class"] = [" | ".join(k) for k in treatment_keys(art, rows, "drug_class")]
    checks = [("treatment_class", "different regimen class"),
              ("line", "different line of therapy")]
    for col, why in checks:
        values = rows[col].fillna("")
        known = values[values != "not stated"]
        if known.nunique() > 1:
            modal = rows.loc[known.index].groupby(col)["n"].sum().sort_values(
                ascending=False, kind="stable").index[0]
            for i, v in enumerate(values):
                if v not in ("not stated", modal):
                    flags[i].append(f"{why} ({v} vs {modal})")
    reference = is_reference_endpoint(rows, endpoint).tolist()
    other = [f"other endpoint ({kind})" if not ref else ""
             for kind, ref in zip(rows["endpoint_kind"], reference, strict=True)]
    for i, text in enumerate(other):
        if text:
            flags[i].append(text)
    rows["flags"] = ["; ".join(f) for f in flags]
    rows["pooled"] = [not [x for x in f if x != o] and (not o or other_endpoints)
                      for f, o in zip(flags, other, strict=True)]
    stages = [patients_to_decide(int(n), int(k)) for n, k in zip(rows["n"], rows["k"],
                                                                 strict=True)]
    rows["stage_8_24"] = [s["state"] if n <= DRUP_N else "beyond 24 (rule not applicable)"
                          for s, n in zip(stages, rows["n"], strict=True)]
    rows["needed_8_24"] = [s["needed"] if n <= DRUP_N else 0
                           for s, n in zip(stages, rows["n"], strict=True)]
    use = rows[rows["pooled"]]
    n, k = int(use["n"].sum()), int(use["k"].sum())
    low, high = clopper_pearson(k, n)
    by_trial = use.groupby("trial")[["n", "k"]].sum()
    het_p = heterogeneity_exact(list(by_trial["k"]), list(by_trial["n"]))
    i2, _ = i_squared(list(by_trial["k"]), list(by_trial["n"]))
    small = use[use["n"] < DRUP_N]
    small_decision = patients_to_decide(int(small["n"].sum()), int(small["k"].sum()))
    header |= {
        "contributing_units": len(rows), "pooled_units": len(use), "flagged_units":
        int((~rows["pooled"]).sum()), "trials": int(use["trial"].nunique()),
        "pooled_n": n, "pooled_k": k, "pooled_rate": k / n if n else None,
        "pooled_low": low, "pooled_high": high, "between_trial_exact_p": het_p,
        "between_trial_i2": i2,
        "cohorts_below_24": len(small),
        "pooled_below_24_state": small_decision["state"],
        "pooled_below_24_needed": small_decision["needed"],
        "ci_method": CI_METHOD,
        "note": "Flagged rows differ in regimen class, line of therapy or endpoint definition "
                "and are listed but not pooled (other endpoints pooled only with "
                "other_endpoints=True); units sharing patients with a kept unit are left out "
                "(units_left_out_shared_patients); 8 -> 24 counts use the chosen endpoint "
                "(DRUP applies it to clinical benefit: use --endpoint benefit).",
    }
    out = rows[POOLED_COLUMNS].sort_values(["pooled", "trial", "unit"],
                                           ascending=[False, True, True], ignore_index=True)
    out.attrs["header"] = header
    return out
