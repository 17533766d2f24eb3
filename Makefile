# The two commands a newcomer needs: `make run` and `make test` (see README.md).
.PHONY: run test lint typecheck pytest setup setup-test bench

VENV := .venv/bin

run: setup
	$(VENV)/doorstep demo
	$(VENV)/doorstep serve

setup:
	@scripts/setup.sh

setup-test:
	@DOORSTEP_SETUP=test scripts/setup.sh

test: setup-test lint typecheck pytest

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

typecheck:
	$(VENV)/mypy app

pytest:
	$(VENV)/pytest -n 2 -q

bench: setup
	$(VENV)/python bench/api.py
	$(VENV)/python bench/documents.py
	$(VENV)/python bench/planner.py
	$(VENV)/python bench/verification.py
