# Two entry points do all the set-up on a fresh machine:
#   make run   - install, migrate the database, serve the API on 127.0.0.1:8000
#   make test  - install, lint, run the whole test suite (SQLite and PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SOURCES := app tests migrations $(wildcard bench)

.PHONY: run test lint format migrate bench clean messages
INCIDENTS ?= 100000

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
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

test: lint
	$(BIN)/python -m pytest

bench: $(INSTALLED)
	$(BIN)/python -m bench.run --incidents $(INCIDENTS) --results bench/RESULTS.md

format: $(INSTALLED)
	$(BIN)/ruff format $(SOURCES)
	$(BIN)/ruff check --fix $(SOURCES)

# Collect the interface's messages and merge them into each language's catalogue.
messages: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k FieldProblem:2 -k ValueError:1 \
		--no-location --omit-header --sort-output -o data/messages.pot .
	$(BIN)/pybabel update -i data/messages.pot -d app/web/locales -D messages \
		--no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
