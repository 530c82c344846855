"""The one place that names node labels, relations, identifier rules and properties.

The schema is data: every store (networkx, LadybugDB, Neo4j, RDF), loader, query and UI page reads
these tables instead of restating them. A node has exactly one label and a string ``id`` that is a
CURIE; every node and edge carries ``source`` and ``source_version`` (provenance) besides the
properties declared here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

SCHEMA_VERSION = "1.0"


class Label(StrEnum):
    GENE = "Gene"
    ALTERATION = "Alteration"
    DRUG = "Drug"
    REGIMEN = "Regimen"
    TUMOUR_TYPE = "TumourType"
    DISEASE = "Disease"
    TRIAL = "Trial"
    COHORT = "Cohort"
    RESULT = "Result"
    EVIDENCE = "Evidence"
    PUBLICATION = "Publication"


class Rel(StrEnum):
    IN_GENE = "IN_GENE"
    IS_A = "IS_A"
    TARGETS = "TARGETS"
    INCLUDES = "INCLUDES"
    PART_OF = "PART_OF"
    TESTS = "TESTS"
    SELECTS = "SELECTS"
    ENROLS = "ENROLS"
    STRATUM_OF = "STRATUM_OF"
    OF = "OF"
    SUPERSEDES = "SUPERSEDES"
    REPORTED_IN = "REPORTED_IN"
    FOR_ALTERATION = "FOR_ALTERATION"
    FOR_REGIMEN = "FOR_REGIMEN"
    IN_TUMOUR = "IN_TUMOUR"
    IN_DISEASE = "IN_DISEASE"
    MAPS_TO = "MAPS_TO"
    CONTAINS_PATIENTS_OF = "CONTAINS_PATIENTS_OF"
    SHARES_PATIENTS_WITH = "SHARES_PATIENTS_WITH"


# Property value types. Stores translate them (LadybugDB STRING/INT64/DOUBLE/BOOLEAN, XSD in RDF).
STR, INT, FLOAT, BOOL = "string", "int", "float", "bool"

#: Properties every node and edge carries. A node's ``source`` is ``a;b`` when several sources
#: describe it and its ``source_version`` is ``a=<release>;b=<release>`` (one pair per source,
#: same order; kg.build.merge_nodes); an edge has one source and its release.
PROVENANCE = {"source": STR, "source_version": STR}


@dataclass(frozen=True)
class NodeClass:
    label: Label
    id_prefixes: tuple[str, ...]
    biolink: str
    properties: dict[str, str]
    description: str


@dataclass(frozen=True)
class RelClass:
    rel: Rel
    pairs: tuple[tuple[Label, Label], ...]
    description: str
    properties: dict[str, str] = field(default_factory=dict)


NODE_CLASSES: dict[Label, NodeClass] = {
    c.label: c
    for c in [
        NodeClass(
            Label.GENE, ("HGNC", "gene"), "biolink:Gene",
            {"name": STR, "symbol": STR, "entrez": STR},
            "A human gene; id HGNC:<n> (gene:<symbol> only when HGNC has no entry).",
        ),
        NodeClass(
            Label.ALTERATION, ("alt",), "biolink:SequenceVariant",
            {"name": STR, "gene": STR, "kind": STR, "level": STR, "protein_change": STR,
             "hgvs_p": STR},
            "A biomarker at some level of the alteration hierarchy (variant … gene, signature).",
        ),
        NodeClass(
            Label.DRUG, ("NCIT", "drug"), "biolink:Drug",
            {"name": STR, "drug_class": STR, "drug_classes": STR, "rxnorm": STR,
             "synonyms": STR},
            "A single agent; id NCIT:<code> when known, else drug:<normalised name>. "
            "drug_class is its primary class, drug_classes all its classes (;-joined, sorted).",
        ),
        NodeClass(
            Label.REGIMEN, ("regimen",), "biolink:Treatment",
            {"name": STR, "drug_classes": STR, "n_drugs": INT},
            "One drug or a combination given together; id regimen:<sorted member drug ids>. "
            "drug_classes: every class of every member (;-joined, sorted).",
        ),
        NodeClass(
            Label.TUMOUR_TYPE, ("oncotree",), "biolink:Disease",
            {"name": STR, "main_type": STR, "tissue": STR, "level": INT, "nci": STR,
             "umls": STR, "history": STR, "precursors": STR, "revocations": STR,
             "icdo_topography": STR, "icdo_morphology": STR, "hemonc": STR},
            "An OncoTree node; oncotree:TISSUE is the root (any tumour type).",
        ),
        NodeClass(
            Label.DISEASE, ("DOID",), "biolink:Disease",
            {"name": STR, "nci": STR, "mapping_precision": STR, "alt_ids": STR,
             "umls": STR, "oncotree": STR},
            "A Disease Ontology term used by evidence, mapped to OncoTree through MAPS_TO.",
        ),
        NodeClass(
            Label.TRIAL, ("trial",), "biolink:ClinicalTrial",
            {"name": STR, "registry_ids": STR, "country": STR, "design": STR},
            "A trial, programme or pooled analysis.",
        ),
        NodeClass(
            Label.COHORT, ("cohort",), "biolink:Cohort",
            {"name": STR, "biomarker": STR, "tumour_type_published": STR, "design": STR,
             "status": STR, "source_url": STR, "private": BOOL},
            "A drug x alteration x tumour-type arm or a per-histology stratum of one.",
        ),
        NodeClass(
            Label.RESULT, ("result",), "biolink:Study",
            {"name": STR, "analysis": STR, "analysis_kind": STR, "year": INT,
             "n_enrolled": INT, "n_evaluable": INT, "n_response": INT, "n_benefit": INT,
             "benefit_definition": STR, "orr_pct": FLOAT, "cbr_pct": FLOAT,
             "orr_ci_low": FLOAT, "orr_ci_high": FLOAT, "median_pfs_months": FLOAT,
             "response_criterion": STR, "benefit_kind": STR, "benefit_weeks": INT,
             "ci_level": FLOAT,
             "median_os_months": FLOAT, "outcome_call": STR, "confidence": STR,
             "citation": STR, "source_url": STR, "locator": STR, "note": STR,
             "source_file": STR, "source_row": INT, "private": BOOL},
            "One published report of a cohort (interim, final, pooled …).",
        ),
        NodeClass(
            Label.EVIDENCE, ("civic.eid", "civic.aid", "moa", "cgi"),
            "biolink:InformationContentEntity",
            {"name": STR, "source_level": STR, "common_tier": STR, "evidence_type": STR,
             "direction": STR, "significance": STR, "rating": INT, "nct_ids": STR,
             "statement": STR, "disease_name": STR, "mapping_precision": STR, "year": INT},
            "A knowledgebase evidence item or assertion.",
        ),
        NodeClass(
            Label.PUBLICATION, ("pubmed", "doi", "url"), "biolink:Publication",
            {"name": STR, "year": INT, "url": STR},
            "A cited source.",
        ),
    ]
}

L = Label
REL_CLASSES: dict[Rel, RelClass] = {
    c.rel: c
    for c in [
        RelClass(Rel.IN_GENE, ((L.ALTERATION, L.GENE),), "alteration sits in gene"),
        RelClass(Rel.IS_A, ((L.ALTERATION, L.ALTERATION), (L.TUMOUR_TYPE, L.TUMOUR_TYPE),
                            (L.DISEASE, L.DISEASE)), "child is a kind of parent"),
        RelClass(Rel.TARGETS, ((L.DRUG, L.GENE),), "drug acts on the gene product",
                 {"drug_classes": STR}),
        RelClass(Rel.INCLUDES, ((L.REGIMEN, L.DRUG),), "regimen contains drug"),
        RelClass(Rel.PART_OF, ((L.COHORT, L.TRIAL),), "cohort belongs to trial"),
        RelClass(Rel.TESTS, ((L.COHORT, L.REGIMEN),), "cohort gives regimen"),
        RelClass(Rel.SELECTS, ((L.COHORT, L.ALTERATION),), "cohort enrols carriers"),
        RelClass(Rel.ENROLS, ((L.COHORT, L.TUMOUR_TYPE),), "cohort enrols tumour type"),
        RelClass(Rel.STRATUM_OF, ((L.COHORT, L.COHORT),), "per-histology part of an arm"),
        RelClass(Rel.OF, ((L.RESULT, L.COHORT),), "report of cohort"),
        RelClass(Rel.SUPERSEDES, ((L.RESULT, L.RESULT),), "later report of the same patients"),
        RelClass(Rel.REPORTED_IN, ((L.RESULT, L.PUBLICATION), (L.EVIDENCE, L.PUBLICATION)),
                 "statement cited from publication"),
        RelClass(Rel.FOR_ALTERATION, ((L.EVIDENCE, L.ALTERATION),), "evidence about alteration"),
        RelClass(Rel.FOR_REGIMEN, ((L.EVIDENCE, L.REGIMEN),), "evidence about regimen"),
        RelClass(Rel.IN_TUMOUR, ((L.EVIDENCE, L.TUMOUR_TYPE),), "evidence in tumour type",
                 {"mapping_precision": STR}),
        RelClass(Rel.IN_DISEASE, ((L.EVIDENCE, L.DISEASE),), "evidence in disease as curated"),
        RelClass(Rel.MAPS_TO, ((L.DISEASE, L.TUMOUR_TYPE),), "disease mapped to OncoTree",
                 {"mapping_precision": STR}),
        RelClass(Rel.CONTAINS_PATIENTS_OF, ((L.COHORT, L.COHORT),),
                 "every patient of the other cohort is among this cohort's (across cohort ids)",
                 {"citation": STR, "note": STR}),
        RelClass(Rel.SHARES_PATIENTS_WITH, ((L.COHORT, L.COHORT),),
                 "some patients are in both cohorts (symmetric; stored once)",
                 {"citation": STR, "note": STR}),
    ]
}

#: Patient overlap across cohort ids, as written in data/overlaps.csv (`relation` column).
#: Within one cohort id, SUPERSEDES says which reports repeat the same patients, and STRATUM_OF
#: already says a stratum's patients are part of its arm: overlap rows never restate those.
OVERLAP_RELATIONS: dict[str, Rel] = {
    "contains": Rel.CONTAINS_PATIENTS_OF,
    "overlaps": Rel.SHARES_PATIENTS_WITH,
}

#: How a report counted its responders (`response_criterion` of cohorts.csv; Result property).
#: composite = e.g. RECIST response or PSA fall or CTC conversion (TOPARP-A); minor-response =
#: complete + partial + minor responses (RANO-LGG/RAPNO-LGG, NANT); haematologic = blood-cancer
#: response by counts, marrow or cytogenetics (HCL, AML, myeloma, FGFR1 myeloid/lymphoid
#: neoplasms); IWG = International Working Group criteria, named as such (e.g. revised lymphoma
#: criteria); not-stated = the source reports an objective response rate without naming criteria.
RESPONSE_CRITERIA = ("RECIST", "RANO", "RAPNO", "IWG", "PCWG", "composite",
                     "clinical-complete-response", "pathological", "haematologic",
                     "minor-response", "other", "not-stated")
#: Criteria whose counts are objective response in the usual sense and may be pooled as ORR.
#: not-stated is included: a solid-tumour "objective response rate" given without naming
#: criteria is, by reporting convention, RECIST-type response (CR + PR); leaving it out would drop
#: most of the basket literature. Every other criterion is kept, labelled and left out of ORR
#: pooling by default.
STANDARD_RESPONSE_CRITERIA = frozenset({"RECIST", "RANO", "RAPNO", "IWG", "not-stated"})
#: What a benefit figure counts (`benefit_kind`); its window is `benefit_weeks`.
#: clinical-benefit = objective response or stable disease lasting >= the window;
#: disease-control = response or stable disease at a time point; pfs-rate = alive and
#: progression-free at a time point; other = a benefit rate whose definition the source omits.
BENEFIT_KINDS = ("clinical-benefit", "disease-control", "pfs-rate", "other")
#: Confidence level of a published interval (`ci_level`): most report 95%; NCI-MATCH and some
#: phase 2 designs report 90%, TBCRC 048 reports 80%.
CI_LEVELS = (0.80, 0.90, 0.95)

# ---------------------------------------------------------------- identifier rules
_SLUG = re.compile(r"[^A-Za-z0-9._+-]+")


def slug(text: str) -> str:
    """Lower-case, URL-safe fragment used inside CURIE local ids."""
    return _SLUG.sub("-", text.strip().lower()).strip("-.:")


def gene_id(hgnc_id: str | None, symbol: str) -> str:
    return hgnc_id if hgnc_id else f"gene:{symbol}"


def alteration_id(key: str) -> str:
    return f"alt:{key}"


def drug_id(ncit: str | None, name: str) -> str:
    return f"NCIT:{ncit}" if ncit else f"drug:{slug(name)}"


def regimen_id(drug_ids: list[str]) -> str:
    return "regimen:" + "+".join(sorted(set(drug_ids)))


def tumour_type_id(code: str) -> str:
    return f"oncotree:{code}"


def trial_id(key: str) -> str:
    return f"trial:{key}"


def cohort_id(key: str) -> str:
    return f"cohort:{key}"


def result_id(key: str) -> str:
    return f"result:{key}"


def publication_id(citation: str) -> str:
    """`doi:10.x/y` and `pubmed:123` are kept; anything else is treated as a URL."""
    c = citation.strip()
    low = c.lower()
    if low.startswith(("doi:", "pubmed:", "pmid:")):
        prefix, _, local = c.partition(":")
        prefix = "pubmed" if prefix.lower() in ("pubmed", "pmid") else "doi"
        return f"{prefix}:{local.strip()}"
    return f"url:{c}"


ROOT_TUMOUR = tumour_type_id("TISSUE")


def prefix_of(curie: str) -> str:
    return curie.split(":", 1)[0]


def label_for_id(curie: str) -> Label | None:
    """The label an id's prefix implies (None when several labels share it)."""
    owners = [c.label for c in NODE_CLASSES.values() if prefix_of(curie) in c.id_prefixes]
    return owners[0] if len(owners) == 1 else None


def check_schema() -> list[str]:
    """Invariants of the schema itself (tested): returns a list of problems, empty when sound."""
    problems: list[str] = []
    seen: dict[str, Label] = {}
    for cls in NODE_CLASSES.values():
        for p in cls.id_prefixes:
            if p in seen:
                problems.append(f"prefix {p} used by {seen[p]} and {cls.label}")
            seen[p] = cls.label
        clash = set(cls.properties) & (set(PROVENANCE) | {"id"})
        if clash:
            problems.append(f"{cls.label} redeclares reserved properties {clash}")
    for rc in REL_CLASSES.values():
        for a, b in rc.pairs:
            if a not in NODE_CLASSES or b not in NODE_CLASSES:
                problems.append(f"{rc.rel} names an unknown label")
    return problems

#: Response criteria whose responses count as objective response (ORR analyses). "not-stated":
#: an objective response rate reported without naming its criterion.
STANDARD_RESPONSE_CRITERIA = ("RECIST", "RANO", "RAPNO", "IWG", "not-stated")
