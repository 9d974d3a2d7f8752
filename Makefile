# FBA Planner: `make demo` runs the whole product locally; `make test` runs the suite.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv test lint demo worker bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# A developer checkout: the runtime lock plus the test and lint tools (requirements-dev.txt pulls
# in requirements.txt). A change to either file reinstalls. Deployments install requirements.txt.
$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy integrations forecasting jobs app

demo: $(STAMP)
	$(BIN)/python -m app.demo

worker: $(STAMP)
	$(BIN)/flask --app wsgi worker

# Each benchmark is its own script (see bench/RESULTS.md for the exact commands and results);
# forecast.py's peers need pandas<3 and run from a separate venv, as RESULTS.md shows.
bench: $(STAMP)
	$(BIN)/python bench/simulator_gen.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/replay.py --forecaster product --skus 240 --paths 100
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
