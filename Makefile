# Two commands for a new user: `make run` (host + example plugins on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint protos

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
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

protos: $(VENV)/.installed
	$(BIN)/python scripts/gen_protos.py
