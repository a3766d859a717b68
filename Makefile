# OpenASC. Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
OPENASC := $(VENV)/bin/openasc
PEOPLE ?= 5000
SEED ?= 2026

.PHONY: install demo serve test test-fast lint bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt pyproject.toml package.json package-lock.json frontend/build.mjs frontend/scss/app.scss $(wildcard frontend/js/*)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	touch $@

## install: create .venv, install pinned Python and npm dependencies, build the front end
install: $(VENV)/.installed

## demo: build a synthetic council on SQLite and serve it on http://127.0.0.1:8000, with a background worker
# DEBUG=1 only so that the session cookie works over plain http on 127.0.0.1.
demo: install
	DEBUG=1 $(OPENASC) demo --seed $(SEED) --people $(PEOPLE) --reset
	DEBUG=1 $(OPENASC) audit verify
	@echo "Serving on http://127.0.0.1:8000, with a worker for background jobs (Ctrl+C stops both)"
	@DEBUG=1 $(OPENASC) worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(OPENASC) runserver 127.0.0.1:8000 --noreload

## test: the whole suite (unit, API, permission matrix, browser journeys with axe), one worker per core
## (TEST_WORKERS=0 runs it in one process; a file's tests stay on one worker, so its fixtures are built once)
TEST_WORKERS ?= auto
test: install lint
	$(VENV)/bin/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

## lint: Ruff's checks and its formatting (make test runs it first)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## bench: speed figures for the 200,000-person council, then `openasc serve` under 8 and 32 users (SQLite and PostgreSQL)
bench: install
	$(PY) bench/run.py
	$(PY) bench/cld.py
	$(PY) bench/money.py
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) node_modules openasc/ui/static/ui
