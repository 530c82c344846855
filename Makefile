# Two commands on a fresh machine (see README):
#   make run    install, build the graph from bundled data (+ ../shared/data snapshots when present), open the UI
#               (make run PORT=8600 serves it on another port)
#   make test   install everything the tests need (Python deps, Debian's chromium, Neo4j via Maven) and run them
VENV   ?= .venv
PY     := $(VENV)/bin/python
KG     := $(VENV)/bin/kg
PORT   ?= 8501

.PHONY: install run build test lint bench clean wheel-check

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@# $(VENV) may be a symlink to a folder elsewhere: create the venv where it points
	python3 -m venv "$$(readlink -f $(VENV))"
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

build: install
	$(KG) build

run: build
	$(KG) ui --port $(PORT)

test: install
	bash scripts/test.sh

wheel-check: install
	bash scripts/wheel-check.sh $(PY)

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) -m bench

clean:
	rm -rf build .pytest_cache test-output
