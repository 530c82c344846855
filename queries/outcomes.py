"""Per-cohort ORR/CBR with exact CIs, and the "units" every roll-up counts exactly once.

Patients are never counted twice: a cohort's current report is taken once (``current_results``),
and an arm broken down into per-histology strata (STRATUM_OF) is counted through its strata when
they report the endpoint. When the arm also reports it, the arm's patients outside the strata
become one *remainder* unit (arm minus strata, mixed histology, ``derived`` = True) so that the
arm's total is kept; when the strata add up to more than the arm (reports from different
years), the arm alone is used. Columns of :func:`units`:

unit, cohort, parent_cohort, derived, trial, trial_name, regimen, regimen_name, drug_classes,
alteration, tumour_type, n, k (responders or patients with benefit), result_ids (;-joined, every
report behind the unit), source (``curated`` or ``committee:<file>``), private, year,
benefit_definition, median_pfs_months, arm (name), tumour_type_published.
"""

from __future__ import annotations

import pandas as pd

from kg.artefact import Artefact
from kg.schema import ROOT_TUMOUR, Label, Rel
from queries.cohorts import current_results
from queries.endpoints import CI_METHOD, COUNT_OF, endpoint_label
from queries.endpoints import usable as endpoint_usable
from queries.estimates import clopper_pearson_many
from queries.frames import grouped_sets, records
from queries.hierarchy import (
    alteration_groups,
    ancestors,
    hierarchy,
    tumour_groups,
    with_treatment_groups,
)
from queries.memo import per_artefact
from queries.overlap import non_overlapping
from queries.params import ENDPOINTS, check_choice

UNIT_COLUMNS = ["unit", "cohort", "parent_cohort", "derived", "trial", "trial_name", "regimen",
                "regimen_name", "drug_classes", "alteration", "tumour_type", "n", "k",
                "result_ids", "source", "private", "year", "benefit_definition",
                "median_pfs_months", "arm", "tumour_type_published", "status", "design",
                "outcome_call", "endpoint_kind"]


#: The unit columns annotate and the roll-ups read (the others are left behind first: every
#: step of annotate takes whole rows)
ROLLUP_COLUMNS = ["unit", "cohort", "parent_cohort", "trial", "regimen", "regimen_name",
                  "alteration", "tumour_type", "n", "k", "result_ids", "source", "year"]


def _with_header(df: pd.DataFrame, header: dict) -> pd.DataFrame:
    df.attrs["header"] = dict(header)
    return df


def cohort_outcomes(art: Artefact, as_of: int | None = None,
                    include_private: bool = True) -> pd.DataFrame:
    """One row per cohort with a current report: ORR and CBR with exact 95% CIs.

    Each endpoint comes from the report that stands for the cohort on that endpoint (the latest
    carrying its counts, of the reference kind: queries.endpoints), so ORR and CBR may come from
    two reports: ``result`` / ``cbr_result`` name them, ``n_evaluable`` / ``cbr_n_evaluable`` are
    their denominators. Rows with other endpoints keep their figures out of ``orr``/``cbr`` and
    say what they measured in ``endpoint_kind``.

    Columns: cohort, parent_cohort (set for strata), trial, trial_name, arm, regimen_name,
    drug_classes, alteration, alteration_name, tumour_type, tumour_type_name, result, year,
    analysis_kind, n_evaluable, n_response, orr, orr_low, orr_high, cbr_result,
    cbr_n_evaluable, n_benefit, cbr, cbr_low, cbr_high, benefit_definition, endpoint_kind,
    median_pfs_months, outcome_call, source (curated or committee:<file>), private, citation.
    Rates are fractions (0-1); NaN when not reported. ``attrs["header"]``: as_of, the reports
    excluded (no year / later than as_of), cohorts standing on an earlier report, CI method."""
    resp, header = current_results(art, as_of, include_private, "response")
    ben, ben_header = current_results(art, as_of, include_private, "benefit")
    out = resp.rename(columns={"result_source": "source"})
    ok_r = endpoint_usable(out, "response")
    out["endpoint_kind"] = endpoint_label(out, "response")
    out.loc[~ok_r, "n_response"] = pd.NA
    b = ben.set_index("cohort")
    ok_b = endpoint_usable(ben, "benefit").to_numpy()
    b_n = b["n_evaluable"].where(ok_b)
    out["cbr_result"] = out["cohort"].map(b["result"])
    out["cbr_n_evaluable"] = out["cohort"].map(b_n)
    out["n_benefit"] = out["cohort"].map(b["n_benefit"].where(ok_b))
    out["benefit_definition"] = out["cohort"].map(b["benefit_definition"])
    for prefix, col, denominator in (("orr", "n_response", "n_evaluable"),
                                     ("cbr", "n_benefit", "cbr_n_evaluable")):
        out[col] = pd.to_numeric(out[col], errors="coerce")
        out[denominator] = pd.to_numeric(out[denominator], errors="coerce")
        out[prefix] = out[col] / out[denominator]
        out[f"{prefix}_low"], out[f"{prefix}_high"] = clopper_pearson_many(
            out[col], out[denominator])
    cols = ["cohort", "parent_cohort", "trial", "trial_name", "arm", "regimen_name",
            "drug_classes", "alteration", "alteration_name", "tumour_type", "tumour_type_name",
            "result", "year", "analysis_kind", "n_evaluable", "n_response", "orr", "orr_low",
            "orr_high", "cbr_result", "cbr_n_evaluable", "n_benefit", "cbr", "cbr_low",
            "cbr_high", "benefit_definition", "endpoint_kind", "median_pfs_months",
            "outcome_call", "source", "private", "citation"]
    header = header | {
        "cohorts_standing_on_earlier_report_benefit":
            ben_header.get("cohorts_standing_on_earlier_report", []),
        "benefit_endpoint_kind": ben_header.get("endpoint_kind"), "ci_method": CI_METHOD}
    return _with_header(out[cols].reset_index(drop=True), header)


