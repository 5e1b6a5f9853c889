# Every target works on a fresh machine with only Python and pip: the first one that needs
# the virtual environment creates it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint bench demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/api_calls.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/manifest_bench.py

demo: install
	bash scripts/demo.sh

clean:
	rm -rf $(VENV) dist build .pytest_cache .ruff_cache .hypothesis
