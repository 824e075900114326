# One command to run, one to test. Everything a fresh machine needs is installed from here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= research_platform.settings.local

.PHONY: help install system-deps db run worker test lint fmt lock bench clean-db

help:
	@echo "make run    - install, prepare the database, seed the demo study, serve on :8000"
	@echo "make test   - install, then ruff and the whole pytest suite"
	@echo "make bench  - the side-by-side performance benchmark"
	@echo "make lock   - recompile requirements.lock from requirements.in"

$(BIN)/.installed: requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	@touch $@

install: $(BIN)/.installed

# Debian's Chromium drives the browser tests (Playwright cannot download its own browser here).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing and cannot be installed here (needs root and apt-get)" >&2; exit 1; \
	  fi; \
	fi

db: install
	$(BIN)/python manage.py setup_platform

run: db
	@bash scripts/run.sh

worker: install
	$(BIN)/celery -A research_platform worker --loglevel=INFO --concurrency=2

lint: install
	$(BIN)/ruff check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install system-deps
	$(BIN)/ruff check .
	DJANGO_SETTINGS_MODULE=research_platform.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

lock: install
	$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock requirements.in

# Stops the embedded cluster and removes its data (asks first).
clean-db:
	@read -p "Delete the embedded database under .pgdata/? [y/N] " ok && [ "$$ok" = y ] && \
	  ($(BIN)/python -c "import pgserver; pgserver.get_server('.pgdata', cleanup_mode='delete')" || true)
