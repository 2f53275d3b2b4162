# The two commands: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint services-up services-down status bench clean compiled

$(BIN)/python:
	@command -v $(PY) >/dev/null || { echo "need $(PY) on PATH"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# The rebuild's hot modules compiled by mypyc (projections/compiled.py, ADR 010), when the
# sources changed since the last build; without a C compiler they run as Python.
compiled: $(STAMP)
	@$(BIN)/python scripts/compile_views.py --if-stale || \
	  echo "make: compiling the views failed (see above); they run as Python"

run: $(STAMP) compiled
	@mkdir -p var
	$(BIN)/credit-ledger serve --host 127.0.0.1 --port 8000

test: $(STAMP) compiled
	scripts/services up
	CI=$${CI:-true} $(BIN)/pytest tests

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

services-up: $(STAMP)
	scripts/services up

services-down:
	scripts/services down

status:
	scripts/services status

bench: $(STAMP) compiled
	$(BIN)/pip install -q -e '.[dev,bench]'
	scripts/services up
	$(BIN)/python -m bench.all

clean:
	rm -rf var/*.sqlite3* build/compiled
