# Tropa: `make run` serves a demo on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
UV := $(VENV)/bin/uv
TROPA := $(VENV)/bin/tropa
export TROPA_DATA_DIR ?= $(CURDIR)/var

.PHONY: install run demo test test-sqlite test-postgres test-e2e test-passes test-checks e2e-data test-sqlite-checked test-postgres-checked test-postgres-then-e2e lint typecheck messages check-deploy security pip-audit clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Python keeps the bytecode it compiles (__pycache__, ignored by git), for the libraries and
# for Tropa's own modules: with PYTHONDONTWRITEBYTECODE set (as on the CI machines) every
# Python process, each `tropa` command a test starts, would compile Django, the libraries and
# tropa/ anew (≈ 1.5 s of CPU each). Compiled as they are first imported, not all ahead.
unexport PYTHONDONTWRITEBYTECODE

# Installs exactly what uv.lock pins (fails if the lock file is out of date).
install: $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet

run: install
	$(TROPA) migrate --no-input -v0
	$(TROPA) collectstatic --no-input -v0
	$(TROPA) demo
	$(TROPA) run

demo: install
	$(TROPA) demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy tropa

typecheck: lint

# R23: bandit fails on any high-severity finding; accepted ones are listed with their reason
# under [tool.bandit] in pyproject.toml.
security: install
	$(VENV)/bin/bandit -q -c pyproject.toml -r tropa --severity-level high

# Known vulnerabilities in the locked dependencies. Needs the network (the PyPI/OSV
# vulnerability database): it cannot run in the offline build environment, and is not part of
# `make test` for that reason. Run it where the database is reachable, and before a release.
pip-audit: install
	$(VENV)/bin/pip-audit --strict --progress-spinner off

# Every language file is complete and compiled (see tropa/core/tests/test_translations.py).
messages: install
	scripts/make_messages.sh

check-deploy: install
	TROPA_PRODUCTION=1 TROPA_DATA_DIR=$$(mktemp -d) TROPA_ALLOWED_HOSTS=tropa.example.org \
	  $(TROPA) check --deploy --fail-level WARNING

test-sqlite: install
	$(VENV)/bin/pytest -m "not e2e" -q -p no:cacheprovider

# PostgreSQL: TROPA_TEST_DATABASE_URL, or a private cluster started by scripts/test-postgres.
test-postgres: install
	scripts/test-postgres $(VENV)/bin/pytest -m "not e2e" -q -p no:cacheprovider

# The browser tests start `tropa run` on copies of one data dir that `tropa migrate`,
# `collectstatic` and `tropa demo` made (tests/e2e/datadir.py): the one E2E_DATA names, else
# one the session makes first.
test-e2e: install
	TROPA_E2E_TEMPLATE=$(E2E_DATA) $(VENV)/bin/pytest -m e2e -q -p no:cacheprovider tests/e2e

# Everything on the two cores, each pass's output kept apart. The browser tests' data dir
# (≈ 2 min of migrations, static files and demo) is made beside the lint and security checks,
# in a private temp dir removed afterwards. The PostgreSQL pass (~9 min) starts when the
# checks are done, and the browser tests follow it on its core; the SQLite pass (~12 min)
# takes the other core once the data dir is made.
test: install
	@data=$$(mktemp -d) && trap 'rm -rf "$$data"' EXIT && \
	  $(MAKE) --no-print-directory -j2 --output-sync=target test-passes E2E_DATA="$$data"

# Internal to `test` (E2E_DATA names the data dir to make). The checks are the passes'
# prerequisite, so that a lint error stops the run before the long passes.
test-passes: e2e-data test-postgres-then-e2e test-sqlite-checked

test-checks: lint security check-deploy

e2e-data: install
	$(VENV)/bin/python -m tests.e2e.datadir "$(E2E_DATA)"

test-sqlite-checked: test-checks e2e-data
	$(MAKE) --no-print-directory test-sqlite

test-postgres-checked: test-checks
	$(MAKE) --no-print-directory test-postgres

# One make slot, so the browser tests never overlap the PostgreSQL pass.
test-postgres-then-e2e: test-postgres-checked e2e-data
	$(MAKE) --no-print-directory test-e2e

clean:
	rm -rf $(VENV) test-output .pytest_cache .mypy_cache .ruff_cache
