"""Stores translate a built artefact into one engine each (networkx, LadybugDB, Neo4j, RDF)."""
