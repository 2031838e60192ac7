# Quick start (see README.md):
#   make reports   set up .venv and build every report from the embedded sample data
#   make test      set up .venv and run lint + the test suite (tiers: tests/unit, tests/data, tests/integration)
#   make check     lint, layers and the unit tier only: the quick inner loop
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
JOBS   ?= 2

.PHONY: setup reports test check lint format benchmark sample clean

$(BIN)/doit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3" > /dev/null
	touch $@

setup: $(BIN)/doit

reports: setup
	$(BIN)/doit -n $(JOBS)

test: setup lint
	$(BIN)/python -m pytest

# the inner loop: lint, layers and the unit tier (tests/unit and the helpers' doctests), about a minute
check: setup lint
	$(BIN)/python -m pytest -q tests/unit src/helpers

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

sample: setup
	$(BIN)/doit generate_sample

benchmark: setup
	$(BIN)/python benchmarks/run_benchmark.py

# everything the build writes: reports/ and data/processed/ hold only build outputs besides their README
clean:
	rm -rf build .doit.db*
	find reports data/processed -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
