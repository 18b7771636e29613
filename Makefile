# Two entry points do all the set-up on a fresh machine:
#   make run   - install, migrate the database, serve the API on 127.0.0.1:8000
#   make test  - install, lint, run the whole test suite (SQLite and PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format migrate clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/crsv-registry serve

migrate: $(INSTALLED)
	$(BIN)/crsv-registry migrate

lint: $(INSTALLED)
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench

test: lint
	$(BIN)/python -m pytest

format: $(INSTALLED)
	$(BIN)/ruff format app tests migrations bench
	$(BIN)/ruff check --fix app tests migrations bench

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
