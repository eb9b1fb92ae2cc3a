# The front door. `make run` builds everything on the shipped sample, `make run VARS_FILE=x.yml`
# on your own file; `make test` runs every check. Both create the virtual environment first, so
# a fresh clone needs only Python 3.11 and make.

PYTHON_BOOTSTRAP ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)
# dbt writes anonymous usage events by default; this project runs offline.
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

# Where `make test` builds, so that checks never touch the database `make run` fills.
TEST_DUCKDB_PATH ?= $(CURDIR)/target/test.duckdb

# The database every command works on (profiles.yml reads it too).
export DUCKDB_PATH ?= customer_segmentation.duckdb
# A YAML file of dbt vars for your own customer file: `make run VARS_FILE=my_export.vars.yml`.
# The build records its vars in the database; publish, report, docs and metrics then work on
# that database's file without it, and refuse a VARS_FILE it was not built with.
VARS_FILE ?=
VARS_FILE_ARG = $(if $(VARS_FILE),--vars-file "$(VARS_FILE)")
DBT_VARS = $(BIN)/python -m customer_segmentation.build_record dbt-vars $(VARS_FILE_ARG)

.DEFAULT_GOAL := help

.PHONY: help setup spark-setup java spark lock-spark browser run build publish report test lint lint-sql lint-python pytest dbt-test-build dbt-score docs metrics export sample sample-export bench lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv/ from the pinned requirements

# Spark has its own environment: pyspark is about 600 MB the DuckDB set-up does without.
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed

$(SPARK_STAMP): requirements-spark.txt pyproject.toml
	@test -x $(SPARK_VENV)/bin/python || $(PYTHON_BOOTSTRAP) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --upgrade "pip>=24"
	$(SPARK_VENV)/bin/python -m pip install --quiet -r requirements-spark.txt
	$(SPARK_VENV)/bin/python -m pip install --quiet --no-deps -e .
	@touch $(SPARK_STAMP)

spark-setup: $(SPARK_STAMP) java ## Create .venv-spark/ (dbt-spark, pyspark) and install Java where missing

# The docs-site test drives Debian's chromium; apt needs root, hence sudo for other users.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser: ## Install Debian's chromium (for the docs-site test) where it is missing
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the docs-site test"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends chromium; }

# Spark runs on the JVM: Debian's Java 17 runtime (the newest this release has).
java: ## Install Debian's Java 17 runtime (for Spark) where no java is found
	@command -v java >/dev/null 2>&1 || { \
		echo "Installing Debian's Java 17 runtime for Spark"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless; }

# README, "Running on Spark or Databricks": the sample through both engines, marts compared.
spark: setup spark-setup ## Build the sample (or VARS_FILE's file) on DuckDB and on a local Spark session; compare the marts
	$(BIN)/python -m customer_segmentation.engine_comparison --spark-python $(SPARK_VENV)/bin/python \
		--work-dir target/engine_comparison $(VARS_FILE_ARG)

run: build publish report ## Set up, build models and data tests (VARS_FILE=... for your file), publish, report

# Unit tests check the project's code, not the user's file: `make test` runs them; a
# production build leaves them out, as dbt advises.
build: setup
	@dbt_vars=$$($(DBT_VARS) --for build) && \
		echo "$(BIN)/dbt build --exclude-resource-type unit_test --vars '$$dbt_vars'" && \
		$(BIN)/dbt build --exclude-resource-type unit_test --vars "$$dbt_vars"

PUBLISH_DIR ?= published
publish: setup ## Write the marts as Parquet to $(PUBLISH_DIR)/, only if the last build passed
	$(BIN)/python -m customer_segmentation.publish --out $(PUBLISH_DIR) $(VARS_FILE_ARG)

report: setup ## Write reports/segmentation_report.pdf and reports/figures/*.png from the marts
	$(BIN)/python -m customer_segmentation.report --out reports $(VARS_FILE_ARG)

test: setup browser lint dbt-test-build dbt-score spark pytest ## Set up, lint, build with all dbt tests, score the manifest, run pytest, compare with Spark

lint: lint-python lint-sql ## ruff and sqlfluff

lint-python: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-sql: setup
	DUCKDB_PATH=$(TEST_DUCKDB_PATH) $(BIN)/sqlfluff lint models macros tests analyses

