"""Curated tables in data/ (and committees' own cohort tables) → validated graph records.

The reference tables (trials, genes, drugs, alterations, tumour types) come first; cohort tables
are then checked against them. Every problem is collected with file, row and field and raised at
the end as one ``ValidationFailed``: the build writes nothing when any table is wrong.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kg import schema as S
from kg.errors import Issue, ValidationFailed
from kg.records import Edge, LoadResult, Node, SourceFile, SourceInfo, sha256_of
from kg.schema import Label, Rel
from loaders.drug_classes import FILE as CLASSES_FILE
from loaders.drug_classes import joined, read_classes
from loaders.overlaps import load_overlaps
from loaders.registry import DATA_DIR, Inputs, source_info
from loaders.report_checks import check_endpoints, header_of
from loaders.tables import Column, Row, TableSpec, display_path, read_table, split_list

SOURCE = "curated"

_ID = r"[A-Za-z0-9][A-Za-z0-9._+/-]*"
_COHORT_ID = r"[A-Za-z0-9][A-Za-z0-9._-]*(:[a-z0-9][a-z0-9._+-]*)+"

TRIALS = TableSpec("trials", (
    Column("trial_id", required=True, pattern=_ID), Column("name", required=True),
    Column("registry_ids"), Column("country"),
    Column("design", required=True, choices=("basket", "umbrella", "platform", "single-histology",
                                             "pooled-analysis", "randomised")),
    Column("source"),
), key="trial_id")

GENES = TableSpec("genes", (
    Column("symbol", required=True, pattern=r"[A-Za-z0-9-]+"),
    Column("hgnc_id", pattern=r"HGNC:\d+"), Column("entrez", pattern=r"\d+"),
), key="symbol")

DRUGS = TableSpec("drugs", (
    Column("name", required=True, pattern=r"[a-z0-9][a-z0-9 ()/.,'-]*"),
    Column("ncit", pattern=r"C\d+"), Column("rxnorm"), Column("drug_class", required=True),
    Column("targets"), Column("synonyms"), Column("source"),
), key="name")

ALTERATIONS = TableSpec("alterations", (
    Column("alteration_id", required=True, pattern=r"[A-Za-z0-9][A-Za-z0-9:/_.*+-]*"),
    Column("gene"), Column("name", required=True),
    Column("kind", required=True, choices=("mutation", "amplification", "deletion", "fusion",
                                           "expression", "signature", "any", "wildtype")),
    Column("level", required=True, choices=("variant", "codon", "exon", "kind", "gene", "group",
                                            "signature")),
    Column("protein_change"), Column("parent"),
), key="alteration_id")

TUMOUR_TYPES = TableSpec("tumour_types", (
    Column("code", required=True, pattern=r"[A-Z0-9_-]+"), Column("name", required=True),
    Column("main_type"), Column("tissue"), Column("level", kind="int", required=True),
    Column("parent"),
), key="code")

COHORT_FIELDS = ("trial_id", "arm", "parent_cohort_id", "drugs", "alteration_id", "biomarker",
                 "tumour_type", "tumour_type_published", "design", "status")

COHORTS = TableSpec("cohorts", (
    Column("result_id", required=True,
           pattern=r"[A-Za-z0-9][A-Za-z0-9:._+-]*@(\d{4}|undated)[a-z]?"),
    Column("cohort_id", required=True, pattern=_COHORT_ID),
    Column("trial_id", required=True), Column("arm", required=True),
    Column("parent_cohort_id"), Column("drugs", required=True),
    Column("alteration_id", required=True), Column("biomarker"),
    Column("tumour_type", required=True), Column("tumour_type_published"),
    Column("design"), Column("status"), Column("analysis"),
    Column("analysis_kind", required=True,
           choices=("interim", "primary", "final", "update", "pooled")),
    Column("year", kind="year"),
    Column("n_enrolled", kind="int"), Column("n_evaluable", kind="int"),
    Column("n_response", kind="int"), Column("n_benefit", kind="int"),
    Column("response_criterion", choices=S.RESPONSE_CRITERIA, optional_column=True),
    Column("benefit_definition"),
    Column("benefit_kind", choices=S.BENEFIT_KINDS, optional_column=True),
    Column("benefit_weeks", kind="int", optional_column=True),
    Column("orr_pct", kind="float"), Column("cbr_pct", kind="float"),
    Column("orr_ci_low", kind="float"), Column("orr_ci_high", kind="float"),
    Column("ci_level", kind="float", optional_column=True),
    Column("median_pfs_months", kind="float"), Column("median_os_months", kind="float"),
    Column("outcome_call"), Column("citation", pattern=r"(doi:10\..+|pubmed:\d+)"),
    Column("source_url"), Column("locator"),
    Column("confidence", choices=("high", "medium")), Column("supersedes"), Column("note"),
    Column("update", kind="bool", optional_column=True),
), key="result_id")

ARMS = TableSpec("arms", (
    Column("cohort_id", required=True, pattern=_COHORT_ID), Column("trial_id", required=True),
    Column("arm", required=True), Column("drugs", required=True),
    Column("alteration_id", required=True), Column("tumour_type", required=True),
    Column("tumour_scope"), Column("status"), Column("status_date"),
    Column("source_url", required=True), Column("note"),
), key="cohort_id")


@dataclass
class Reference:
    """Keys of the reference tables that cohort rows may point at."""

    trials: set[str] = field(default_factory=set)
    drugs: dict[str, dict] = field(default_factory=dict)  # name -> row values
    alterations: set[str] = field(default_factory=set)
    tumour_types: set[str] = field(default_factory=set)


def _issue(path: Path, row: Row, fld: str, msg: str) -> Issue:
    return Issue(display_path(path), row.line, fld, msg)


class CuratedLoader:
    """Reads data/ (or another folder in the same format) plus committee cohort tables."""

    def __init__(self, data_dir: Path = DATA_DIR, cohort_tables: list[Path] | None = None):
        self.data_dir = data_dir
        self.cohort_tables = list(cohort_tables or [])

    # ---------------------------------------------------------------- public
    def load(self) -> list[LoadResult]:
        issues: list[Issue] = []
        d = self.data_dir
        curated = LoadResult(source_info(SOURCE, ""))
        ref = self._reference(curated, issues)
        cohorts_by_id: dict[str, dict] = {}
        result_ids: set[str] = set()
        self._cohorts(d / "cohorts.csv", curated, ref, issues, cohorts_by_id, result_ids,
                      private=False)
        self._arms(d / "arms.csv", curated, ref, issues, cohorts_by_id)
        results = [curated]
        for table in self.cohort_tables:
            private = LoadResult(SourceInfo(
                f"committee:{table.name}", sha256_of(table)[:12] if table.exists() else "",
                "private (never exported without --include-private)",
                f"committee cohort table {table.name}", private=True))
            self._cohorts(table, private, ref, issues, cohorts_by_id, result_ids, private=True)
            if table.exists():
                private.source.files.append(SourceFile(display_path(table), sha256_of(table),
                                                       private.loaded["report rows"]))
            results.append(private)
        owners = {display_path(t): r
                  for t, r in zip(self.cohort_tables, results[1:], strict=True)}

        def overlap_edge(a: str, b: str, rel: Rel, citation: str, note: str) -> None:
            # an edge that touches a committee's cohort is as private as that cohort
            ends = [owners.get(cohorts_by_id[c]["file"]) for c in (a, b)]
            owner = next((o for o in ends if o is not None), curated)
            _emitters(owner)[1](S.cohort_id(a), rel, S.cohort_id(b), citation=citation, note=note)

        curated.loaded["overlap relations"] = load_overlaps(
            d / "overlaps.csv", cohorts_by_id, issues, overlap_edge)
        if issues:
            raise ValidationFailed(issues)
        files = sorted(p for p in d.glob("*.csv"))
        curated.source.files = [SourceFile(display_path(p), sha256_of(p)) for p in files]
        curated.source.version = _combined_hash([f.sha256 for f in curated.source.files])
        for r in results:  # provenance is known only now; records get it stamped here
            r.nodes[:] = [Node(n.id, n.label, n.props, r.source.name, r.source.version)
                          for n in r.nodes]
            r.edges[:] = [Edge(e.src, e.rel, e.dst, r.source.name, r.source.version, e.props)
                          for e in r.edges]
        return results

    # ---------------------------------------------------------------- reference tables
    def _reference(self, out: LoadResult, issues: list[Issue]) -> Reference:
        d = self.data_dir
        ref = Reference()
        node, edge = _emitters(out)

        for r in read_table(d / "trials.csv", TRIALS, issues):
            ref.trials.add(r["trial_id"])
            node(S.trial_id(r["trial_id"]), Label.TRIAL, name=r["name"],
                 registry_ids=r["registry_ids"], country=r["country"], design=r["design"])
        out.loaded["trials"] = len(ref.trials)

        genes: dict[str, str] = {}
        for r in read_table(d / "genes.csv", GENES, issues):
            gid = S.gene_id(r["hgnc_id"], r["symbol"])
            genes[r["symbol"]] = gid
            node(gid, Label.GENE, name=r["symbol"], symbol=r["symbol"], entrez=r["entrez"])

        path = d / "drugs.csv"
        drug_rows = {r["name"]: r for r in read_table(path, DRUGS, issues)}
        classes = read_classes(d / CLASSES_FILE, drug_rows, issues, path)
        for r in drug_rows.values():
            did = S.drug_id(r["ncit"], r["name"])
            own = classes.get(r["name"], {})
            ref.drugs[r["name"]] = {**r.values, "id": did, "drug_classes": set(own)}
            node(did, Label.DRUG, name=r["name"], drug_class=r["drug_class"],
                 drug_classes=joined(set(own)), rxnorm=r["rxnorm"], synonyms=r["synonyms"])
            for sym in split_list(r["targets"]):
                if sym not in genes:
                    issues.append(_issue(path, r, "targets", f"gene '{sym}' is not in genes.csv"))
                else:
                    edge(did, Rel.TARGETS, genes[sym],
                         drug_classes=joined([c for c, g in own.items() if sym in g]))

        path = d / "alterations.csv"
        alts = read_table(path, ALTERATIONS, issues)
        ref.alterations = {r["alteration_id"] for r in alts}
        for r in alts:
            aid = S.alteration_id(r["alteration_id"])
            node(aid, Label.ALTERATION, name=r["name"], gene=r["gene"], kind=r["kind"],
                 level=r["level"], protein_change=r["protein_change"])
            if r["gene"]:
                if r["gene"] not in genes:
                    issues.append(_issue(path, r, "gene",
                                         f"gene '{r['gene']}' is not in genes.csv"))
                else:
                    edge(aid, Rel.IN_GENE, genes[r["gene"]])
            if r["parent"]:
                if r["parent"] not in ref.alterations:
                    issues.append(_issue(path, r, "parent",
                                         f"unknown parent alteration '{r['parent']}'"))
                else:
                    edge(aid, Rel.IS_A, S.alteration_id(r["parent"]))
        _check_acyclic(path, alts, "alteration_id", "parent", issues)

        path = d / "tumour_types.csv"
        tts = read_table(path, TUMOUR_TYPES, issues)
        ref.tumour_types = {r["code"] for r in tts}
        for r in tts:
            tid = S.tumour_type_id(r["code"])
            node(tid, Label.TUMOUR_TYPE, name=r["name"], main_type=r["main_type"],
                 tissue=r["tissue"], level=r["level"])
            if r["parent"]:
                if r["parent"] not in ref.tumour_types:
                    issues.append(_issue(path, r, "parent",
                                         f"unknown parent tumour code '{r['parent']}'"))
                else:
                    edge(tid, Rel.IS_A, S.tumour_type_id(r["parent"]))
        _check_acyclic(path, tts, "code", "parent", issues)
        return ref

    # ---------------------------------------------------------------- cohorts
    def _check_refs(self, path: Path, r: Row, ref: Reference, issues: list[Issue]) -> bool:
        ok = True
        if r["trial_id"] and r["trial_id"] not in ref.trials:
            issues.append(_issue(path, r, "trial_id", f"unknown trial '{r['trial_id']}' "
                                 "(not in trials.csv)"))
            ok = False
        for name in split_list(r["drugs"]):
            if name not in ref.drugs:
                issues.append(_issue(path, r, "drugs", f"unknown drug '{name}' (not in drugs.csv)"))
                ok = False
        if r["alteration_id"] and r["alteration_id"] not in ref.alterations:
            issues.append(_issue(path, r, "alteration_id", f"unknown alteration "
                                 f"'{r['alteration_id']}' (not in alterations.csv)"))
            ok = False
        if r["tumour_type"] and r["tumour_type"] not in ref.tumour_types:
            issues.append(_issue(path, r, "tumour_type", f"unknown tumour code "
                                 f"'{r['tumour_type']}' (not an OncoTree code in "
                                 "tumour_types.csv)"))
            ok = False
        return ok

    def _cohort_node(self, out: LoadResult, r: Row, ref: Reference, private: bool) -> None:
        node, edge = _emitters(out)
        cid = S.cohort_id(r["cohort_id"])
        node(cid, Label.COHORT, name=r["arm"], biomarker=r["biomarker"],
             tumour_type_published=r["tumour_type_published"], design=r["design"],
             status=r["status"], source_url=r["source_url"] or r["citation"], private=private)
        edge(cid, Rel.PART_OF, S.trial_id(r["trial_id"]))
        drugs = [ref.drugs[n] for n in split_list(r["drugs"])]
        rid = S.regimen_id([x["id"] for x in drugs])
        drugs.sort(key=lambda x: x["id"])
        node(rid, Label.REGIMEN, name=" + ".join(x["name"] for x in drugs),
             drug_classes=joined(set().union(*(x["drug_classes"] for x in drugs))),
             n_drugs=len(drugs))
        for x in drugs:
            edge(rid, Rel.INCLUDES, x["id"])
        edge(cid, Rel.TESTS, rid)
        edge(cid, Rel.SELECTS, S.alteration_id(r["alteration_id"]))
        edge(cid, Rel.ENROLS, S.tumour_type_id(r["tumour_type"]))
        if r["parent_cohort_id"]:
            edge(cid, Rel.STRATUM_OF, S.cohort_id(r["parent_cohort_id"]))

    def _cohorts(self, path: Path, out: LoadResult, ref: Reference, issues: list[Issue],
                 cohorts: dict[str, dict], result_ids: set[str], private: bool) -> None:
        rows = read_table(path, COHORTS, issues)
        columns = header_of(path)
        node, edge = _emitters(out)
        shown = display_path(path)
        first_seen: dict[str, Row] = {}
        reports: dict[str, list[Row]] = defaultdict(list)
        for r in rows:
            if r["result_id"] in result_ids:
                issues.append(_issue(path, r, "result_id",
                                     f"duplicate id '{r['result_id']}' (already loaded)"))
                continue
            result_ids.add(r["result_id"])
            if not self._check_refs(path, r, ref, issues):
                continue
            _check_counts(path, r, issues)
            check_endpoints(path, r, columns, issues)
            if not (r["citation"] or r["source_url"] or private):  # private: the file is the source
                issues.append(_issue(path, r, "citation", "every report needs a citation "
                                     "or a source_url"))
            c = r["cohort_id"]
            known = cohorts.get(c)
            if known is not None and known["file"] != shown:
                if not (private and r["update"]):
                    issues.append(_issue(path, r, "cohort_id", f"cohort '{c}' already exists in "
                                         f"{known['file']}; mark the row update=true to add a "
                                         "report to it"))
                    continue
                diff = [f for f in ("drugs", "alteration_id", "tumour_type")
                        if known["values"][f] != r[f]]
                if diff:
                    issues.append(_issue(path, r, diff[0], f"update of cohort '{c}' changes "
                                         f"{', '.join(diff)}: open a new cohort instead"))
                    continue
            elif c in first_seen:
                for f in COHORT_FIELDS:
                    if first_seen[c][f] != r[f]:
                        issues.append(_issue(path, r, f, f"differs from row {first_seen[c].line} "
                                             f"of the same cohort '{c}'"))
            else:
                first_seen[c] = r
                if known is None:
                    cohorts[c] = {"file": shown, "values": r.values}
                    self._cohort_node(out, r, ref, private)
            reports[c].append(r)
            out.loaded["report rows"] += 1
        for r in rows:  # parents may be defined further down the file
            p = r["parent_cohort_id"]
            if p and p not in cohorts and r["cohort_id"] in first_seen:
                issues.append(_issue(path, r, "parent_cohort_id", f"unknown cohort '{p}'"))
        self._reports(path, out, reports, result_ids, issues, private)
        out.loaded["cohorts"] = len(first_seen)

    def _reports(self, path: Path, out: LoadResult, reports: dict[str, list[Row]],
                 all_results: set[str], issues: list[Issue], private: bool) -> None:
        node, edge = _emitters(out)
        shown = display_path(path)
        for cohort, rows in reports.items():
            ids = {r["result_id"] for r in rows}
            superseded: set[str] = set()
            for r in rows:
                rid = S.result_id(r["result_id"])
                v = r.values
                props = {k: v[k] for k in S.NODE_CLASSES[Label.RESULT].properties if k in v}
                props.update(name=f"{v['arm']} ({v['analysis'] or v['analysis_kind']}, "
                                  f"{v['year'] or 'year unknown'})",
                             source_file=shown, source_row=r.line, private=private,
                             response_criterion=v["response_criterion"] or "not-stated")
                node(rid, Label.RESULT, **props)
                edge(rid, Rel.OF, S.cohort_id(cohort))
                if v["citation"]:
                    pid = S.publication_id(v["citation"])
                    node(pid, Label.PUBLICATION, name=v["citation"], year=v["year"],
                         url=v["source_url"])
                    edge(rid, Rel.REPORTED_IN, pid)
                for old in split_list(v["supersedes"]):
                    if old == v["result_id"] or (old not in ids and old not in all_results):
                        issues.append(_issue(path, r, "supersedes",
                                             f"'{old}' is not another report of cohort "
                                             f"'{cohort}'"))
                        continue
                    superseded.add(old)
                    edge(rid, Rel.SUPERSEDES, S.result_id(old))
            current = ids - superseded
            if len(current) != 1:
                first = rows[0]
                issues.append(_issue(path, first, "supersedes",
                                     f"cohort '{cohort}' has {len(current)} current reports "
                                     f"({', '.join(sorted(current))}); exactly one must not be "
                                     "superseded, so that patients are never counted twice"))

    def _arms(self, path: Path, out: LoadResult, ref: Reference, issues: list[Issue],
              cohorts: dict[str, dict]) -> None:
        node, _ = _emitters(out)
        for r in read_table(path, ARMS, issues):
            if not self._check_refs(path, r, ref, issues):
                continue
            out.loaded["arms"] += 1
            if r["cohort_id"] in cohorts:
                continue  # the arm already has published results
            values = {f: r[f] for f in COHORT_FIELDS if f in r.values}
            values.setdefault("status", r["status"])
            fake = Row(r.line, {**{f: None for f in COHORT_FIELDS}, **values,
                                "cohort_id": r["cohort_id"], "source_url": r["source_url"],
                                "citation": None})
            self._cohort_node(out, fake, ref, private=False)
            cohorts[r["cohort_id"]] = {"file": display_path(path), "values": fake.values}


def _emitters(out: LoadResult):
    """Small closures that append records; provenance is stamped once the load succeeded."""

    def node(node_id: str, label: Label, **props) -> None:
        out.nodes.append(Node(node_id, label, props, "", ""))

    def edge(src: str, rel: Rel, dst: str, **props) -> None:
        out.edges.append(Edge(src, rel, dst, "", "", props))

    return node, edge


def _check_counts(path: Path, r: Row, issues: list[Issue]) -> None:
    ev, resp, ben, enr = r["n_evaluable"], r["n_response"], r["n_benefit"], r["n_enrolled"]
    if ev is not None and resp is not None and resp > ev:
        issues.append(_issue(path, r, "n_response",
                             f"{resp} responders > {ev} evaluable patients"))
    if ev is not None and ben is not None and ben > ev:
        issues.append(_issue(path, r, "n_benefit", f"{ben} with benefit > {ev} evaluable"))
    if resp is not None and ben is not None and resp > ben:
        issues.append(_issue(path, r, "n_benefit",
                             f"{ben} with benefit < {resp} responders (a response is a benefit)"))
    if enr is not None and ev is not None and ev > enr:
        issues.append(_issue(path, r, "n_evaluable", f"{ev} evaluable > {enr} enrolled"))
    for f in ("orr_pct", "cbr_pct", "orr_ci_low", "orr_ci_high"):
        if r[f] is not None and not 0 <= r[f] <= 100:
            issues.append(_issue(path, r, f, f"{r[f]} is not a percentage"))


def _check_acyclic(path: Path, rows: list[Row], key: str, parent: str,
                   issues: list[Issue]) -> None:
    parents = {r[key]: r[parent] for r in rows}
    for r in rows:
        seen, cur = set(), r[key]
        while cur:
            if cur in seen:
                issues.append(_issue(path, r, parent, f"'{r[key]}' is its own ancestor"))
                break
            seen.add(cur)
            cur = parents.get(cur)


def _combined_hash(parts: list[str]) -> str:
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:12]


def load_entry(inputs: Inputs) -> list[LoadResult]:
    """The registry's entry point: data/ plus the committee tables given to the build."""
    return CuratedLoader(inputs.data_dir, list(inputs.cohort_tables)).load()
