#!/usr/bin/env bash
# A non-editable install works: build the wheel from the files git knows (tracked + new), install
# it into a fresh venv, then `kg build` from the bundled data and a query, run outside the
# checkout so nothing is found through it. Fast: the wheel is installed with --no-deps, and the
# fresh venv sees the project venv's dependencies through a .pth line (not its editable
# install: .pth files in a directory named by a .pth line are not processed).
# Usage: scripts/wheel-check.sh [python of a venv with the dependencies]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-${VENV:-.venv}/bin/python}
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"  # absolute, symlink kept (a venv)
started=$(date +%s.%N)
lap() { printf '  %-34s %5.1f s\n' "$1" "$(echo "$(date +%s.%N) - $started" | bc)"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. the wheel, built from a copy of the sources (setuptools writes build/, which is ours)
mkdir "$tmp/src"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
  [ -e "$f" ] && printf '%s\0' "$f"
done | tar --null -T - -cf - | tar -xf - -C "$tmp/src"
# without build isolation when the venv has setuptools >= 77 (the dev extra): no index needed
isolation=""
if "$PY" -c 'import setuptools, sys; sys.exit(int(setuptools.__version__.split(".")[0]) < 77)' \
   2>/dev/null; then isolation="--no-build-isolation"; fi
"$PY" -m pip wheel -q --no-deps $isolation -w "$tmp/dist" "$tmp/src" >/dev/null
lap "wheel built ${isolation:-(isolated)}"

# 2. a fresh venv: the wheel only, dependencies borrowed from the project venv
"$PY" -m venv --without-pip "$tmp/venv"
deps=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
site=$("$tmp/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$deps" > "$site/project-deps.pth"
"$tmp/venv/bin/python" -m pip install -q --no-deps --no-index "$tmp"/dist/*.whl
lap "fresh venv + wheel installed"

# 3. outside the checkout: the package's data and launcher, a build, a query
cd "$tmp"
export REDISCOVER_BUILD_DIR="$tmp/graph" REDISCOVER_CACHE="$tmp/cache"
"$tmp/venv/bin/python" - <<'EOF'
import importlib.resources as r
import kg, loaders.registry as reg
assert kg.__file__.startswith(r.files("kg").__fspath__()) and "site-packages" in kg.__file__, kg.__file__
assert (reg.DATA_DIR / "cohorts.csv").is_file(), reg.DATA_DIR
launcher = r.files("kg.stores") / "neo4j_launcher"
assert (launcher / "pom.xml").is_file() and (launcher / "src/main/java/org/rediscover/neo4j/Launcher.java").is_file()
EOF
mkdir "$tmp/no-sources"
"$tmp/venv/bin/kg" build --source-dir "$tmp/no-sources" >"$tmp/build.log" 2>&1 \
  || { cat "$tmp/build.log"; exit 1; }
lap "kg build (bundled data)"
rows=$("$tmp/venv/bin/kg" query cohort_outcomes --format csv | grep -vc '^#')
[ "$rows" -gt 10 ] || { echo "wheel check: query gave $rows rows"; exit 1; }
echo "wheel check: installed wheel built the graph and answered cohort_outcomes ($rows lines)" \
     "in $(echo "$(date +%s.%N) - $started" | bc | xargs printf '%.1f') s"
