# JCP Learning. `make run` serves the demo; `make test` runs everything a change must pass.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
# Test processes (pytest-xdist). On the 2-core machines CI runs on, 2 cut the SQLite suite from 8:14 to 6:33 and
# the PostgreSQL one from 10:16 to 7:44; 1 runs everything in one process.
PYTEST_WORKERS ?= 2
PIP := $(PY) -m pip --disable-pip-version-check -q
MANAGE := $(PY) manage.py
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: run test lint format bench static migrate seed clean install install-dev help

help:
	@echo "make run    – install, migrate, seed the demo and serve http://127.0.0.1:8000 with the task worker"
	@echo "make test   – lint, migration check and the whole test suite (browser tests when Chromium is present)"
	@echo "make lint   – ruff lint and format check"
	@echo "make bench  – benchmarks under bench/, results in bench/results/*.json"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) install -r requirements-dev.txt
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

STATIC_SOURCES := $(shell find static_src -type f 2>/dev/null)
static/.stamp: node_modules/.stamp $(STATIC_SOURCES)
	npm run --silent build
	touch $@

install: $(VENV)/.runtime node_modules/.stamp static/.stamp
install-dev: $(VENV)/.dev node_modules/.stamp static/.stamp
static: static/.stamp

migrate: install
	$(MANAGE) migrate --no-input -v0

seed: migrate
	$(MANAGE) seed_demo > .seed_demo.json

run: seed
	./bin/serve

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: install-dev lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run -v1
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(PYTEST_WORKERS) --dist load $(PYTEST_ARGS)

bench: install-dev
	@mkdir -p bench/results
	@set -e; for script in bench/[!_]*.py; do echo "== $$script"; $(PY) $$script; done

clean:
	rm -rf static/css static/js static/.stamp staticfiles .seed_demo.json
