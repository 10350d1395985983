# Tropa: `make run` serves a demo on http://127.0.0.1:8000, `make test` runs the whole suite.
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
UV := $(VENV)/bin/uv
TROPA := $(VENV)/bin/tropa
export TROPA_DATA_DIR ?= $(CURDIR)/var

.PHONY: install run demo test test-sqlite test-postgres test-e2e test-postgres-then-e2e lint typecheck messages check-deploy security pip-audit clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

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

test-e2e: install
	$(VENV)/bin/pytest -m e2e -q -p no:cacheprovider tests/e2e

# The two database passes run side by side (a core each), their outputs kept apart. The
# PostgreSQL pass is the shorter one (~9 of ~12 min), so the browser tests follow it on its
# core instead of waiting for both passes: the two cores stay busy and the run is ~2 min
# shorter than running the browser tests alone afterwards.
test: lint security check-deploy
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres-then-e2e

# Internal to `test`: one make slot, so the browser tests never overlap the PostgreSQL pass.
test-postgres-then-e2e: test-postgres
	$(MAKE) --no-print-directory test-e2e

clean:
	rm -rf $(VENV) test-output .pytest_cache .mypy_cache .ruff_cache