def units(art: Artefact, endpoint: str = "response", as_of: int | None = None,
          include_private: bool = True, other_endpoints: bool = False) -> pd.DataFrame:
    """Counting units for ``endpoint`` within each cohort id (see module docstring); overlaps
    across cohort ids are resolved per analysis group by :func:`annotate`."""
    check_choice("endpoint", endpoint, ENDPOINTS)
    cur, header = current_results(art, as_of, include_private, endpoint, other_endpoints)
    col = COUNT_OF[endpoint]
    cur = cur.assign(n=cur["n_evaluable"], k=cur[col], source=cur["result_source"],
                     result_ids=cur["result"], unit=cur["cohort"], derived=False,
                     endpoint_kind=endpoint_label(cur, endpoint))
    usable = endpoint_usable(cur, endpoint, other_endpoints)
    # only the columns a unit carries: the cohort frame is wide, and converting all of it to
    # records was a fifth of a cold tumour_agnostic run
    needed = list(dict.fromkeys([*UNIT_COLUMNS, "result", "parent_cohort"]))
    by_id = {r["cohort"]: r for r in records(cur, needed)}
    children: dict[str, list[str]] = {}
    for c, p in zip(cur["cohort"], cur["parent_cohort"], strict=True):
        if isinstance(p, str) and p:
            children.setdefault(p, []).append(c)
    ok = dict(zip(cur["cohort"], usable, strict=True))
    disagree: list[str] = []

    def expand(cohort: str) -> list[dict]:
        row = dict(by_id[cohort])
        kids = [u for child in sorted(children.get(cohort, [])) for u in expand(child)]
        if not kids:
            return [row] if ok[cohort] else []
        if not ok[cohort]:
            return kids
        n_rest = row["n"] - sum(u["n"] for u in kids)
        k_rest = row["k"] - sum(u["k"] for u in kids)
        if n_rest < 0 or k_rest < 0 or k_rest > n_rest:
            # strata and arm disagree (reports of different data cuts): the side counting
            # more patients, at equal counts the later reports; never silently the interim
            disagree.append(cohort)
            if sum(u["n"] for u in kids) > row["n"]:
                return kids
            if sum(u["n"] for u in kids) < row["n"]:
                return [row]
            kids_year = max((u["year"] for u in kids if pd.notna(u["year"])), default=0)
            return kids if kids_year > (row["year"] if pd.notna(row["year"]) else 0) else [row]
        if n_rest == 0:
            return kids
        rest = row | {"unit": f"remainder:{cohort}", "n": n_rest, "k": k_rest, "derived": True,
                      "tumour_type": _remainder_tumour(row), "result_ids": ";".join(
                          [row["result"], *(u["result_ids"] for u in kids)])}
        return [*kids, rest]

    tops = [c for c in cur["cohort"] if not (isinstance(by_id[c]["parent_cohort"], str)
                                             and by_id[c]["parent_cohort"] in ok)]
    rows = [u for c in sorted(tops) for u in expand(c)]
    out = pd.DataFrame(rows, columns=None if rows else UNIT_COLUMNS)
    if rows:
        out["n"] = out["n"].astype(int)
        out["k"] = out["k"].astype(int)
        out = out.rename(columns={"arm": "arm"})[UNIT_COLUMNS]
    header = header | {"endpoint": endpoint, "units": len(out),
                       "cohorts_without_counts": int((~usable).sum()),
                       "arms_whose_strata_disagree": sorted(disagree),
                       "ci_method": CI_METHOD}
    return _with_header(out.reset_index(drop=True), header)


