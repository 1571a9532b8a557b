# leadsync — the two commands a newcomer needs: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo test lint typecheck unit years-ahead bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --editable '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv (if missing) and install leadsync with its dev tools

demo: $(STAMP) ## Run the demo: sandboxed CRMs, one sync, the funnel
	$(BIN)/leadsync demo

lint: $(STAMP) ## ruff lint + format check, import layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP) ## mypy --strict on leadsync/, adapters/ and benchmarks/
	$(BIN)/mypy --strict

unit: $(STAMP) ## pytest (warnings are errors)
	$(BIN)/pytest

# The tests whose code reads time (sandboxes, adapters, engine, the commands that run on the
# system clock, scheduler, scoring and stages), again with the process clock (and every child
# process's) five years ahead: a test that reads today's date instead of its clock fails here.
AHEAD_PACKAGES := tests/sandbox tests/hubspot tests/salesforce tests/contract tests/engine \
	tests/cli/test_demo_and_sync.py tests/cli/test_check_live.py tests/unit/test_scheduler.py \
	tests/unit/test_clock.py tests/unit/definitions/test_scoring.py tests/unit/definitions/test_stages.py \
	tests/unit/definitions/test_article_cases.py
years-ahead: $(STAMP) ## the time-reading test packages again, the clock moved five years ahead
	$(BIN)/pytest --clock-years-ahead=5 -q $(AHEAD_PACKAGES)

test: lint typecheck ## The one command that says "the project is green"
	@# Both pytest runs at once: each waits on sandboxes and child processes much of the time.
	$(MAKE) --no-print-directory -j2 --output-sync=target unit years-ahead

bench: $(STAMP) ## Benchmarks: figures printed and written to docs/benchmarks.md
	$(PY) -m benchmarks

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache
