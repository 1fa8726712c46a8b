# Painpath: the two commands are `make run` and `make test`; the rest are the parts they use.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# benchmarks/ joins the lint once it exists (git does not keep empty directories).
CODE   := src tests $(wildcard benchmarks) scripts
# Debian packages the tests use (postgresql: storage tests against a real server; chromium: the
# browser tests, driven by Playwright for Python). Installed by
# scripts/ensure-system-packages.sh when root; otherwise it prints the apt-get line and the tests skip.
SYSTEM_PACKAGES := postgresql chromium

.PHONY: help run test lint typecheck unit format clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: $(STAMP)  ## the demo clinic (made on the first run, in var/) served on http://127.0.0.1:8000
	@$(BIN)/painpath demo
	@$(BIN)/painpath serve --host 127.0.0.1 --port 8000

test: lint typecheck unit  ## the whole suite: ruff, import contracts, mypy, pytest

lint: $(STAMP)  ## ruff (lint + format check) and the import contracts
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/lint-imports

typecheck: $(STAMP)  ## mypy (strict on painpath.domain and painpath.knowledge)
	$(BIN)/mypy

unit: $(STAMP)  ## pytest with branch coverage
	@bash scripts/ensure-system-packages.sh $(SYSTEM_PACKAGES)
	$(BIN)/pytest --cov --cov-report=term

format: $(STAMP)  ## rewrite the code in the project's format
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

clean:  ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .import_linter_cache

# The virtual environment is rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	@bash scripts/ensure-python.sh "$(PYTHON)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)
