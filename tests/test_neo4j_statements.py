"""The Cypher texts the Neo4j loader sends, generated from the schema (no server needed)."""

from __future__ import annotations

from kg.schema import NODE_CLASSES, Label, Rel
from kg.stores.neo4j import constraint_statements, edge_statement, node_statement


def test_statements_are_generated_from_the_schema():
    assert len(constraint_statements()) == len(NODE_CLASSES)
    columns = ["source", "source_version"]
    text = edge_statement(Rel.IS_A, Label.TUMOUR_TYPE, Label.TUMOUR_TYPE, columns, create=False)
    assert "MATCH (a:TumourType {id: $src[i]})" in text
    assert "MERGE (a)-[e:IS_A {source: $source[i]}]->(b)" in text
    assert "SET e = {`source`: $`source`[i], `source_version`: $`source_version`[i]}" in text
    created = node_statement(Label.GENE, ["id", "symbol"], create=True)
    assert created.endswith("CREATE (n:Gene {`id`: $`id`[i], `symbol`: $`symbol`[i]})")

