"""MOAlmanac assertions → Evidence records (OPTIONAL source: GPL-2.0, research use only).

The Molecular Oncology Almanac database (vanallenlab/moalmanac-db) is GPL-2.0 and its README
restricts it to research use (no diagnostic/clinical use, no commercial product without
permission). The registry marks it optional: it is loaded only when asked for by name
(``kg build --source moalmanac``), and its licence travels in the build manifest.

Read: ``molecular-oncology-almanac.json`` (the flat assertion export, 1,018 records). Each
assertion becomes ``moa:<assertion_id>`` with
- its feature as an alteration of the curated scheme (same ids as data/alterations.csv, so nodes
  merge): variants by protein change (``p.V600E`` → ``alt:BRAF:V600E`` under ``alt:BRAF:V600``),
  copy number → ``GENE:amplification``/``GENE:deletion``, rearrangements → ``A::B`` or
  ``GENE:fusion``, MSI-High → ``MSI-H``, TMB high → ``TMB-H``, COSMIC signatures and whole-genome
  doubling as gene-less signatures; a knockdown screen is read as loss of function (counted);
- therapies through their NCIt codes (``therapy_name_mappings``; RxNorm via the crosswalk),
  ``a + b`` as one combination Regimen;
- the 2021 OncoTree code resolved through the current tree's history (ALL → BLL and TLL,
  BALL → BLL, TALL → TLL, LEUK → MNM, MM → PCM); "Any solid tumor" → the root (broader);
- predictive_implication → common tier (loaders.normalise.tiers); sensitivity 0 keeps
  "does not support" as its direction, never the opposite claim.
Deprecated assertions are skipped and counted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kg import schema as S
from kg.errors import Issue, ValidationFailed
from kg.records import LoadResult
from kg.schema import Label, Rel
from loaders.curated import DATA_DIR
from loaders.evidence_sink import Sink, drug_normaliser, shared_resources, source_files
from loaders.normalise import alterations as A
from loaders.normalise.drugs import DrugInfo, DrugNormaliser
from loaders.normalise.genes import GeneResolver
from loaders.normalise.tiers import common_tier
from loaders.oncotree import OncoTree
from loaders.registry import Inputs, fetched_version, inputs_for, source_info
from loaders.tables import display_path

SOURCE = "moalmanac"
FILE = "molecular-oncology-almanac.json"
ANY_SOLID = "any solid tumor"

_NO_PROTEIN = {"nonsense": "TRUNCATING MUTATION", "frameshift": "TRUNCATING MUTATION",
               "splice site": "MUTATION", "missense": "MUTATION", "deletion": "MUTATION",
               "insertion": "MUTATION", "activating mutation": "GAIN-OF-FUNCTION", "": "MUTATION"}


def read_assertions(path: Path) -> list[dict[str, Any]]:
    shown = display_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValidationFailed([Issue(shown, exc.lineno, None, f"not valid JSON: {exc.msg}")]) \
            from exc
    if not isinstance(data, list):
        raise ValidationFailed([Issue(shown, None, None, "expected a JSON array of assertions")])
    issues = [Issue(shown, None, f"[{i}].{key}", "required field is missing")
              for i, rec in enumerate(data) for key in ("assertion_id", "feature_type")
              if key not in rec]
    if issues:
        raise ValidationFailed(issues)
    return data


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def feature_alteration(rec: dict[str, Any], genes: GeneResolver) -> tuple[A.AltSpec | None, str]:
    """The alteration an assertion's feature stands for and how it was read (``exact``,
    ``coarsened`` to a broader node, ``knockdown``, or a reason it could not be read)."""
    ft = rec["feature_type"]
    if ft in ("Somatic Variant", "Germline Variant"):
        gene = _text(rec.get("gene"))
        if not gene:
            return None, "variant without a gene"
        g = A.Gene.of(gene, genes)
        change = _text(rec.get("protein_change"))
        if change:
            spec = A.protein_change(g, change)
            return (spec, "exact") if spec else (A.other(g, change), "coarsened")
        word = _NO_PROTEIN.get(_text(rec.get("variant_annotation")).lower(), "MUTATION")
        return A.kind_level(g, word), "exact" if word != "MUTATION" else "gene-level"
    if ft == "Copy Number":
        direction = _text(rec.get("direction")).upper()
        if direction not in ("AMPLIFICATION", "DELETION") or not _text(rec.get("gene")):
            return None, "copy number without gene or direction"
        return A.kind_level(A.Gene.of(_text(rec["gene"]), genes), direction), "exact"
    if ft == "Rearrangement":
        g1, g2 = _text(rec.get("gene1")), _text(rec.get("gene2"))
        if g1 and g2:
            return A.fusion(A.Gene.of(g1, genes), A.Gene.of(g2, genes)), "exact"
        if g1 or g2:
            return A.kind_level(A.Gene.of(g1 or g2, genes), "FUSION"), "exact"
        return None, "rearrangement without genes"
    if ft == "Microsatellite Stability":
        spec = A.signature(_text(rec.get("status")) or "MSI-H")
        return (spec, "exact") if spec else (None, "unknown MSI status")
    if ft == "Mutational Burden":
        if _text(rec.get("classification")).lower() == "high":
            return A.signature("TMB-H"), "exact"
        return None, "mutational burden other than high"
    if ft == "Mutational Signature":
        sig = _text(rec.get("cosmic_signature"))
        if not sig:
            return None, "signature without a COSMIC id"
        return A.AltSpec(f"COSMIC-{sig}", f"COSMIC signature {sig}", "signature",
                         "signature"), "exact"
    if ft == "Aneuploidy":
        event = _text(rec.get("event"))
        if event.lower() == "whole genome doubling":
            return A.AltSpec("WGD", "Whole-genome doubling", "signature", "signature"), "exact"
        return None, f"aneuploidy event '{event}'"
    if ft == "Knockdown":
        gene = _text(rec.get("gene"))
        if not gene:
            return None, "knockdown without a gene"
        return A.kind_level(A.Gene.of(gene, genes), "LOSS-OF-FUNCTION"), "knockdown"
    return None, f"feature type '{ft}' not modelled"


def therapy_drugs(rec: dict[str, Any], drugs: DrugNormaliser) -> list[DrugInfo]:
    """The drugs of ``therapy_name`` (``a + b`` = given together), NCIt-coded when mapped."""
    names = [n.strip() for n in _text(rec.get("therapy_name")).split(" + ") if n.strip()]
    codes = {}
    for m in rec.get("therapy_name_mappings") or []:
        coding = m.get("coding") or {}
        if coding.get("code") and coding.get("name"):
            codes[coding["name"].strip().lower()] = coding["code"]
    out = []
    for name in names:
        code = codes.get(name.lower())
        # therapy_type (Targeted therapy, Chemotherapy …) is not a drug class: not copied
        out.append(drugs.by_ncit(code, name) if code else drugs.lookup(name))
    return out


def claim(rec: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(evidence type, significance, direction) from MOA's three flags."""
    sens, res, prog = (_text(rec.get(k)) for k in ("therapy_sensitivity", "therapy_resistance",
                                                    "favorable_prognosis"))
    if sens in ("1", "0"):
        return "Predictive", "Sensitivity/Response", \
            "supports" if sens == "1" else "does not support"
    if res == "1":
        return "Predictive", "Resistance", "supports"
    if prog in ("1", "0"):
        return "Prognostic", "Better Outcome" if prog == "1" else "Poor Outcome", "supports"
    if _text(rec.get("adverse_event_risk")) == "1":
        return "Toxicity", "Adverse Response", "supports"
    if _text(rec.get("diagnostic")) == "1":
        return "Diagnostic", None, "supports"
    return "Other", None, None


