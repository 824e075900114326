# One command to run, one to test. Everything a fresh machine needs is installed from here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= research_platform.settings.local

.PHONY: help install system-deps db run dev worker test lint fmt lock bench clean-db fuzz

help:
	@echo "make run    - install, prepare the database, seed the demo study, serve on :8000 (gunicorn, Celery)"
	@echo "make dev    - the same with Django's autoreloading development server and DEBUG on"
	@echo "make test   - install, then ruff and the whole pytest suite"
	@echo "make bench  - the side-by-side performance benchmark"
	@echo "make lock   - recompile requirements.lock from requirements.in"

$(BIN)/.installed: requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	@touch $@

install: $(BIN)/.installed

# axe-core for the accessibility checks in the browser tests (pinned in package-lock.json).
node_modules/.installed: package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; \
	  else echo "npm is missing and cannot be installed here (needs root and apt-get)" >&2; exit 1; fi; \
	fi
	npm ci --no-audit --no-fund --silent
	@touch $@

# Debian's Chromium drives the browser tests (Playwright cannot download its own browser here);
# redis-server is started and stopped by the fault tests.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing and cannot be installed here (needs root and apt-get)" >&2; exit 1; \
	  fi; \
	fi
	@# The fault tests (tests/security/test_fault_*.py) start and stop a Redis of their own.
	@if ! command -v redis-server >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's redis-server for the fault tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else \
	    echo "redis-server is missing and cannot be installed here (needs root and apt-get)" >&2; exit 1; \
	  fi; \
	fi

db: install
	$(BIN)/python manage.py setup_platform

run: db
	@bash scripts/run.sh

# The developer's server: Django's autoreloading runserver with DEBUG on (one visitor at a time;
# never for participants: it starts a thread and a database connection per request).
dev: db
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver "0.0.0.0:$${PLATFORM_PORT:-8000}"

worker: install
	$(BIN)/celery -A research_platform worker --loglevel=INFO --concurrency=2

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install system-deps node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=research_platform.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

# A longer schemathesis run against both hosts' OpenAPI schemas (the suite runs 4 examples per operation).
fuzz: install
	DJANGO_SETTINGS_MODULE=research_platform.settings.test FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-60} \
	  $(BIN)/python -m pytest -q -p no:cacheprovider tests/security/test_fuzz.py $(PYTEST_ARGS)

lock: install
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock requirements.in
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links \
	  --output-file requirements-bench.lock requirements-bench.in

# Bench-only: pystan for the hBayesDM reference comparison (never needed by run or test).
$(BIN)/.bench-installed: $(BIN)/.installed requirements-bench.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements-bench.lock
	@touch $@

# The side-by-side benchmark (not part of `make test`): its own database, gunicorn, a Celery worker,
# Redis; prints a table and writes bench/results/latest.json. BENCH_ARGS=--quick checks the harness.
# The models section compares the study-level fit with hBayesDM's Stan programs, read from a mirror of
# github.com/CCS-Lab/hBayesDM (HBAYESDM_REPO; skipped with a message when absent).
bench: install $(BIN)/.bench-installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Stops the embedded cluster and removes its data (asks first).
clean-db:
	@read -p "Delete the embedded database under .pgdata/? [y/N] " ok && [ "$$ok" = y ] && \
	  ($(BIN)/python -c "import pgserver; pgserver.get_server('.pgdata', cleanup_mode='delete')" || true)
