# Every target works on a fresh machine with only Python and pip: the first one that needs
# the virtual environment creates it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test check lint bench demo clean oracle sarif-multitool fuzz action-venv precommit

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

# Microsoft's SARIF multitool for tests/test_sarif.py (its GitHub and SARIF rules): an npm
# package whose platform binary the test runs directly. Without npm the test says so and skips
# (and fails where CI is set).
SARIF_TOOL := tests/sarif/node_modules/.installed

$(SARIF_TOOL): tests/sarif/package.json tests/sarif/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/sarif && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the SARIF multitool test will be skipped"; fi

sarif-multitool: $(SARIF_TOOL)

# The GitHub Action as GitHub runs it (tests/github_action.py): a clean .venv-action, and
# action.yml's install step run in it (from this checkout, never from an index by name). The
# tests of the Action's run step use it; without it they skip, or fail when CI is set. Made
# again whenever the package, its data, pyproject.toml or action.yml change.
ACTION_VENV  := .venv-action
ACTION_STAMP := $(ACTION_VENV)/.installed
ACTION_SOURCES := $(shell find provisioner policies -type f -not -path '*/__pycache__/*') pyproject.toml action.yml

$(ACTION_STAMP): $(STAMP) tests/github_action.py $(ACTION_SOURCES)
	$(BIN)/python -m tests.github_action install $(ACTION_VENV)

action-venv: $(ACTION_STAMP)

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

# The suite has two tiers (tests/conftest.py; README, "What the tests exercise"):
#   make check  the fast tier, for the inner loop: no server, no process, no browser, no Node
#               (pytest -m "not slow"; tests/e2e/ is slow as a whole and not even collected),
#               on CHECK_WORKERS processes: about 17 s on two workers here, 33 s in one process.
#   make test   lint, the installs the slow tier needs (above), then every test of both tiers
#               on PYTEST_WORKERS processes (pytest-xdist; each worker starts its own moto
#               server). Three workers on two cores, because many slow tests wait on a server, a
#               browser or a sleep: 115 s here, against 149 s on two and 132 s on four.
#               PYTEST_WORKERS=0 runs them in this process, for pdb.
# --dist worksteal: a worker that runs out of tests takes some of another's (the longest tests
# otherwise leave one worker alone at the end).
PYTEST_WORKERS ?= 3
CHECK_WORKERS ?= 2

check: install
	$(BIN)/python -m pytest -m "not slow" --ignore=tests/e2e -q -n $(CHECK_WORKERS) --dist worksteal

test: lint oracle sarif-multitool action-venv precommit
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal

# A large differential run with a fresh seed (make test runs a fixed-seed slice of 400 cases per
# test): 100,000 cases for each of the chain, data-perimeter, trust and key-policy tests, and an
# eighth of that for the free-key verdicts (each asks the oracle at some forty values): 18
# minutes at nice 19 on two cores shared with another run. Then the
# trust analysis against the same evaluator (tests/test_trust_analysis_oracle.py): ORACLE_TRUSTS
# distinct trusts analysed on ORACLE_WORKERS processes; ORACLE_MINUTES, when set, stops analysing
# new trusts after that long and reports what was compared. About 880 trusts a minute on two
# idle processes here (StringLike without regular expressions; the slowest trust a second or
# two), so 100,000 is a run of about two hours: ORACLE_MINUTES=50 gives the figures of what fits
# in an hour. Then diff against the same evaluator (tests/test_diff_oracle.py): DIFF_PAIRS pairs
# of a trust and its one-step mutation (DIFF_MINUTES stops diffing new pairs after that long;
# about 270 pairs a minute on one core: 10,000 in 37 minutes), and GRANT_DIFF_PAIRS pairs of a permission or bucket
# policy and its mutation (tests/test_grant_diff_oracle.py, GRANT_DIFF_MINUTES; a pair takes from
# a second to two minutes: a question the solver gives up on waits for its 20 s timeout).
fuzz: install oracle
	ORACLE_CASES=$${ORACLE_CASES:-100000} ORACLE_SEED=$${ORACLE_SEED:-$$(date +%s)} $(BIN)/python -m pytest tests/test_oracle.py -q -s
	ORACLE_TRUSTS=$${ORACLE_TRUSTS:-100000} ORACLE_WORKERS=$${ORACLE_WORKERS:-2} ORACLE_SEED=$${ORACLE_SEED:-$$(date +%s)} \
		$(BIN)/python -m pytest tests/test_trust_analysis_oracle.py -q -s
	DIFF_PAIRS=$${DIFF_PAIRS:-10000} DIFF_SEED=$${ORACLE_SEED:-$$(date +%s)} \
		$(BIN)/python -m pytest tests/test_diff_oracle.py -q -s
	GRANT_DIFF_PAIRS=$${GRANT_DIFF_PAIRS:-1000} GRANT_DIFF_SEED=$${ORACLE_SEED:-$$(date +%s)} \
		$(BIN)/python -m pytest tests/test_grant_diff_oracle.py -q -s

bench: install
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/api_calls.py
	$(BIN)/python bench/audit_bench.py
	$(BIN)/python bench/manifest_bench.py
	$(BIN)/python bench/reuse_bench.py
	$(BIN)/python bench/inventory_bench.py
	$(BIN)/python bench/validate_bench.py

demo: install
	bash scripts/demo.sh

clean:
	rm -rf $(VENV) $(ACTION_VENV) dist build .pytest_cache .ruff_cache .hypothesis tests/oracle/node_modules tests/sarif/node_modules .cache
