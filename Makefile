# Every target works on a fresh machine with only Python and pip: the first one that needs
# the virtual environment creates it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint bench demo clean oracle fuzz precommit

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The independent IAM evaluator of the differential tests (tests/test_oracle.py): an npm
# package run as a separate Node process at test time, never shipped. Without Node the tests
# say so and skip.
ORACLE := tests/oracle/node_modules/.installed

$(ORACLE): tests/oracle/package.json tests/oracle/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/oracle && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the differential tests against the independent evaluator will be skipped"; fi

oracle: $(ORACLE)

# The pre-commit hook's environment for tests/test_precommit.py, in .cache/pre-commit (the
# tests' PRE_COMMIT_HOME): installed from a commit of the working tree (tests/precommit_env.py
# says why not try-repo), again only when the code changed. Without git or the package index
# the tests say so and skip (and fail where CI is set).
precommit: install
	$(BIN)/python -m tests.precommit_env

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint oracle precommit
	$(BIN)/python -m pytest

# A large differential run (make test runs a fixed-seed slice of a few hundred cases).
fuzz: install oracle
	ORACLE_CASES=$${ORACLE_CASES:-20000} ORACLE_SEED=$${ORACLE_SEED:-$$(date +%s)} $(BIN)/python -m pytest tests/test_oracle.py -q -s

bench: install
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/api_calls.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/manifest_bench.py

demo: install
	bash scripts/demo.sh

clean:
	rm -rf $(VENV) dist build .pytest_cache .ruff_cache .hypothesis tests/oracle/node_modules .cache
