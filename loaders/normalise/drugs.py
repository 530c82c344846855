"""Drug names → NCIt-keyed drug ids, and drug lists → regimens (same ids as loaders/curated.py).

CIViC writes ``Imatinib Mesylate``, MOAlmanac ``Imatinib``, a trial paper ``Gleevec``: the name is
lower-cased, salts and hydrates are stripped, brand names are mapped to the generic through the
synonyms of data/drugs.csv, and the NCIt code is looked up in the curated table first, then in
MOAlmanac's therapy crosswalk (read at build time when present). Without a code the id is
``drug:<normalised name>`` (kg.schema.drug_id), never a guessed code. A drug's classes come from
data/drug_classes.csv beside the drug table (loaders/drug_classes.py), so Drug and Regimen nodes
carry the same ``drug_classes`` whichever source emits them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg import schema as S
from kg.schema import Label, Rel
from loaders.drug_classes import FILE as CLASSES_FILE
from loaders.drug_classes import class_sets, joined

#: counter-ions and forms that do not change the active drug
SALTS = (
    "mesylate", "dimesylate", "bismesylate", "hydrochloride", "dihydrochloride", "hcl",
    "tosylate", "ditosylate", "maleate", "sulfate", "sulphate", "citrate", "phosphate",
    "malate", "s-malate", "besylate", "acetate", "sodium", "potassium", "calcium", "tartrate",
    "fumarate", "succinate", "hydrobromide", "monohydrate", "hydrate", "dimethyl sulfoxide",
    "camsylate", "lactate", "esylate", "free base",
)
_SALT = re.compile(r"\s+(?:" + "|".join(re.escape(s) for s in sorted(SALTS, key=len,
                                                                       reverse=True)) + r")$")


def normalise_name(name: str) -> str:
    """Lower case, single spaces, no salt suffix: ``Imatinib Mesylate`` → ``imatinib``."""
    n = re.sub(r"\s+", " ", name.strip().lower())
    n = re.sub(r"\s*\((?:[^)]*)\)$", "", n) if not n.startswith("(") else n
    while True:
        stripped = _SALT.sub("", n)
        if stripped == n or not stripped:
            return n
        n = stripped


@dataclass
class DrugInfo:
    name: str  # normalised generic name
    ncit: str | None = None
    rxnorm: str | None = None
    drug_class: str | None = None  # primary class
    synonyms: set[str] = field(default_factory=set)
    other_classes: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return S.drug_id(self.ncit, self.name)

    @property
    def classes(self) -> set[str]:
        """Every class of the drug, the primary one included."""
        return self.other_classes | ({self.drug_class} if self.drug_class else set())

    def props(self) -> dict[str, str | None]:
        return {"name": self.name, "drug_class": self.drug_class,
                "drug_classes": joined(self.classes), "rxnorm": self.rxnorm,
                "synonyms": ";".join(sorted(self.synonyms)) or None}


class DrugNormaliser:
    """Name → DrugInfo from the curated table and MOAlmanac's crosswalk (either may be absent)."""

    def __init__(self) -> None:
        self._by_name: dict[str, DrugInfo] = {}
        self._by_ncit: dict[str, DrugInfo] = {}

    @classmethod
    def from_files(cls, curated_drugs: Path | None = None,
                   therapy_crosswalk: Path | None = None) -> DrugNormaliser:
        self = cls()
        if curated_drugs and curated_drugs.exists():
            classes = class_sets(curated_drugs.parent / CLASSES_FILE)
            with open(curated_drugs, newline="", encoding="utf-8-sig") as fh:
                for r in csv.DictReader(fh):
                    syn = {s.strip() for s in (r.get("synonyms") or "").split(";") if s.strip()}
                    self.add(DrugInfo(normalise_name(r["name"]), r.get("ncit") or None,
                                      r.get("rxnorm") or None, r.get("drug_class") or None, syn,
                                      classes.get(r["name"], set())))
        if therapy_crosswalk and therapy_crosswalk.exists():
            with open(therapy_crosswalk, newline="", encoding="utf-8") as fh:
                for r in csv.DictReader(fh, delimiter="\t"):
                    rx = (r.get("rxnorm") or "").split("|")[0] or None
                    syn = {r["ncit_label"]} if r.get("ncit_label") else set()
                    self.add(DrugInfo(normalise_name(r["name"]), r.get("ncit") or None, rx,
                                      None, syn))
        return self

    def add(self, info: DrugInfo) -> None:
        """First source wins (curated before MOAlmanac); later ones only fill gaps."""
        known = self._by_ncit.get(info.ncit) if info.ncit else None
        known = known or self._by_name.get(info.name)
        if known is None:
            known = info
        else:
            known.ncit = known.ncit or info.ncit
            known.rxnorm = known.rxnorm or info.rxnorm
            known.drug_class = known.drug_class or info.drug_class
            known.other_classes |= info.other_classes
            known.synonyms |= info.synonyms - {known.name}
        for key in {info.name, *(normalise_name(s) for s in info.synonyms)}:
            self._by_name.setdefault(key, known)
        if known.ncit:
            self._by_ncit.setdefault(known.ncit, known)

    def lookup(self, name: str) -> DrugInfo:
        """The known drug for a name (generic, brand, salt form), else a new code-less one."""
        key = normalise_name(name)
        found = self._by_name.get(key)
        if found is None:
            found = DrugInfo(key)
            self._by_name[key] = found
        return found

    def by_ncit(self, code: str, name: str) -> DrugInfo:
        """A drug a source already codes with NCIt (MOAlmanac, CIViC v2)."""
        if code in self._by_ncit:
            return self._by_ncit[code]
        info = self._by_name.get(normalise_name(name))
        if info is not None and info.ncit in (None, code):
            info.ncit = code
            self._by_ncit[code] = info
            return info
        info = DrugInfo(normalise_name(name), code)
        self.add(info)
        return info


def regimen_props(drugs: list[DrugInfo]) -> dict[str, object]:
    """Regimen name and classes exactly as loaders/curated.py writes them (so nodes merge)."""
    ordered = sorted({d.id: d for d in drugs}.values(), key=lambda d: d.id)
    return {"name": " + ".join(d.name for d in ordered),
            "drug_classes": joined(set().union(*(d.classes for d in ordered))),
            "n_drugs": len(ordered)}


def emit_regimen(drugs: list[DrugInfo], node, edge, seen: set[str]) -> str:
    """Drug nodes, the Regimen node and its INCLUDES edges; returns the regimen id."""
    rid = S.regimen_id([d.id for d in drugs])
    if rid not in seen:
        seen.add(rid)
        node(rid, Label.REGIMEN, **regimen_props(drugs))
        for d in drugs:
            if d.id not in seen:
                seen.add(d.id)
                node(d.id, Label.DRUG, **d.props())
            edge(rid, Rel.INCLUDES, d.id)
    return rid