def _remainder_tumour(row: dict) -> str:
    """Patients of an arm outside its reported strata: the arm's own tumour type."""
    return row["tumour_type"]


def annotate(art: Artefact, u: pd.DataFrame, alteration_level: str, tumour_level: str | int,
             treatment_level: str) -> pd.DataFrame:
    """Add treatment / alteration / histology group keys at the chosen levels, then apply the
    one-patient-once rule within each (treatment, alteration) group.

    * An alteration with two parents at the level (a fusion under both partners) joins the
      group whose gene the treatment targets; with none or both targeted, both groups.
    * One histology is never split: within a group, a unit coded at a coarser tumour type than
      another's (Biliary Tract above Cholangiocarcinoma) takes that coarser roll-up key.
    * Units that share patients across cohort ids are resolved by queries.overlap.
    The header lists the merged histologies and every unit left out, with the reason."""
    alt = alteration_groups(art, alteration_level)
    tum = tumour_groups(art, tumour_level)
    out = _targeted_groups(art, u.join(alt, on="alteration")).join(tum, on="tumour_type")
    out = with_treatment_groups(art, out, treatment_level)
    out["histology"] = out["histology"].fillna("unmapped")
    out, merged = _merge_split_histologies(art, out)
    arm_of = {c: p for c, p in zip(u["cohort"], u["parent_cohort"], strict=True)
              if isinstance(p, str) and p}
    out, left_out = non_overlapping(art, out.reset_index(drop=True),
                                    ["treatment_group", "alteration_group"], arm_of)
    out.attrs = dict(u.attrs)
    out.attrs["header"] = dict(u.attrs.get("header", {})) | {
        "histologies_merged_into_a_coarser_one": merged,
        "units_left_out_shared_patients": left_out,
        "overlap_rule": "units sharing patients across cohort ids (data/overlaps.csv): the "
                        "non-overlapping set with most patients, then more units, then later "
                        "reports"}
    return out


def _targeted_groups(art: Artefact, out: pd.DataFrame) -> pd.DataFrame:
    """Rows of a unit in several alteration groups: keep the groups whose gene a member drug
    targets, when that singles out some but not all of them."""
    if out.empty or not out.index.duplicated().any():
        return out
    targets = _targeted_genes(art)
    group_genes = _group_genes(art)
    hit = [bool(group_genes.get(g, set()) & targets.get(r, set()))
           for g, r in zip(out["alteration_group"], out["regimen"], strict=True)]
    out = out.assign(_hit=hit)
    some = out.groupby(level=0)["_hit"].transform("any")
    every = out.groupby(level=0)["_hit"].transform("all")
    keep = out["_hit"] | ~some | every
    return out[keep.astype(bool)].drop(columns="_hit")


@per_artefact
def _targeted_genes(art: Artefact) -> dict[str, set[str]]:
    """regimen → genes its member drugs target."""
    inc = art.edges(Rel.INCLUDES)
    tgt = grouped_sets(art.edges(Rel.TARGETS), "src", "dst")
    out: dict[str, set[str]] = {}
    for reg, drug in zip(inc["src"].tolist(), inc["dst"].tolist(), strict=True):
        out.setdefault(reg, set()).update(tgt.get(drug, set()))
    return out


@per_artefact
def _group_genes(art: Artefact) -> dict[str, set[str]]:
    e = art.edges(Rel.IN_GENE)
    return grouped_sets(e, "src", "dst")


