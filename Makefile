# The one entry point: `make run` for the demo, `make test` for the checks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# `make fuzz`: examples per API operation, and the seed (a new one each run; pass it again to replay).
FUZZ_MAX_EXAMPLES ?= 200
ifndef FUZZ_SEED
FUZZ_SEED := $(shell date +%s)
endif

.PHONY: run test lint format check-services migrate schema fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The demo's own settings: a generated secret, DEBUG on, everything under var/.
.env:
	@printf 'DEBUG=1\nSECRET_KEY=%s\nHEARTBEAT_SECONDS=15\nREMINDER_SCAN_SECONDS=60\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env with a new secret key for the demo."

migrate: $(VENV)/.installed .env
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py load_catalog
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --no-input -v 0

## run: the whole system (API on :$(PORT), Celery worker and beat) with demo data, no services needed
run: migrate
	@echo "CareerHub: http://127.0.0.1:$(PORT)/api/v1/docs/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	PATH="$(CURDIR)/$(BIN):$$PATH" PORT=$(PORT) $(BIN)/honcho start -f Procfile

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## test: lint, migration check and the test suite on PostgreSQL and Redis (see tests/settings.py)
test: lint
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

## schema: refresh docs/openapi.yaml, the committed API contract, from the code (commit it with the change)
schema: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py spectacular --api-version v1 --validate --fail-on-warn --file docs/openapi.yaml

## fuzz: the contract test at length, FUZZ_MAX_EXAMPLES per operation from FUZZ_SEED (not part of `make test`)
fuzz: $(VENV)/.installed
	@echo "Fuzzing with FUZZ_SEED=$(FUZZ_SEED) FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) (make fuzz FUZZ_SEED=$(FUZZ_SEED) replays it)"
	FUZZ_MAX_EXAMPLES=$(FUZZ_MAX_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) $(BIN)/pytest tests/careerhub/test_contract.py -k test_the_api_keeps_its_contract $(PYTEST_ARGS)

clean:
	rm -rf var .env
