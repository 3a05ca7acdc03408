# The one entry point: `make run` for the demo, `make test` for the checks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format check-services migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The demo's own settings: a generated secret, DEBUG on, everything under var/.
.env:
	@printf 'DEBUG=1\nSECRET_KEY=%s\nHEARTBEAT_SECONDS=15\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
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

clean:
	rm -rf var .env
