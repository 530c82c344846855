"""What a reader asks for: gene, alteration, treatment, tumour type, tier, source.

``resolve`` turns what a user types (``BRAF:V600E``, ``sotorasib``, ``COADREAD``, a drug class)
into graph ids, listing every unknown value at once. ``filter_rows`` keeps the rows of the
evidence table or of any analysis's output that match, and says how each matched: a patient's
BRAF V600E is an *exact* match for a V600E cohort, a *broader alteration* for a cohort that
selects any BRAF V600, and a *narrower* one for a query of BRAF V600 against a V600E cohort.
One rule for every caller (``kg evidence``, ``kg query … --gene``, ``kg profile``, the UI).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

import pandas as pd

from kg.artefact import Artefact
from kg.schema import Label, Rel
from queries.cohorts import cohort_frame
from queries.hierarchy import ancestors, hierarchy, tumour_groups
from queries.params import QueryParameterError

#: The counts an analysis appends to a histology's name ("Colorectal Cancer 2/10 post=0.28").
_COUNTS = re.compile(r"\s+\d+/\d+(\s+post=\S+)?$")
EXACT, BROADER, NARROWER, SUBTYPE = "exact", "broader alteration", "narrower alteration", \
    "sub-type"


@dataclass(frozen=True)
class Selection:
    """Resolved filters (graph ids, or names for classes, tiers and sources); empty = any."""

    genes: tuple[str, ...] = ()
    alterations: tuple[str, ...] = ()
    regimens: tuple[str, ...] = ()  # drugs and regimens resolve to the regimens they are in
    drug_classes: tuple[str, ...] = ()
    treatment_names: tuple[str, ...] = ()  # drug/regimen names, for analyses grouped by name
    tumour_types: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    trials: tuple[str, ...] = ()
    broader: bool = True  # an alteration also finds cohorts that select a broader one

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self) if f.name != "broader")


def _lookup(art: Artefact, label: Label, value: str, prefixes: tuple[str, ...]) -> list[str]:
    """Ids of ``label`` nodes whose id (with or without a prefix) or name is ``value``."""
    nodes = art.nodes(label)
    wanted = value.strip().lower()
    ids = nodes["id"].astype(str)
    candidates = {wanted, *(f"{p}{wanted}" for p in prefixes)}
    hit = ids.str.lower().isin(candidates) | (nodes["name"].fillna("").str.lower() == wanted)
    if label == Label.GENE:
        hit |= nodes["symbol"].fillna("").str.lower() == wanted
    return list(dict.fromkeys(ids[hit].tolist()))


def resolve(art: Artefact, *, gene: list[str] = (), alteration: list[str] = (),
            drug: list[str] = (), regimen: list[str] = (), drug_class: list[str] = (),
            tumour_type: list[str] = (), tier: list[str] = (), source: list[str] = (),
            trial: list[str] = (), broader: bool = True) -> Selection:
    """Ids for what the user typed; one QueryParameterError naming every unknown value."""
    unknown: list[str] = []

    def ids(kind: str, label: Label, values, prefixes: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for v in values:
            found = _lookup(art, label, v, prefixes)
            if not found:
                unknown.append(f"{kind} '{v}'")
            out += found
        return out

    genes = ids("gene", Label.GENE, gene, ())
    symbols = tuple(art.nodes(Label.GENE).set_index("id").loc[genes, "symbol"].dropna()) \
        if genes else ()
    alts = ids("alteration", Label.ALTERATION, alteration, ("alt:",))
    drugs = ids("drug", Label.DRUG, drug, ())
    regs = ids("regimen", Label.REGIMEN, regimen, ("regimen:",))
    tumours = ids("tumour type", Label.TUMOUR_TYPE, tumour_type, ("oncotree:",))
    trials = ids("trial", Label.TRIAL, trial, ("trial:",))
    known_classes = _drug_classes(art)
    classes = []
    for c in drug_class:
        match = [k for k in known_classes if k.lower() == c.strip().lower()]
        if not match:
            unknown.append(f"drug class '{c}'")
        classes += match
    if unknown:
        raise QueryParameterError("not in the graph: " + "; ".join(unknown)
                                  + " (kg show <name> suggests ids)")
    inc = art.edges(Rel.INCLUDES)
    regimens = set(regs) | set(inc.loc[inc["dst"].isin(drugs), "src"])
    names = art.all_nodes["name"]
    return Selection(
        genes=tuple(s.upper() for s in symbols), alterations=tuple(alts),
        regimens=tuple(sorted(regimens)), drug_classes=tuple(classes),
        treatment_names=tuple(str(names.get(i, i)) for i in [*drugs, *regs]),
        tumour_types=tuple(tumours), tiers=tuple(tier), sources=tuple(source),
        trials=tuple(trials), broader=broader)


def _drug_classes(art: Artefact) -> list[str]:
    reg = art.nodes(Label.REGIMEN)["drug_classes"].dropna().astype(str)
    drugs = art.nodes(Label.DRUG)["drug_class"].dropna().astype(str)
    return sorted({c for s in reg for c in s.split(";") if c} | set(drugs))


# ------------------------------------------------------------------ how a row matches
def alteration_match(art: Artefact, values: pd.Series, wanted: tuple[str, ...],
                     broader: bool = True) -> pd.Series:
    """Per row: 'exact', 'narrower alteration (…)', 'broader alteration (…)' or None."""
    dag = hierarchy(art, Label.ALTERATION)
    names = art.all_nodes["name"]
    wanted_chains = {w: set(ancestors(dag, w)) for w in wanted}

    def one(x: object) -> str | None:
        if x is None or pd.isna(x):
            return None
        x = str(x)
        for w, above in wanted_chains.items():
            if x == w:
                return EXACT
            if w in ancestors(dag, x):
                return f"{NARROWER} ({names.get(x, x)})"
            if broader and x in above:
                return f"{BROADER} ({names.get(x, x)})"
        return None

    cache: dict = {}
    return pd.Series([cache.setdefault(v, one(v)) for v in values.tolist()], index=values.index,
                     dtype=object)


def tumour_match(art: Artefact, values: pd.Series, wanted: tuple[str, ...]) -> pd.Series:
    """Per row: 'exact', 'sub-type (…)' or None (tumour-type ids)."""
    dag = hierarchy(art, Label.TUMOUR_TYPE)
    names = art.all_nodes["name"]

    def one(x: object) -> str | None:
        if x is None or pd.isna(x):
            return None
        chain = ancestors(dag, str(x))
        for w in wanted:
            if str(x) == w:
                return EXACT
            if w in chain:
                return f"{SUBTYPE} ({names.get(str(x), x)})"
        return None

    cache: dict = {}
    return pd.Series([cache.setdefault(v, one(v)) for v in values.tolist()], index=values.index,
                     dtype=object)


# ------------------------------------------------------------------ filtering any frame
def _split(text: object, sep: str) -> set[str]:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return set()
    return {p.strip().lower() for p in str(text).split(sep) if p.strip()}


def filter_rows(art: Artefact, df: pd.DataFrame, sel: Selection) -> pd.DataFrame:
    """Rows of ``df`` (the evidence table or an analysis's output) matching every filter.

    Works on whichever columns the frame has: ids (``alteration``, ``tumour_type``,
    ``regimen``, ``trial``), a ``cohort`` id (looked up in queries.cohorts), or an analysis's
    group keys (``alteration_group``, ``histology`` at the header's tumour level,
    ``treatment_group``). Adds ``alteration_match`` / ``tumour_match`` saying how each row
    matched. The header (``attrs``) is kept and names the filters."""
    header = dict(df.attrs.get("header", {}))
    if sel.is_empty() or df.empty:
        return df
    work = df.copy()
    if "cohort" in work.columns and "alteration" not in work.columns:
        c = cohort_frame(art).set_index("cohort")
        for col in ("alteration", "tumour_type", "regimen", "trial"):
            if col not in work.columns:
                work[col] = work["cohort"].map(c[col])
    keep = pd.Series(True, index=work.index)
    alt_col = next((c for c in ("alteration", "alteration_group") if c in work.columns), None)
    if (sel.alterations or sel.genes) and alt_col is None:
        raise QueryParameterError("this output has no alteration to filter on")
    if sel.alterations:
        work["alteration_match"] = alteration_match(art, work[alt_col], sel.alterations,
                                                    sel.broader)
        keep &= work["alteration_match"].notna()
    if sel.genes:
        gene = work[alt_col].map(art.nodes(Label.ALTERATION).set_index("id")["gene"])
        keep &= gene.fillna("").astype(str).str.upper().isin(sel.genes)
    if sel.tumour_types:
        keep &= _tumour_keep(art, work, sel, header)
    if sel.regimens or sel.drug_classes:
        keep &= _treatment_keep(art, work, sel, header)
    if sel.trials and "trial" in work.columns:
        keep &= work["trial"].isin(sel.trials)
    if sel.tiers:
        col = next((c for c in ("tier", "evidence_tier") if c in work.columns), None)
        if col is None:
            raise QueryParameterError("this output has no evidence tier to filter on")
        keep &= work[col].fillna("").astype(str).str.lower().isin(
            {t.lower() for t in sel.tiers})
    if sel.sources:
        col = next((c for c in ("origin", "source", "sources") if c in work.columns), None)
        if col is None:
            raise QueryParameterError("this output has no source to filter on")
        wanted = {s.lower() for s in sel.sources}
        keep &= work[col].map(lambda v: any(
            w in part for part in _split(v, ";") for w in wanted)).astype(bool)
    out = work[keep].reset_index(drop=True)
    extra = [c for c in out.columns if c not in df.columns
             and c not in ("alteration_match", "tumour_match")]
    out = out.drop(columns=extra)
    out.attrs["header"] = header | {"filters": describe(art, sel)}
    return out


def _tumour_keep(art: Artefact, work: pd.DataFrame, sel: Selection, header: dict) -> pd.Series:
    if "tumour_type" in work.columns:
        work["tumour_match"] = tumour_match(art, work["tumour_type"], sel.tumour_types)
        return work["tumour_match"].notna()
    groups = tumour_groups(art, header.get("tumour_level", "main_type"))
    dag = hierarchy(art, Label.TUMOUR_TYPE)
    covered = {t for t in groups.index
               if any(w in ancestors(dag, t) for w in sel.tumour_types)}
    keys = set(groups.loc[list(covered), "histology"])
    names = set(groups.loc[list(covered), "histology_name"])
    if "histology" in work.columns:
        return work["histology"].isin(keys)
    if "histologies" in work.columns:  # one row per group: tested in one of these histologies
        return work["histologies"].map(lambda s: any(
            _COUNTS.sub("", part) in names for part in _split_keep_case(s)))
    raise QueryParameterError("this output has no tumour type to filter on")


def _split_keep_case(text: object) -> list[str]:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return [p.strip() for p in str(text).split(";") if p.strip()]


def _treatment_keep(art: Artefact, work: pd.DataFrame, sel: Selection, header: dict
                    ) -> pd.Series:
    classes = {c.lower() for c in sel.drug_classes}
    reg = art.nodes(Label.REGIMEN).set_index("id")
    def by_regimen(ids: pd.Series) -> pd.Series:
        keep = pd.Series(False, index=work.index)
        if sel.regimens:
            keep |= ids.isin(sel.regimens)
        if classes:
            keep |= ids.map(reg["drug_classes"]).map(lambda s: bool(_split(s, ";") & classes))
        return keep

    if "regimen" in work.columns:
        return by_regimen(work["regimen"])
    if "treatment_group" in work.columns:
        level = header.get("treatment_level", "drug_class")
        if level == "regimen":
            return by_regimen(work["treatment_group"])
        keep = pd.Series(False, index=work.index)
        wanted = set(classes)
        if sel.regimens:  # a drug or regimen selects the groups of its classes
            all_names = art.all_nodes["name"]
            names = {str(all_names.get(r, r)).lower() for r in sel.regimens}
            regs_col = work["regimens"] if "regimens" in work.columns else None
            if regs_col is not None:
                keep |= regs_col.map(lambda s: bool(_split(s, ";") & names))
            else:
                for r in sel.regimens:
                    wanted |= _split(reg["drug_classes"].get(r), ";")
        keep |= work["treatment_group"].map(lambda s: bool(_split(s, " + ") & wanted))
        return keep
    raise QueryParameterError("this output has no treatment to filter on")


def describe(art: Artefact, sel: Selection) -> str:
    """The filters in words, for headers."""
    names = art.all_nodes["name"]
    parts = []
    for label, values in (("gene", sel.genes), ("alteration", sel.alterations),
                          ("treatment", sel.treatment_names), ("drug class", sel.drug_classes),
                          ("tumour type", sel.tumour_types), ("tier", sel.tiers),
                          ("source", sel.sources), ("trial", sel.trials)):
        if values:
            shown = [str(names.get(v, v)) if label in ("alteration", "tumour type", "trial")
                     else v for v in values]
            parts.append(f"{label}: {', '.join(shown)}")
    if sel.alterations:
        parts.append("broader alterations " + ("included" if sel.broader else "left out"))
    return "; ".join(parts)
