#!/usr/bin/env bash
# Test run used by `make test` and CI: system dependencies, servers, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export PATH="$PWD/$VENV/bin:$PATH"

bash scripts/system-deps.sh

started_neo4j=""
if [ -z "${NEO4J_URI:-}" ] && command -v java >/dev/null && command -v mvn >/dev/null \
   && [ -f ui/commands/neo4j.py ]; then
  kg neo4j start
  export NEO4J_URI="$(kg neo4j uri)"
  started_neo4j=1
fi
trap '[ -n "$started_neo4j" ] && kg neo4j stop || true' EXIT

ruff check .
bash scripts/wheel-check.sh "$VENV/bin/python"
python -m pytest -q "$@"
