"""The neo4j-admin CSV export imported by the real `neo4j-admin database import full` (the import
tool from the Neo4j 5.26 jars that kg.stores.neo4j_server fetches), which must report exactly the
artefact's node and relationship counts."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess

import pytest
from export_support import export_artefact  # noqa: F401

from kg.stores import neo4j_csv, neo4j_server


@pytest.fixture(scope="module")
def admin_classpath() -> str:
    if not (shutil.which("java") and (neo4j_server._classes_ready() or shutil.which("mvn"))):
        if os.environ.get("CI"):
            pytest.fail("CI needs Java and Maven for the Neo4j import tool")
        pytest.skip("no Java/Maven for the Neo4j import tool")
    neo4j_server.ensure_built(echo=lambda _msg: None)
    return f"{neo4j_server.PROJECT / 'lib'}/*"


@pytest.mark.neo4j
def test_neo4j_admin_imports_exactly_the_artefact(export_artefact, admin_classpath,  # noqa: F811
                                                  tmp_path):
    folder = tmp_path / "csv"
    neo4j_csv.export(export_artefact, folder, include_private=True)
    home = tmp_path / "neo4j-home"
    (home / "conf").mkdir(parents=True)
    command = (folder / "import.sh").read_text().strip().splitlines()[-1]
    args = shlex.split(command)
    assert args[:4] == ["neo4j-admin", "database", "import", "full"]
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    proc = subprocess.run(["java", "-cp", admin_classpath, "org.neo4j.cli.AdminTool", *args[1:]],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    counts = export_artefact.counts()
    nodes = int(re.search(r"(\d+) nodes", out).group(1))
    rels = int(re.search(r"(\d+) relationships", out).group(1))
    assert nodes == sum(counts["nodes"].values())
    assert rels == sum(counts["edges"].values())
