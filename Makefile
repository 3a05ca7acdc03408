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

.PHONY: run test lint format check-services migrate schema fuzz bench bench-reminders clean

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
	@echo "CareerHub: http://127.0.0.1:$(PORT)/  (API docs: http://127.0.0.1:$(PORT)/api/v1/docs/, admin: http://127.0.0.1:$(PORT)/admin/)"
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

## bench: seed BENCH_LEARNERS learners (once), run gunicorn and load it with wrk; prints the table (not part of `make test`)
# Its own PostgreSQL database and Redis database, production settings on plain HTTP, limits out of the way.
BENCH_LEARNERS ?= 10000
BENCH_DATABASE_URL ?= postgres://root@127.0.0.1:5432/careerhub_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13
BENCH_ENV = DEBUG=0 SECURE_SSL_REDIRECT=0 SECRET_KEY=bench-only-$$(date +%s)-not-a-secret-for-anything-else \
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) VAR_DIR=$(CURDIR)/var/bench LOG_LEVEL=WARNING \
	THROTTLE_RATE_LOGIN=1000000/min THROTTLE_RATE_REFRESH=1000000/min THROTTLE_RATE_WRITES=1000000/min \
	THROTTLE_RATE_SYNC=1000000/min

bench: $(VENV)/.installed
	@command -v wrk >/dev/null || { echo "Installing wrk (the load generator)"; \
		apt-get install -y -q wrk >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }; }
	$(BENCH_ENV) $(BIN)/python manage.py bench --learners $(BENCH_LEARNERS)

## bench-reminders: seed REMINDER_BENCH_LEARNERS learners (once), time the reminder scan, fan-out and one batch (not part of `make test`)
REMINDER_BENCH_LEARNERS ?= 100000
bench-reminders: $(VENV)/.installed
	$(BENCH_ENV) $(BIN)/python manage.py bench_reminders --learners $(REMINDER_BENCH_LEARNERS)
