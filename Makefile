# FBA Planner: `make demo` runs the whole product locally; `make test` runs the suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
LOCK_TOOL ?= pip-compile
LOCK_FLAGS := --generate-hashes --strip-extras --no-emit-find-links --no-emit-index-url

.PHONY: venv test lint demo worker bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Both locks carry hashes, so pip installs in hash-checking mode. The demo and the worker need the
# runtime lock only; a developer checkout installs requirements-dev.txt, which holds the runtime
# set too (at the same versions) plus the test and lint tools. Either order works in one .venv:
# pip skips what is already installed. A change to a lock reinstalls.
$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $(RUNTIME_STAMP)

$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# Two processes (pytest-xdist), one per core, whole files to each so module fixtures are built
# once; tests/conftest.py gives each worker its own PostgreSQL database and Redis index.
# `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy integrations forecasting jobs app

demo: $(RUNTIME_STAMP)
	$(BIN)/python -m app.demo

worker: $(RUNTIME_STAMP)
	$(BIN)/flask --app wsgi worker

# Each benchmark is its own script (see bench/RESULTS.md for the exact commands and results);
# forecast.py's peers need pandas<3 and run from a separate venv, as RESULTS.md shows.
bench: $(STAMP)
	$(BIN)/python bench/simulator_gen.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/replay.py --forecaster product --skus 240 --paths 100
	$(BIN)/python bench/web.py

# Recompile the locks from requirements.in / requirements-dev.in (pip-tools in a venv of its own:
# `make lock LOCK_TOOL=/tmp/piptools/bin/pip-compile`). Not PIP_COMPILE: make exports command-line
# variables, and pip reads PIP_COMPILE as its --compile option. Existing pins are kept unless an
# .in file moves them; the runtime lock constrains the dev one.
lock:
	$(LOCK_TOOL) -q $(LOCK_FLAGS) -o requirements.txt requirements.in
	$(LOCK_TOOL) -q $(LOCK_FLAGS) -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
