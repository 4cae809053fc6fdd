# Leifeng: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?= -n auto

.PHONY: run serve test lint format messages check-python bench

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "Leifeng needs Python 3.11 or newer (PYTHON=$(PYTHON))."; exit 1; }

$(VENV)/.installed: pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# Try it on one machine: SQLite, the Jincheng demo data, http://127.0.0.1:8000
run: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py demo
	@echo "Open http://127.0.0.1:8000 and log in with one of the accounts above."
	@# The background-job worker runs beside the development server; Ctrl-C stops both.
	DEBUG=1 $(PY) manage.py worker & DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000; \
		kill $$! 2>/dev/null || true

# The production server (gunicorn, DEBUG off) on this machine.
serve: $(VENV)/.installed
	$(VENV)/bin/leifeng serve

test: $(VENV)/.installed lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run > /dev/null || \
		{ echo "Models changed without a migration: run 'manage.py makemigrations'."; exit 1; }

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext: refresh the catalogue after changing strings, translate, then compile.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore ".venv/*" --ignore "var/*"
	$(PY) manage.py compilemessages -l zh_Hans --ignore ".venv/*"

# Not part of `make test` or CI (about 11 minutes): volunteer import and look-up figures as ratios
# to a bare bulk_create (BENCH_ROWS=5000 BENCH_SEARCH_ROWS=50000 for a quick run); sign-up under
# load through the production server as a ratio to the same transaction in bare SQL, and the
# activity list among 100,000 activities (BENCH_SECONDS=5 BENCH_ACTIVITIES=10000 for a quick
# run). PostgreSQL at BENCH_POSTGRES_URL (default postgres@127.0.0.1). The hours ledger among
# 1,000,000 volunteers and 10,000,000 entries: a batch of claims confirmed, the record page and
# `hours verify`, each as a ratio to bare SQL (about 2.5 minutes; BENCH_HOURS_VOLUNTEERS=20000).
# Reports to the city among 10,000,000 entries, 1,000,000 volunteers and 200,000 activities:
# the rollups' full rebuild, the city's year dashboard, a county's period figures and the Word
# report, beside the same figures from the raw rows in PostgreSQL and in DuckDB (the `bench`
# extra, installed here) (about 14 minutes, 10 of them the rebuild; BENCH_SCALE=0.01).
bench: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test,bench]"
	$(PY) -m bench.volunteers_import
	$(PY) -m bench.activities_signup
	$(PY) -m bench.hours_ledger
	$(PY) -m bench.reports_figures
