# Two commands for a new user: `make run` (host + example plugins on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint protos docs

$(VENV)/.installed: pyproject.toml host/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]" -e "./host[postgres,redis]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/grafana-plugin-host

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# PostgreSQL runs use $$GRAFANA_PLUGIN_HOST_TEST_PG_URL, else a throwaway cluster when PostgreSQL is installed.
test: lint
	scripts/pg-throwaway.sh run $(BIN)/pytest

# The API reference from the docstrings; every cross-reference must resolve (-n), warnings fail the build (-W).
docs: $(VENV)/.installed
	$(BIN)/python -m sphinx -b html -n -W --keep-going -q docs/api docs/_build/api
	@echo "API reference: docs/_build/api/index.html"

protos: $(VENV)/.installed
	$(BIN)/python scripts/gen_protos.py
