# The two commands a newcomer types: `make demo` and `make test`.
# Both create .venv and install wfm with its dev tools when missing or when pyproject.toml changed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/wfm demo --out demo-plan

lint: $(STAMP)
	$(BIN)/ruff check wfm tests benchmarks cli.py
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q

# `make bench BENCH_ARGS=--quick` for a short run; results land in benchmarks/results/.
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo-plan build dist .pytest_cache .mypy_cache .ruff_cache
