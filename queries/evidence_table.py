"""One table of everything the graph says about a (treatment, alteration, tumour type):
published cohort reports and knowledgebase evidence (CIViC, CGI, MOAlmanac), each row traceable.

Used by ``kg evidence``, ``kg profile`` and the UI's evidence browser. The as_of rules are the
analyses' own: reports through queries.cohorts, evidence years through queries.evidence.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from kg.artefact import Artefact
from kg.links import first_nct, link_for
from kg.schema import Label, Rel
from kg.stores.selection import private_label
from queries.cohorts import cohort_frame, current_results, report_frame
from queries.estimates import clopper_pearson_many
from queries.evidence import evidence_years

COHORT_TIER = "trial cohort"
COHORT_KIND = "cohort report"
EVIDENCE_KIND = "knowledgebase evidence"

#: Shown columns first; the ids the filters use are kept at the end.
EVIDENCE_COLUMNS = [
    "kind", "id", "name", "origin", "trial_name", "gene", "alteration_name", "regimen_name",
    "drug_classes", "tumour_type_name", "tier", "direction", "year", "n_evaluable",
    "n_response", "n_benefit", "orr", "orr_ci_low", "orr_ci_high", "outcome", "publication",
    "publication_link", "nct", "nct_link", "record_link", "source_file", "source_row",
    "trial", "alteration", "regimen", "tumour_type", "private",
]
ID_COLUMNS = ["trial", "alteration", "regimen", "tumour_type"]


def gene_symbols(art: Artefact) -> pd.Series:
    """Alteration id → gene symbol (IN_GENE), for the gene filter and the table."""
    e = art.edges(Rel.IN_GENE).drop_duplicates("src")
    genes = art.nodes(Label.GENE).set_index("id")
    symbol = genes["symbol"].fillna(genes["name"])
    return e.set_index("src")["dst"].map(symbol)


def _regimen_classes(art: Artefact) -> pd.Series:
    reg = art.nodes(Label.REGIMEN).set_index("id")["drug_classes"]
    return reg.fillna("").astype(str).str.replace(";", " + ", regex=False)


def cohort_rows(art: Artefact, as_of: int | None, current_only: bool = True) -> pd.DataFrame:
    """Cohort reports (the current one per cohort by default) in the evidence-table shape."""
    if current_only:
        df, _ = current_results(art, as_of)
    else:
        reports = report_frame(art)
        if as_of is not None:
            reports = reports[reports["year"].notna() & (reports["year"] <= as_of)]
        df = cohort_frame(art).merge(reports.drop(columns=["name", "private"]), on="cohort")
    trials = art.nodes(Label.TRIAL).set_index("id")["registry_ids"]
    low, high = clopper_pearson_many(df["n_response"], df["n_evaluable"])
    n = pd.to_numeric(df["n_evaluable"], errors="coerce").astype(float)
    out = pd.DataFrame({
        "kind": COHORT_KIND, "id": df["result"], "name": df["arm"],
        "origin": [private_label(s, p) for s, p in
                   zip(df["result_source"], df["private"], strict=True)],
        "trial_name": df["trial_name"], "gene": df["alteration"].map(gene_symbols(art)),
        "alteration_name": df["alteration_name"], "regimen_name": df["regimen_name"],
        "drug_classes": df["regimen"].map(_regimen_classes(art)),
        "tumour_type_name": df["tumour_type_name"], "tier": COHORT_TIER,
        "direction": pd.NA, "year": df["year"], "n_evaluable": df["n_evaluable"],
        "n_response": df["n_response"], "n_benefit": df["n_benefit"],
        "orr": pd.to_numeric(df["n_response"], errors="coerce").astype(float) / n.where(n > 0),
        "orr_ci_low": low, "orr_ci_high": high, "outcome": df["outcome_call"],
        "publication": df["citation"], "nct": df["trial"].map(trials).map(first_nct),
        "record_link": df["source_url"], "source_file": df["source_file"],
        "source_row": df["source_row"], "trial": df["trial"], "alteration": df["alteration"],
        "regimen": df["regimen"], "tumour_type": df["tumour_type"],
        "private": df["private"].fillna(False).astype(bool),
    })
    return out


def knowledgebase_rows(art: Artefact, as_of: int | None) -> pd.DataFrame:
    """Evidence items, one row per (evidence, alteration, regimen, tumour type) they name."""
    ev = art.nodes(Label.EVIDENCE)
    ev = ev.assign(year=ev["id"].map(evidence_years(art)))
    if as_of is not None:
        ev = ev[ev["year"].notna() & (ev["year"] <= as_of)]
    if ev.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    df = ev.rename(columns={"source": "evidence_source"})
    for rel, name in ((Rel.FOR_ALTERATION, "alteration"), (Rel.FOR_REGIMEN, "regimen"),
                      (Rel.IN_TUMOUR, "tumour_type"), (Rel.REPORTED_IN, "publication")):
        e = art.edges(rel)[["src", "dst"]].rename(columns={"src": "id", "dst": name})
        df = df.merge(e, on="id", how="left")
    names = art.all_nodes["name"]
    return pd.DataFrame({
        "kind": EVIDENCE_KIND, "id": df["id"], "name": df["name"],
        "origin": df["evidence_source"].astype("string"), "trial_name": pd.NA,
        "gene": df["alteration"].map(gene_symbols(art)),
        "alteration_name": df["alteration"].map(names), "regimen_name": df["regimen"].map(names),
        "drug_classes": df["regimen"].map(_regimen_classes(art)),
        "tumour_type_name": df["tumour_type"].map(names).fillna(df["disease_name"]),
        "tier": df["common_tier"], "direction": df["direction"], "year": df["year"],
        "n_evaluable": pd.NA, "n_response": pd.NA, "n_benefit": pd.NA,
        "orr": float("nan"), "orr_ci_low": float("nan"), "orr_ci_high": float("nan"),
        "outcome": df["significance"], "publication": df["publication"],
        "nct": df["nct_ids"].map(first_nct), "record_link": df["id"].map(link_for),
        "source_file": pd.NA, "source_row": pd.NA, "trial": pd.NA,
        "alteration": df["alteration"], "regimen": df["regimen"],
        "tumour_type": df["tumour_type"], "private": False,
    })


def evidence_table(art: Artefact, as_of: int | None = None, current_only: bool = True
                   ) -> pd.DataFrame:
    """Cohort reports and knowledgebase evidence with links; a committee's own rows first
    (they are what its members come to check)."""
    frames = [f for f in (cohort_rows(art, as_of, current_only), knowledgebase_rows(art, as_of))
              if not f.empty]
    if not frames:
        table = pd.DataFrame(columns=EVIDENCE_COLUMNS)
    else:
        # An item with several publications is one row (its first publication is linked).
        table = pd.concat(frames, ignore_index=True).drop_duplicates(ID_COLUMNS[1:] + ["id"])
        table = table.assign(publication_link=table["publication"].map(link_for),
                             nct_link=table["nct"].map(link_for))[EVIDENCE_COLUMNS]
        table = table.sort_values(["private", "kind", "id"], ascending=[False, True, True],
                                  ignore_index=True)
    table.attrs["header"] = as_of_header(art, as_of)
    return table


def as_of_header(art: Artefact, as_of: int | None) -> dict:
    """What an as_of view leaves out: reports (queries.cohorts) and knowledgebase items."""
    _, header = current_results(art, as_of)
    years = evidence_years(art)
    header["evidence_excluded_no_year"] = int(years.isna().sum()) if as_of is not None else 0
    header["evidence_excluded_after_as_of"] = (int((years > as_of).fillna(False).sum())
                                               if as_of is not None else 0)
    return header


def as_of_note(header: dict) -> str:
    """One sentence saying what an as_of run left out, so nothing is silently dropped."""
    if header.get("as_of") is None:
        return "All reports known to the graph."
    note = (f"As of {header['as_of']}: {header['excluded_after_as_of']} later report(s) and "
            f"{header['excluded_no_year']} report(s) without a year were left out.")
    if "evidence_excluded_no_year" in header:
        note += (f" Knowledgebase items left out: {header['evidence_excluded_after_as_of']} "
                 f"later, {header['evidence_excluded_no_year']} without a year.")
    return note


def split_ids(text: object) -> list[str]:
    """Ids from a ``;``-joined cell (an analysis's supporting rows)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return [x.strip() for x in str(text).split(";") if x.strip()]


def rationale_rows(table: pd.DataFrame, ids: Iterable[str]) -> pd.DataFrame:
    """The evidence-table rows behind a proposal (result and evidence ids), in the given order.
    An id the table does not hold (a derived remainder unit) is listed as 'not found'."""
    found = table.drop_duplicates("id").set_index("id")
    rows = []
    for i in dict.fromkeys(i for i in ids if i):
        rows.append(found.loc[i].to_dict() | {"id": i} if i in found.index
                    else {"id": i, "kind": "not found"})
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS).drop(columns=ID_COLUMNS)
