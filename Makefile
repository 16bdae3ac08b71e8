# Quick start: `make run` harvests config/sources.yaml into var/ewsi.sqlite; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow lint bench replay clean

# Python caches compiled modules (and pytest its rewritten test modules) in __pycache__ even where the
# environment says not to: every `ewsi` child of the tests would compile the project again (about
# 1.5 s of CPU each), every pytest worker its 230 test modules (about 10 s).
unexport PYTHONDONTWRITEBYTECODE

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/ewsi db upgrade
	$(BIN)/ewsi crawl

replay: $(STAMP)
	$(BIN)/ewsi db upgrade
	$(BIN)/ewsi crawl --config ../shared/corpus/sources.yaml --replay ../shared/corpus/snapshot.warc.gz

test: $(STAMP)
	$(BIN)/ewsi db upgrade
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 4 --dist loadfile -m "not serial and not waits and not slow" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -n 3 --dist load -m "waits and not heavy" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m "serial and not heavy" $(PYTEST_ARGS)

# the slow end-to-end harvests of the parallel part (corpus replays, incremental runs on both back
# ends) and the heaviest guard-rail tests of the other parts (marker `heavy`): left out of `make test`
# so that it stays under 30 minutes on 2 cores; run before a release
test-slow: $(STAMP)
	$(BIN)/ewsi db upgrade
	$(BIN)/python -m pytest -n 4 --dist loadfile -m "slow and not serial and not waits" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m "waits and heavy" $(PYTEST_ARGS)
	$(BIN)/python -m pytest -m "serial and heavy" $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/harvest_replay.py

clean:
	rm -rf var build *.egg-info
