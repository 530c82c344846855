"""Shared fixtures: built graphs (fixture slice and bundled data) and the shared-data tier."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.artefact import Artefact
from kg.build import build
from loaders.curated import DATA_DIR, CuratedLoader
from loaders.registry import shared_data_dir

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"


def build_from(data_dir: Path, root: Path, cohort_tables: list[Path] | None = None) -> Artefact:
    return build(CuratedLoader(data_dir, cohort_tables).load(), root)


@pytest.fixture(scope="session")
def mini_artefact(tmp_path_factory) -> Artefact:
    return build_from(MINI, tmp_path_factory.mktemp("mini"))


@pytest.fixture(scope="session")
def bundled_artefact(tmp_path_factory) -> Artefact:
    """The bundled curated tables in data/ only (no external sources)."""
    return build_from(DATA_DIR, tmp_path_factory.mktemp("bundled"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Real source snapshots; skipped only when absent and not in CI."""
    path = shared_data_dir()
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"shared data not found at {path} (CI must have ../shared/data)")
        pytest.skip(f"shared data not found at {path}; set REDISCOVER_SHARED_DATA")
    return path


# Engine fixtures (LadybugDB, Neo4j, Cypher tests): engine_artefact, neo4j_uri.
# Browser fixtures (kg ui + Debian chromium): server, browser_page.
from browser_support import browser_page, server  # noqa: E402, F401
from cypher_support import engine_artefact, neo4j_uri  # noqa: E402, F401
