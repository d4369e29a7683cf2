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
.PHONY: help venv report test lint unit check validate nbval browser facts lab refresh-notebooks benchmark airflow clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --compile-bytecode
	@touch $@

venv: $(VENV)/.synced ## create or update .venv from uv.lock

report: venv ## render every notebook × parameter set into reports/latest
	$(BIN)/python -m helpers render $(RENDER_ARGS)

test: lint check validate unit nbval ## everything that guards the project
	@echo "make test: all passed"

lint: venv ## ruff over the package, the tests, the notebooks, the benchmark and the Airflow DAG
	$(BIN)/ruff check src tests notebooks benchmarks deploy

check: venv ## every data check of every edition (schema, provenance, coverage, identities, cross-document, known discrepancies)
	@for e in data/editions/*/; do echo "== $$e"; $(BIN)/python -m helpers check --edition $$e || exit 1; done

validate: venv ## frictionless validation of every edition's datapackage.json (tables and the raw text's sha256)
	@for e in data/editions/*/; do $(BIN)/frictionless validate $${e}datapackage.json || exit 1; done

# UV: tests/test_airflow.py installs its pinned Airflow with the same uv, outside the project's lock.
unit: venv ## unit, property, regression, browser and Airflow tests, and doctests
	UV="$(UV)" CQ_GAZETTE_FIGURE_DIR=$$(mktemp -d) $(BIN)/python -m pytest -q --doctest-modules src tests

nbval: venv ## strict nbval over the committed notebooks (figures go to a temporary folder)
	CQ_GAZETTE_FIGURE_DIR=$$(mktemp -d) $(BIN)/python -m pytest -q --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

facts: venv ## every curated number as one CSV on stdout
	@$(BIN)/python -m helpers facts

lab: venv ## JupyterLab with the project's environment (its python3 kernel is .venv's)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)

refresh-notebooks: venv ## deliberately regenerate the committed notebooks (nbval references) and figures
	$(BIN)/python -m helpers render --refresh-notebooks

benchmark: venv ## render time against the papermill floor and papermill + nbconvert per job, as ratios
	$(BIN)/python benchmarks/render_benchmark.py $(BENCH_ARGS)

airflow: venv ## the Airflow DAG under a pinned Airflow 3 (installed once into .tools/ by the test)
	UV="$(UV)" $(BIN)/python -m pytest -q tests/test_airflow.py -k airflow

clean: ## remove the environment and render output
	rm -rf $(VENV) .tools reports