class MOALoader:
    def __init__(self, inputs: Inputs):
        self.inputs = inputs
        self.path = inputs.folder() / FILE

    def load(self) -> LoadResult:
        genes, tree = shared_resources(self.inputs)
        drugs = drug_normaliser(self.inputs)
        records = read_assertions(self.path)
        latest = max((_text(r.get("last_updated")) for r in records), default="")
        version = fetched_version(self.path.parent) or f"legacy export, updated {latest}"
        out = LoadResult(source_info(SOURCE, version,
                                     source_files([self.path], {self.path: len(records)})))
        sink = Sink(out)
        out.loaded["assertions read"] = len(records)
        for rec in records:
            if rec.get("_deprecated") is True:
                out.skipped["deprecated in MOAlmanac"] += 1
                continue
            self._assertion(rec, genes, tree, drugs, sink)
        out.notes.append("MOAlmanac is GPL-2.0 and for research use only: loaded on request.")
        return self.inputs.stamp(out)

    def _assertion(self, rec: dict[str, Any], genes: GeneResolver, tree: OncoTree,
                   drugs: DrugNormaliser, sink: Sink) -> None:
        out = sink.out
        spec, how = feature_alteration(rec, genes)
        if spec is None:
            out.skipped[f"feature not modelled: {how}"] += 1
            return
        if how != "exact":
            out.loaded[f"features read {how}"] += 1
        etype, significance, direction = claim(rec)
        level = _text(rec.get("predictive_implication"))
        tier = common_tier("moa", level)
        if tier is None:
            out.loaded["evidence level without a common tier"] += 1
        eid = f"moa:{rec['assertion_id']}"
        tumours, precision = self._tumours(rec, tree, sink)
        therapy = _text(rec.get("therapy_name"))
        code = _text(rec.get("oncotree_code"))
        year = _text(rec.get("publication_date"))[:4]
        sink.node(eid, Label.EVIDENCE,
                  name=f"{spec.name} / {therapy or 'no therapy'} / {code or rec.get('disease')} "
                       f"({level})",
                  source_level=level, common_tier=tier, evidence_type=etype,
                  direction=direction, significance=significance,
                  nct_ids=_text(rec.get("nct")) or None,
                  statement=_text(rec.get("description")) or None,
                  disease_name=_text(rec.get("disease")) or None,
                  mapping_precision=precision, year=int(year) if year.isdigit() else None)
        sink.edge(eid, Rel.FOR_ALTERATION, sink.alteration(spec, genes))
        infos = therapy_drugs(rec, drugs)
        if infos:
            sink.edge(eid, Rel.FOR_REGIMEN, sink.regimen(infos))
            if len(infos) > 1:
                out.loaded["combination regimens (assertions)"] += 1
        else:
            out.loaded["assertions without a therapy (prognostic/diagnostic)"] += 1
        for tid, prec in tumours:
            sink.edge(eid, Rel.IN_TUMOUR, tid, mapping_precision=prec)
        self._citation(rec, eid, sink)
        out.loaded["evidence assertions"] += 1

    def _tumours(self, rec: dict[str, Any], tree: OncoTree,
                 sink: Sink) -> tuple[list[tuple[str, str]], str]:
        out = sink.out
        code = _text(rec.get("oncotree_code")).upper()
        term = _text(rec.get("oncotree_term")).lower()
        if not code:
            if term == ANY_SOLID:
                out.loaded["tumour: any solid tumour → OncoTree root (broader)"] += 1
                return [(sink.tumour(tree, "TISSUE"), "broader")], "broader"
            out.loaded["tumour unmapped (evidence kept)"] += 1
            return [], "unmapped"
        current = tree.resolve(code)
        if not current:
            out.loaded["tumour unmapped (evidence kept)"] += 1
            note = f"MOAlmanac OncoTree code {code} has no successor in {tree.version}"
            if note not in out.notes:
                out.notes.append(note)
            return [], "unmapped"
        if current == [code]:
            precision = "exact"
        elif len(current) == 1:
            precision = "renamed"
        else:
            precision = "split"
        out.loaded[f"tumour code {precision}"] += 1
        return [(sink.tumour(tree, c), precision) for c in sorted(current)], precision

    def _citation(self, rec: dict[str, Any], eid: str, sink: Sink) -> None:
        pmid, doi, url = (_text(rec.get(k)) for k in ("pmid", "doi", "url"))
        year = _text(rec.get("publication_date"))[:4]
        if pmid and pmid.isdigit():
            pid = S.publication_id(f"pubmed:{pmid}")
        elif doi:
            pid = S.publication_id(f"doi:{re.sub(r'^(doi:|https?://doi.org/)', '', doi)}")
        elif url:
            pid = S.publication_id(url)
        else:
            sink.out.loaded["assertions without a citation id"] += 1
            return
        sink.once(pid, Label.PUBLICATION, name=_text(rec.get("citation"))[:300] or pid,
                  year=int(year) if year.isdigit() else None, url=url or None)
        sink.edge(eid, Rel.REPORTED_IN, pid)


def load_entry(inputs: Inputs) -> list[LoadResult]:
    return [MOALoader(inputs).load()]


def load(source_dir: Path, data_dir: Path = DATA_DIR) -> LoadResult:
    """MOAlmanac on its own from a source folder (tests)."""
    return MOALoader(inputs_for(SOURCE, source_dir, data_dir)).load()
