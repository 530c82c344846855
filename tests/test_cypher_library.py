"""Every library query runs on LadybugDB and on a real Neo4j with identical answers, and the
Cypher answers agree with the Python analyses on the same artefact."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kg.schema import Label, Rel
from kg.stores.cypher_engines import LadybugEngine, Neo4jEngine
from kg.stores.ladybug import export_ladybug
from kg.stores.neo4j import load_artefact
from queries.cohorts import current_results
from queries.cypher_library import list_queries, load

QUERIES = list_queries()
#: extra parameter sets, so that screens with strict defaults also return rows
EXTRA_CASES = {
    "tumour_agnostic_candidates": [{"min_main_types": 1}],
    "current_reports": [{"as_of": 2019}, {"as_of": 2015}],
    "trial_summary": [{"trial": "trial:VE-BASKET"}],
    "alteration_rollup": [{"alteration": "alt:BRAF:V600"}],
    "durability_gaps": [{"min_pfs_months": 100.0}],
    # contained in one cohort, contains two, shares patients with two more (data/overlaps.csv)
    "cohort_overlaps": [{"cohort": "cohort:LAROTRECTINIB-POOLED:sarcoma-review-table"}],
}
CASES = [(q.name, q.defaults()) for q in QUERIES] + [
    (name, {**load(name).defaults(), **extra}) for name, extras in EXTRA_CASES.items()
    for extra in extras]


def _norm(value):
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, list):
        return sorted((_norm(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in sorted(value.items())}
    return value


def _rows(result) -> list[tuple]:
    return sorted((tuple(_norm(v) for v in row) for row in result.rows), key=repr)


@pytest.fixture(scope="module")
def engines(engine_artefact, neo4j_uri, tmp_path_factory):
    path = tmp_path_factory.mktemp("lib") / "graph.lbug"
    export_ladybug(engine_artefact, path, include_private=False)
    load_artefact(engine_artefact, neo4j_uri, include_private=False)
    lb, nj = LadybugEngine(path), Neo4jEngine(neo4j_uri)
    yield {"ladybug": lb, "neo4j": nj}
    lb.close()
    nj.close()


def test_library_is_documented():
    assert len(QUERIES) >= 12
    for q in QUERIES:
        assert q.title and len(q.description) > 20, q.name
        assert all(p.help for p in q.params), q.name
        assert "toFloat" not in q.text and "round(" not in q.text  # portable subset
        assert "EXISTS {" not in q.text and "CALL {" not in q.text and "COUNT {" not in q.text


@pytest.mark.neo4j
@pytest.mark.parametrize(("name", "params"), CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                          enumerate(CASES)])
def test_both_engines_agree(engines, name, params):
    q = load(name)
    a = engines["ladybug"].run(q.text, params)
    b = engines["neo4j"].run(q.text, params)
    assert a.columns == b.columns
    assert _rows(a) == _rows(b)


@pytest.mark.neo4j
def test_most_queries_return_rows(engines):
    """Agreement on empty answers proves little: most cases must have rows on this artefact."""
    empty = [n for n, p in CASES if not engines["neo4j"].run(load(n).text, p).rows]
    assert len(empty) <= 2, empty


# ------------------------------------------------------------------ against the Python analyses
def _run(engines, name, **params):
    q = load(name)
    out = {}
    for eng, e in engines.items():
        res = e.run(q.text, q.parameters(params))
        out[eng] = pd.DataFrame(res.rows, columns=res.columns)
    return out


@pytest.mark.neo4j
@pytest.mark.parametrize("as_of", [None, 2019, 2015])
def test_current_reports_match_python(engines, engine_artefact, as_of):
    expected, _ = current_results(engine_artefact, as_of=as_of, include_private=False)
    want = sorted(zip(expected["cohort"], expected["result"], strict=True))
    params = {} if as_of is None else {"as_of": as_of}
    for eng, df in _run(engines, "current_reports", **params).items():
        assert sorted(zip(df["cohort_id"], df["result_id"], strict=True)) == want, eng


@pytest.mark.neo4j
def test_cohort_outcomes_match_python(engines, engine_artefact):
    art = engine_artefact
    isa = art.edges(Rel.IS_A)
    below = {"alt:BRAF:V600"}
    while True:  # every alteration at or below alt:BRAF:V600
        more = set(isa.loc[isa["dst"].isin(below), "src"]) - below
        if not more:
            break
        below |= more
    drugs = art.nodes(Label.DRUG).set_index("id")["drug_class"]
    inc = art.edges(Rel.INCLUDES)
    braf_regimens = set(inc.loc[inc["dst"].map(drugs) == "BRAF inhibitor", "src"])
    cur, _ = current_results(art, include_private=False)
    want = cur[cur["alteration"].isin(below) & cur["regimen"].isin(braf_regimens)]
    assert len(want) >= 2
    for eng, df in _run(engines, "cohort_outcomes").items():
        got = df.sort_values("cohort_id", ignore_index=True)
        assert list(got["cohort_id"]) == list(want["cohort"]), eng
        assert list(got["n_evaluable"].fillna(-1)) == list(want["n_evaluable"].fillna(-1)), eng
        assert list(got["n_response"].fillna(-1)) == list(want["n_response"].fillna(-1)), eng


@pytest.mark.neo4j
def test_trial_summary_matches_python(engines, engine_artefact):
    cur, _ = current_results(engine_artefact, include_private=False)
    for trial in sorted(engine_artefact.nodes(Label.TRIAL)["id"]):
        rows = cur[cur["trial"] == trial]
        top = rows[rows["parent_cohort"].isna()]
        for eng, df in _run(engines, "trial_summary", trial=trial).items():
            assert df.loc[0, "n_current_reports"] == len(rows), eng
            assert df.loc[0, "n_evaluable"] == int(top["n_evaluable"].fillna(0).sum()), eng


@pytest.mark.neo4j
def test_gene_card_matches_python(engines, engine_artefact):
    """BRAF: alterations in the gene, drugs targeting it, public cohorts and evidence items on
    its alterations (the committee's private cohort left out), counted with pandas."""
    art = engine_artefact
    gene = art.nodes(Label.GENE).query("symbol == 'BRAF'")["id"].iloc[0]
    ig, tg = art.edges(Rel.IN_GENE), art.edges(Rel.TARGETS)
    alts = set(ig.loc[ig["dst"] == gene, "src"])
    drugs = tg.loc[tg["dst"] == gene, "src"].nunique()
    cohorts = art.nodes(Label.COHORT)
    public = set(cohorts.loc[~cohorts["private"], "id"])
    sel = art.edges(Rel.SELECTS)
    n_cohorts = sel[sel["dst"].isin(alts) & sel["src"].isin(public)]["src"].nunique()
    fa = art.edges(Rel.FOR_ALTERATION)
    n_evidence = fa[fa["dst"].isin(alts)]["src"].nunique()
    assert n_evidence == 4 and drugs >= 1 and n_cohorts >= 1
    for eng, df in _run(engines, "gene_card", gene="BRAF").items():
        row = df.iloc[0]
        assert (row["n_alterations"], row["n_drugs"], row["n_cohorts"], row["n_evidence"]) == (
            len(alts), drugs, n_cohorts, n_evidence), eng


@pytest.mark.neo4j
def test_cohort_overlaps_lists_both_directions(engines):
    """data/overlaps.csv rows naming the larotrectinib sarcoma review table, read by hand:
    expanded-non-cns contains it; it contains adult-sarcoma and paediatric-sarcoma; primary-set
    and paediatric-non-cns share patients with it (5 rows, both directions)."""
    lar = "cohort:LAROTRECTINIB-POOLED:"
    table = lar + "sarcoma-review-table"
    want = sorted([
        (lar + "expanded-non-cns", "contains", table),
        (table, "contains", lar + "adult-sarcoma"),
        (table, "contains", lar + "paediatric-sarcoma"),
        (lar + "primary-set", "overlaps", table),
        (lar + "paediatric-non-cns", "overlaps", table),
    ])
    for eng, df in _run(engines, "cohort_overlaps", cohort=table).items():
        got = sorted(zip(df["cohort_id"], df["relation"], df["other_cohort_id"], strict=True))
        assert got == want, eng
        assert df["citation"].str.len().gt(0).all(), eng
