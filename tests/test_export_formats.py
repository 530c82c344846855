"""GraphML and neo4j-admin CSV exports: counts equal the manifest, files read back, types and
headers follow each format, private rows only with --include-private, and the commands."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pandas as pd
import pytest
from export_support import (
    PRIVATE_COHORT,
    PRIVATE_RESULT,
    committee_artefact,  # noqa: F401
    export_artefact,  # noqa: F401
)
from typer.testing import CliRunner

from kg.schema import NODE_CLASSES, REL_CLASSES
from kg.stores import graphml, neo4j_csv, rdf
from kg.stores.selection import graph_tables
from ui.cli import app


def _graphml_counts(path) -> dict:
    g = nx.read_graphml(path, force_multigraph=True)
    nodes = Counter(d["label"] for _, d in g.nodes(data=True))
    edges = Counter(d["rel"] for *_, d in g.edges(data=True))
    return {"nodes": {str(k): nodes.get(str(k), 0) for k in NODE_CLASSES},
            "edges": {str(k): edges.get(str(k), 0) for k in REL_CLASSES}}


def _csv_counts(folder) -> dict:
    nodes = {str(k): 0 for k in NODE_CLASSES}
    edges = {str(k): 0 for k in REL_CLASSES}
    for p in (folder / neo4j_csv.NODES_DIR).glob("*.csv"):
        for label, n in pd.read_csv(p, dtype=str)[":LABEL"].value_counts().items():
            nodes[label] += n
    for p in (folder / neo4j_csv.RELS_DIR).glob("*.csv"):
        for rel, n in pd.read_csv(p, dtype=str)[":TYPE"].value_counts().items():
            edges[rel] += n
    return {"nodes": nodes, "edges": edges}


# ------------------------------------------------------------------ GraphML
def test_graphml_round_trips_with_manifest_counts(export_artefact, tmp_path):  # noqa: F811
    path = tmp_path / "g.graphml"
    n_nodes, n_edges = graphml.export(export_artefact, path, include_private=True)
    counts = export_artefact.counts()
    assert n_nodes == sum(counts["nodes"].values())
    assert n_edges == sum(counts["edges"].values())
    assert _graphml_counts(path) == counts


def test_graphml_attributes_are_typed(mini_artefact, tmp_path):
    path = tmp_path / "g.graphml"
    graphml.export(mini_artefact, path)
    g = nx.read_graphml(path, force_multigraph=True)
    r = g.nodes["result:VE-BASKET:vemurafenib-braf-v600:nsclc@2015"]
    assert r["label"] == "Result"
    assert r["year"] == 2015 and isinstance(r["year"], int)
    assert r["orr_pct"] == pytest.approx(42.0) and isinstance(r["orr_pct"], float)
    assert r["private"] is False
    assert "orr_ci_low" not in r  # missing stays missing
    # `level` is a string on Alteration and an int on TumourType: GraphML gets one type
    assert g.nodes["oncotree:NSCLC"]["level"] == "2"
    assert g.nodes["alt:BRAF:V600E"]["level"] == "variant"
    edges = g.get_edge_data("alt:BRAF:V600E", "alt:BRAF:V600")
    assert [d["rel"] for d in edges.values()] == ["IS_A"]


def test_unified_types_fall_back_to_string_on_disagreement():
    assert graphml.unified_types([{"a": "int", "b": "float"}, {"a": "string", "b": "float"}]) \
        == {"a": "string", "b": "float"}


# ------------------------------------------------------------------ neo4j-admin CSV
def test_csv_counts_equal_manifest_and_headers_follow_neo4j_admin(export_artefact, tmp_path):  # noqa: F811
    out = tmp_path / "csv"
    rows = neo4j_csv.export(export_artefact, out, include_private=True)
    assert _csv_counts(out) == export_artefact.counts()
    assert sum(rows.values()) == sum(sum(v.values()) for v in export_artefact.counts().values())
    header = (out / "nodes" / "Result.csv").read_text().splitlines()[0].split(",")
    assert header[0] == "id:ID" and header[-1] == ":LABEL"
    assert {"year:int", "n_evaluable:int", "orr_pct:double", "private:boolean", "name",
            "source", "source_version"} <= set(header)
    rel_header = (out / "relationships" / "IS_A.csv").read_text().splitlines()[0].split(",")
    assert rel_header[:3] == [":START_ID", ":END_ID", ":TYPE"]
    script = (out / "import.sh").read_text()
    assert "neo4j-admin database import full" in script
    for name in rows:
        assert f"={name}" in script


def test_csv_values_read_back(mini_artefact, tmp_path):
    out = tmp_path / "csv"
    neo4j_csv.export(mini_artefact, out)
    df = pd.read_csv(out / "nodes" / "Result.csv", dtype=str, keep_default_na=False)
    row = df.set_index("id:ID").loc["result:DRUP:nivolumab-msi@2019"]
    assert row["year:int"] == "2019"
    assert row["n_response:int"] == "4"
    assert row["private:boolean"] == "false"
    assert row["orr_pct:double"] == ""  # not reported: no property
    assert row[":LABEL"] == "Result"
    ids = set(pd.read_csv(out / "relationships" / "OF.csv", dtype=str)[":START_ID"])
    assert "result:DRUP:nivolumab-msi@2019" in ids


def test_csv_refuses_to_replace_a_folder_it_did_not_write(mini_artefact, tmp_path):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    with pytest.raises(neo4j_csv.NotAnExportFolder):
        neo4j_csv.export(mini_artefact, precious)
    assert (precious / "keep.txt").read_text() == "mine"
    again = tmp_path / "csv"
    neo4j_csv.export(mini_artefact, again)
    neo4j_csv.export(mini_artefact, again)  # an earlier export is replaced whole
    assert (again / "nodes" / "Gene.csv").exists()


# ------------------------------------------------------------------ private rows
def test_private_rows_absent_without_flag_present_with_it(committee_artefact, tmp_path):  # noqa: F811
    art = committee_artefact
    public_counts = graph_tables(art, include_private=False).counts()
    assert public_counts["nodes"]["Cohort"] == art.counts()["nodes"]["Cohort"] - 1
    for flag, expected, present in ((False, public_counts, False), (True, art.counts(), True)):
        gml = tmp_path / f"g-{flag}.graphml"
        graphml.export(art, gml, include_private=flag)
        folder = tmp_path / f"csv-{flag}"
        neo4j_csv.export(art, folder, include_private=flag)
        assert _graphml_counts(gml) == expected
        assert _csv_counts(folder) == expected
        texts = [gml.read_text()] + [p.read_text() for p in folder.rglob("*.csv")]
        for private_id in (PRIVATE_COHORT, PRIVATE_RESULT):
            assert any(private_id in t for t in texts) is present


# ------------------------------------------------------------------ commands
def test_export_commands(committee_artefact, tmp_path):  # noqa: F811
    runner = CliRunner()
    root = str(committee_artefact.path.parent.parent)
    for args, made in (
        (["export", "rdf", "-f", "turtle", "-o", str(tmp_path / "g.ttl")], tmp_path / "g.ttl"),
        (["export", "graphml", "-o", str(tmp_path / "g.graphml")], tmp_path / "g.graphml"),
        (["export", "csv", "--neo4j-admin", "-o", str(tmp_path / "csv")],
         tmp_path / "csv" / "import.sh"),
    ):
        res = runner.invoke(app, [*args, "--root", root])
        assert res.exit_code == 0, res.output
        assert made.exists()
        assert "Wrote" in res.output
    turtle = rdf.parse(tmp_path / "g.ttl")
    assert (rdf.iri(PRIVATE_COHORT), None, None) not in turtle
    assert (rdf.iri("cohort:DRUP:nivolumab-msi"), None, None) in turtle
    res = runner.invoke(app, ["export", "rdf", "-f", "rdfxml", "--root", root])
    assert res.exit_code == 2
    assert "Unknown --format" in res.output
