# The two commands: `make run` and `make test`. Everything else supports them.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint services-up services-down status bench clean

$(BIN)/python:
	@command -v $(PY) >/dev/null || { echo "need $(PY) on PATH"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p var
	$(BIN)/credit-ledger serve --host 127.0.0.1 --port 8000

test: $(STAMP)
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

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	scripts/services up
	$(BIN)/python -m bench.all

clean:
	rm -rf var/*.sqlite3*