def _merge_split_histologies(art: Artefact, out: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """Within a group, a unit whose tumour type lies below another unit's tumour type takes
    that coarser unit's histology key (the coarsest such one), so one histology is not split."""
    if out.empty:
        return out, []
    dag = hierarchy(art, Label.TUMOUR_TYPE)
    merged: list[dict] = []
    hist = out["histology"].tolist()
    names = out["histology_name"].tolist()
    groups = out.groupby(["treatment_group", "alteration_group"], sort=False).indices
    tumour = out["tumour_type"].tolist()
    depth = _tumour_depth(art)
    for key, idx in groups.items():
        coded = {tumour[i]: (hist[i], names[i]) for i in idx
                 if isinstance(tumour[i], str) and tumour[i] != ROOT_TUMOUR}
        if len(coded) < 2:
            continue
        for i in idx:
            t = tumour[i]
            if t not in coded:
                continue
            above = [a for a in ancestors(dag, t)[1:] if a in coded and a != ROOT_TUMOUR]
            if not above:
                continue
            top = min(above, key=lambda a: (depth.get(a, 99), a))
            new_key, new_name = coded[top]
            if new_key != hist[i]:
                merged.append({"group": " | ".join(map(str, key)), "from": names[i],
                               "into": new_name, "unit": out["unit"].iloc[i]})
                hist[i], names[i] = new_key, new_name
    out = out.assign(histology=hist, histology_name=names)
    return out, merged


@per_artefact
def _tumour_depth(art: Artefact) -> dict[str, int]:
    tt = art.nodes(Label.TUMOUR_TYPE)
    return {i: int(v) for i, v in zip(tt["id"], tt["level"], strict=True) if pd.notna(v)}


GROUP_KEYS = ["treatment_group", "alteration_group", "alteration_group_name", "histology",
              "histology_name"]


def group_outcomes(art: Artefact, as_of: int | None = None, alteration_level: str = "codon",
                   tumour_level: str | int = "main_type", treatment_level: str = "drug_class",
                   include_private: bool = True) -> pd.DataFrame:
    """Roll-up per (treatment group, alteration group, histology) for both endpoints.

    Columns: the group keys, then for ``orr`` and ``cbr``: n_units, n, k, rate, low, high
    (exact 95% CI of the summed counts, units never overlapping), and ``trials``, ``sources``,
    ``result_ids`` (every report behind the row)."""
    frames = []
    header: dict = {}
    for endpoint, prefix in (("response", "orr"), ("benefit", "cbr")):
        u = annotate(art, units(art, endpoint, as_of, include_private)[ROLLUP_COLUMNS],
                     alteration_level, tumour_level, treatment_level)
        header = header or dict(u.attrs.get("header", {}))
        u.attrs = {}  # pandas deep-copies attrs into every group below: keep the header apart
        if u.empty:
            continue
        grouped = u.groupby(GROUP_KEYS, dropna=False)
        g = grouped.agg(**{f"{prefix}_units": ("unit", "size"), f"{prefix}_n": ("n", "sum"),
                           f"{prefix}_k": ("k", "sum")})
        # the ;-joined lists in one pass over the rows (a Python callback per group and
        # column cost more than the rest of the roll-up)
        code = grouped.ngroup().to_numpy()
        for col, name, unique in (("trial", "trials", True), ("source", "sources", True),
                                  ("result_ids", "result_ids", False)):
            found: list[list] = [[] for _ in range(len(g))]
            for i, v in zip(code, u[col].tolist(), strict=True):
                found[i].append(v)
            g[f"{prefix}_{name}"] = [";".join(sorted(set(x) if unique else x)) for x in found]
        g[f"{prefix}"] = g[f"{prefix}_k"] / g[f"{prefix}_n"]
        g[f"{prefix}_low"], g[f"{prefix}_high"] = clopper_pearson_many(g[f"{prefix}_k"],
                                                                       g[f"{prefix}_n"])
        frames.append(g)
    if not frames:
        return _with_header(pd.DataFrame(columns=GROUP_KEYS), header)
    out = frames[0].join(frames[1], how="outer") if len(frames) == 2 else frames[0]
    out = out.reset_index().sort_values(GROUP_KEYS[:2] + ["histology"], ignore_index=True)
    header |= {"alteration_level": alteration_level, "tumour_level": tumour_level,
               "treatment_level": treatment_level}
    header.pop("endpoint", None)
    return _with_header(out, header)
