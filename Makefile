# The two commands a newcomer needs: `make run` and `make test` (see README.md).
.PHONY: run test lint typecheck pytest pytest-ahead setup setup-test bench

VENV := .venv/bin

# `doorstep demo` creates the demo community only when it is missing: starting never destroys data.
run: setup
	$(VENV)/doorstep demo
	$(VENV)/doorstep serve

setup:
	@scripts/setup.sh

setup-test:
	@DOORSTEP_SETUP=test scripts/setup.sh

test: setup-test lint typecheck pytest pytest-ahead

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/lint-imports

typecheck:
	$(VENV)/mypy app tests migrations

pytest:
	$(VENV)/pytest -n 2 -q

# The suite again with the clock a year ahead, so that no test depends on the day it was
# written. Browser tests and tests that start a worker process are left out: those processes
# keep the real clock, a year behind the test's.
pytest-ahead:
	DOORSTEP_TEST_CLOCK_SHIFT_DAYS=365 $(VENV)/pytest -n 2 -q -m "not browser and not real_clock"

bench: setup
	$(VENV)/python bench/api.py
	$(VENV)/python bench/documents.py
	$(VENV)/python bench/planner.py
	$(VENV)/python bench/verification.py
	$(VENV)/python bench/warnings.py
