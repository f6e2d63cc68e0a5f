# Two things most people need: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_WORKERS ?= 2

.PHONY: run test lint format install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## Start the service on SQLite with the demo province loaded (bot off without a token).
run: install
	$(BIN)/waystation serve --demo

## Run the test suite on SQLite and PostgreSQL (WAYSTATION_TEST_POSTGRES_URL, default the local `test` db),
## in PYTEST_WORKERS processes (pytest-xdist; each worker has databases of its own).
test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy stations bot scheduler

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
