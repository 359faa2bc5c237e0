# Boca monorepo. `make run` serves the showcase; `make test` runs every check.
# Both build their own environment in .venv from nothing but Python 3.10+ and pip.

PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PACKAGES := boca-core boca-templates boca-static boca-middleware boca-openapi boca-channels
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install system run test lint format types versions unit docs docs-serve packaging bench release clean matrix fuzz soak

help: ## List every target
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(foreach p,$(PACKAGES),packages/$(p)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --group dev $(foreach p,$(PACKAGES),-e packages/$(p))
	touch $(STAMP)

install: $(STAMP) ## Build the development environment in .venv (editable installs + dev tools)

run: $(STAMP) ## Serve the showcase app on http://127.0.0.1:8000 (its migrations applied first)
	$(BIN)/alembic -c showcase/alembic.ini upgrade head
	$(BIN)/boca run showcase.app:app --host $(HOST) --port $(PORT)

# GNU make 4 prints each target's output in one piece when it ends (-O); older makes interleave.
SYNC := $(if $(filter output-sync,$(.FEATURES)),--output-sync=target,)

test: lint types versions docs ## Run every check: lint, types, versions, docs, then the test suites at once
	@echo "unit (with coverage), matrix and packaging run at once: each one's output follows when it ends"
	@$(MAKE) --no-print-directory -k -j3 $(SYNC) unit matrix packaging


lint: $(STAMP) ## ruff format --check and ruff check
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP) ## Format and autofix the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

types: $(STAMP) ## mypy --strict over every package
	$(BIN)/mypy --strict

versions: $(STAMP) ## Check each package's version, __version__ and newest CHANGELOG entry agree
	$(BIN)/python scripts/check_versions.py

system: ## Install the services the tests run for real (Chromium, redis-server, PostgreSQL) when missing
	sh scripts/system_deps.sh

unit: $(STAMP) system ## All tests (packages and tests/) with line+branch coverage per package
	rm -f .coverage .coverage.*
	$(BIN)/python -m pytest -m "not packaging" --cov --cov-report= -q
	$(BIN)/python -m coverage combine -q || true
	$(BIN)/python scripts/coverage_report.py

MATRIX ?= 3.10 3.11 3.12 3.13
matrix: $(STAMP) system ## The test suite on every other supported Python found (nox, in parallel, no coverage)
	$(BIN)/python scripts/matrix.py --versions "$(MATRIX)" --skip $$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')

FUZZ_SECONDS ?= 60
fuzz: $(STAMP) ## Coverage-guided fuzzing (atheris) of each harness for FUZZ_SECONDS; crashes saved under tests/fuzz/corpus/
	$(BIN)/python tests/fuzz/run.py --seconds $(FUZZ_SECONDS)

SOAK_REQUESTS ?= 1000000
soak: $(STAMP) ## 1,000,000 keep-alive requests against `boca run` over a mix; RSS and fds over time
	$(BIN)/python benchmarks/soak.py --requests $(SOAK_REQUESTS)

docs: $(STAMP) ## Build the documentation site with --strict
	$(BIN)/mkdocs build --strict --quiet

docs-serve: $(STAMP) ## Serve the documentation on http://127.0.0.1:8001 with live reload
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8001

packaging: $(STAMP) system ## Build each wheel with poetry, check its contents, install it alone and run its tests
	$(BIN)/python -m pytest -m packaging tests/packaging -q -p no:cacheprovider

bench: $(STAMP) ## Boca vs Starlette, interleaved, in-process (ratios)
	$(BIN)/python benchmarks/run.py

release: $(STAMP) ## Bump a package and date its CHANGELOG: make release PKG=core PART=minor
	@test -n "$(PKG)" -a -n "$(PART)" || { echo "usage: make release PKG=core PART=minor"; exit 2; }
	$(BIN)/python scripts/release.py $(PKG) $(PART)

clean: ## Remove the environment and build artefacts
	rm -rf $(VENV) site dist packages/*/dist .coverage .coverage.* .mypy_cache .ruff_cache .pytest_cache .nox
