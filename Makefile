# Two commands do everything: `make report` and `make test`. `make help` lists the rest.
# On a machine with only Python >= 3.11 and make, the first target run bootstraps uv into .tools/
# and creates .venv/ from uv.lock with bytecode compiled.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export UV_COMPILE_BYTECODE := 1
export UV_PROJECT_ENVIRONMENT := $(VENV)

.DEFAULT_GOAL := help
.PHONY: help venv wheel report test test-fast suite lint unit check validate nbval browser facts lab refresh-notebooks benchmark airflow clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --compile-bytecode
	@touch $@

venv: $(VENV)/.synced ## create or update .venv from uv.lock

wheel: venv ## build the installable wheel into dist/ (data, vocabulary, notebooks and render.yaml as package data)
	$(UV) build --wheel --out-dir dist

report: venv ## render every notebook × parameter set into reports/latest
	$(BIN)/python -m helpers render $(RENDER_ARGS)

# Tests run on every core (pytest-xdist). --dist loadscope keeps a notebook's nbval cells (one kernel)
# and a module's fixtures on one worker; renders shared by many tests are made once (tests/conftest.py).
# One worker more than cores: part of the suite waits on Chromium, JupyterLab and Airflow's scheduler,
# and the extra worker fills those gaps (2-core machine: 304 s against 320 s with two workers).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
# Bytecode is written during the tests even where PYTHONDONTWRITEBYTECODE is set (as on the development
# machine): the project's own modules and pytest's rewritten test modules are otherwise compiled again
# in every worker, kernel and command the suite starts (collection alone: 8.4 s → 5.0 s a worker).
# The __pycache__ folders are git-ignored and left out of the wheel.
PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

# `make check` and `make validate` run inside the suite too (tests/test_editions.py), beside the other tests.
test: lint suite ## everything that guards the project (about 5 minutes on 2 cores: 4 min 31 s to 5 min 15 s on clean clones, 2026-12-07)
	@echo "make test: all passed"

test-fast: venv ## after every edit (about 60 s): lint and every test that executes no notebook, browser or Airflow
	$(BIN)/ruff check src tests notebooks benchmarks deploy
	CQ_GAZETTE_FIGURE_DIR=$$(mktemp -d) CQ_GAZETTE_CACHE=$$(mktemp -d) $(PYTEST) -m "not slow" --durations=5 --doctest-modules src tests

# One pytest session for unit, property, regression, browser and Airflow tests, doctests and strict nbval
# over the committed notebooks, so that its renders are shared; the 15 slowest tests are printed at its end.
# UV: tests/test_airflow.py installs its pinned Airflow with the same uv, outside the project's lock.
suite: venv
	UV="$(UV)" CQ_GAZETTE_FIGURE_DIR=$$(mktemp -d) CQ_GAZETTE_CACHE=$$(mktemp -d) $(PYTEST) --durations=15 --doctest-modules $(NBVAL) src tests notebooks

lint: venv ## ruff over the package, the tests, the notebooks, the benchmark and the Airflow DAG
	$(BIN)/ruff check src tests notebooks benchmarks deploy

check: venv ## every data check of every edition (schema, provenance, coverage, identities, cross-document, known discrepancies)
	@for e in data/editions/*/; do echo "== $$e"; $(BIN)/python -m helpers check --edition $$e || exit 1; done

validate: venv ## frictionless validation of every edition's datapackage.json (tables and the raw text's sha256)
	@for e in data/editions/*/; do $(BIN)/frictionless validate $${e}datapackage.json || exit 1; done

# UV: tests/test_airflow.py installs its pinned Airflow with the same uv, outside the project's lock.
unit: venv ## unit, property, regression, browser and Airflow tests, and doctests (no nbval)
	UV="$(UV)" CQ_GAZETTE_FIGURE_DIR=$$(mktemp -d) CQ_GAZETTE_CACHE=$$(mktemp -d) $(PYTEST) --durations=15 --doctest-modules src tests

nbval: venv ## strict nbval over the committed notebooks (figures go to a temporary folder)
	CQ_GAZETTE_FIGURE_DIR=$$(mktemp -d) CQ_GAZETTE_CACHE=$$(mktemp -d) $(PYTEST) $(NBVAL) notebooks

facts: venv ## every curated number as one CSV on stdout
	@$(BIN)/python -m helpers facts

# The committed notebooks are nbval's references: Lab opens git-ignored copies kept in step with them
# (helpers/lab.py), and what a notebook run there draws goes to scratch/figures/.
lab: venv ## JupyterLab on scratch copies of the notebooks (LAB_LANG=en for English; nothing committed is written)
	$(BIN)/python -m helpers lab $(if $(LAB_LANG),--lang $(LAB_LANG)) $(if $(LAB_ARGS),-- $(LAB_ARGS))

refresh-notebooks: venv ## deliberately regenerate the committed notebooks (nbval references) and figures
	$(BIN)/python -m helpers render --refresh-notebooks

benchmark: venv ## render time against the papermill floor and papermill + nbconvert per job, as ratios
	$(BIN)/python benchmarks/render_benchmark.py $(BENCH_ARGS)

airflow: venv ## the Airflow DAG under a pinned Airflow 3 (installed once into .tools/ by the test)
	UV="$(UV)" $(BIN)/python -m pytest -q tests/test_airflow.py -k airflow

clean: ## remove the environment and render output
	rm -rf $(VENV) .tools reports
