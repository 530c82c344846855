"""Analyses: pure functions over the graph API (kg.artefact.Artefact) returning DataFrames."""
