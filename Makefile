# Two entry points do all the set-up on a fresh machine:
#   make run   - install, migrate the database, serve the API on 127.0.0.1:8000
#   make test  - install, lint, run the whole test suite (SQLite and PostgreSQL)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# Every dependency pinned with its hashes, `make lock` writes both: the service's own (the
# container installs it) and, with the same versions, the service's and the dev tools'.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
SOURCES := app tests migrations $(wildcard bench)

.PHONY: run test lint format migrate bench clean messages browser lock
INCIDENTS ?= 100000
BENCH_SECONDS ?= 20

$(INSTALLED): pyproject.toml $(DEV_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "$(DEV_LOCK) lacks what pyproject.toml asks for: run make lock"; exit 1; }
	touch $(INSTALLED)

# Pin what pyproject.toml asks for. Pins already in the lock are kept when they still fit;
# `make lock UPGRADE=1` moves every one to its newest release.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile $(PIN_OPTIONS) --output-file $(LOCK) pyproject.toml
	$(BIN)/pip-compile $(PIN_OPTIONS) --extra dev --constraint $(LOCK) \
		--output-file $(DEV_LOCK) pyproject.toml

PIN_OPTIONS = --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
	--no-emit-find-links $(if $(UPGRADE),--upgrade)

run: $(INSTALLED)
	$(BIN)/crsv-registry serve

migrate: $(INSTALLED)
	$(BIN)/crsv-registry migrate

lint: $(INSTALLED)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

# On every core (pytest-xdist), a test file to a worker: each worker has its own databases, and a
# file's tests share the servers they start.
test: lint browser
	$(BIN)/python -m pytest --numprocesses auto --dist loadfile

# The browser tests drive Debian's Chromium. Installed here when missing and we may (root, or
# password-less sudo); otherwise those tests are skipped, with a message (in CI they fail).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif sudo -n true 2>/dev/null; then SUDO=sudo; \
	  else echo "Chromium is missing and cannot be installed here: browser tests will be skipped."; exit 0; fi; \
	  echo "Installing Chromium for the browser tests..."; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

# The list measure drives the service with wrk (Debian's package), installed here when missing.
bench: $(INSTALLED)
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "Installing wrk for the HTTP measures..."; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; \
	fi
	@if ! command -v pgbench >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  echo "Installing pgbench for the PostgreSQL baselines..."; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql-client >/dev/null; \
	  command -v pgbench >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql-contrib >/dev/null; \
	fi
	$(BIN)/python -m bench.run --incidents $(INCIDENTS) --seconds $(BENCH_SECONDS) \
		$(if $(PROFILE),--profile $(PROFILE)) $(if $(RESULTS),--results $(RESULTS))

format: $(INSTALLED)
	$(BIN)/ruff format $(SOURCES)
	$(BIN)/ruff check --fix $(SOURCES)

# Collect the interface's messages and merge them into each language's catalogue.
messages: $(INSTALLED)
	mkdir -p data
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k FieldProblem:2 -k ValueError:1 -k ConflictError:1 \
		--no-location --omit-header --sort-output -o data/messages.pot .
	$(BIN)/pybabel update -i data/messages.pot -d app/web/locales -D messages \
		--no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