dbt-test-build: setup
	@mkdir -p $(dir $(TEST_DUCKDB_PATH))
	rm -f $(TEST_DUCKDB_PATH)
	DUCKDB_PATH=$(TEST_DUCKDB_PATH) $(BIN)/dbt build

# Scores the manifest the test build just wrote; thresholds live in pyproject.toml.
dbt-score: setup
	$(BIN)/dbt-score lint --manifest target/manifest.json

pytest: setup
	$(BIN)/pytest

# dbt docs generate runs on-run-start, which reloads the customer file: with the vars the
# database was built with, never the sample's.
docs: setup ## Generate the docs site (with the database's build vars) and serve it on 127.0.0.1:8080
	@dbt_vars=$$($(DBT_VARS) --for later) && \
		echo "$(BIN)/dbt docs generate --vars '$$dbt_vars'" && \
		$(BIN)/dbt docs generate --vars "$$dbt_vars"
	$(BIN)/dbt docs serve --host 127.0.0.1 --port 8080 --no-browser

METRICS ?= customers,share_of_customers,revenue,revenue_per_customer,average_purchase
GROUP_BY ?= customer__persona_name
# mf reads target/semantic_manifest.json, whose relations name the database they were parsed
# for (DuckDB names it after the file): parse again for $(DUCKDB_PATH) and its build's vars.
metrics: setup ## Validate the semantic layer and query it (METRICS=..., GROUP_BY=...) after a build
	@dbt_vars=$$($(DBT_VARS) --for later) && \
		echo "$(BIN)/dbt parse --quiet --vars '$$dbt_vars'" && \
		$(BIN)/dbt parse --quiet --vars "$$dbt_vars"
	$(BIN)/mf validate-configs
	$(BIN)/mf query --metrics $(METRICS) --group-by $(GROUP_BY) --decimals 2

TABLE ?= customers_rejected
export: setup ## Write a mart as spreadsheet-safe CSV to exports/ (TABLE=customers_rejected)
	$(BIN)/python -m customer_segmentation.export $(TABLE) --out exports/$(TABLE).csv

sample: setup ## Regenerate the committed sample and its truth file
	$(BIN)/python -m customer_segmentation.sample_data --rows 5000 --seed 42 \
		--out data/customers_sample.csv --truth data/customers_sample_truth.csv

sample-export: setup ## Regenerate data/marketing_export_sample.csv (export layout: no id, birth year, dates, split spend)
	$(BIN)/python -m customer_segmentation.sample_exports --rows 2000 --seed 7 --as-of 2026-06-30 \
		--damaged-share 0.02 --out data/marketing_export_sample.csv

# Benchmark file sizes in rows; SIZE=100000000 runs that one size instead. Files, databases
# and logs are kept in bench/data/ (gitignored); the figures update the committed
# bench/results.json and bench/RESULTS.md for the sizes measured, keeping the others.
SIZES ?= 100000 1000000 10000000
SIZE ?=
REPEAT ?= 1
bench: setup ## Time a pandas notebook against the build, publish and report at SIZES rows (or one SIZE)
	$(BIN)/python bench/notebook_vs_project.py --sizes $(or $(SIZE),$(SIZES)) --repeat $(REPEAT)

lock: setup ## Re-pin requirements.txt from requirements.in
	$(BIN)/python -m pip install --quiet -r requirements.in
	{ echo '# Pinned from requirements.in with `make lock`; do not edit by hand.'; \
	  $(BIN)/python -m pip freeze --exclude-editable; } > requirements.txt

lock-spark: spark-setup ## Re-pin requirements-spark.txt from requirements-spark.in (shared packages as requirements.txt)
	@mkdir -p target
	grep -v -E '^pandas==' requirements.txt > target/spark-constraints.txt
	$(SPARK_VENV)/bin/python -m pip install --quiet -r requirements-spark.in -c target/spark-constraints.txt
	{ echo '# Pinned from requirements-spark.in with `make lock-spark`; do not edit by hand.'; \
	  $(SPARK_VENV)/bin/python -m pip freeze --exclude-editable; } > requirements-spark.txt

clean: ## Remove build outputs (keeps .venv/)
	rm -rf target logs dbt_packages reports exports published *.duckdb
