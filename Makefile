# Two commands on a fresh machine with only Python 3.11: `make run` and `make test`.
# With no DATABASE_URL an embedded PostgreSQL under .data/ is used; with no REDIS_URL Celery runs inline.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint security format migrate demo worker beat clean-data constraints backup restore screenshots bench bench-compare

$(INSTALLED): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed, found " + sys.version)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

install: $(INSTALLED)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# DEBUG is off (config/settings.py), so the pages a user sees are the NHS-styled ones; --insecure lets runserver
# serve the static files all the same.
run: demo
	$(BIN)/python manage.py runserver --insecure $(HOST):$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Static security checks, run by .ci/run before the suite: bandit (medium and high findings fail; each one
# accepted is explained inline with `# nosec <id>`) and Django's deployment checks on production settings.
security: install
	$(BIN)/bandit -c pyproject.toml -r . -ll -q
	APP_ENV=production DJANGO_SECRET_KEY=ci-check-deploy-$$(date +%s)-not-a-real-key-0123456789abcdefghijklmnop \
	  DJANGO_ALLOWED_HOSTS=example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

# The pictures in docs/guide/: the browser test that walks each role's menu on demo data takes them.
screenshots: install
	GUIDE_SCREENSHOTS=docs/guide/img $(BIN)/pytest tests/e2e/test_role_guide.py -p no:cacheprovider -q

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# With REDIS_URL set, a real worker and beat (two more terminals).
worker: install
	$(BIN)/celery -A config worker --loglevel=INFO

beat: install
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=.data/celerybeat-schedule

# A pg_dump of the whole database into backups/ (or FILE=...); `make restore FILE=...` loads one into an empty
# database (for the embedded one: `make clean-data` first). docs/deployment.md, "Backups".
backup: install
	$(BIN)/python manage.py backup_database $(if $(FILE),--out $(FILE))

restore: install
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=backups/recovery-record-YYYY-MM-DD.dump"; exit 2; }
	$(BIN)/python manage.py restore_database $(FILE)

# Stops the embedded PostgreSQL and removes its data (demo data included). The server is signalled
# through its postmaster.pid (SIGINT is PostgreSQL's fast shutdown) rather than through pgserver, which
# declines to stop while any process that ever used it, such as a killed `make run`, is still listed.
clean-data:
	@if [ -f .data/pg/postmaster.pid ]; then \
		pid=$$(head -n 1 .data/pg/postmaster.pid); \
		if kill -INT "$$pid" 2>/dev/null; then \
			echo "Stopping the embedded PostgreSQL (pid $$pid)"; \
			for _ in $$(seq 100); do kill -0 "$$pid" 2>/dev/null || break; sleep 0.1; done; \
			if kill -0 "$$pid" 2>/dev/null; then echo "PostgreSQL (pid $$pid) did not stop; .data kept"; exit 1; fi; \
		fi; \
	fi
	rm -rf .data

-include frontend.mk

# Pins what is installed now as the tested set (after changing pyproject.toml ranges).
constraints: install
	{ echo "# Exact versions tested together; pyproject.toml holds the ranges. Refresh: make constraints"; \
	  $(BIN)/pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt

# Benchmarks on an already seeded database (docs/benchmarks.md): `make bench BENCH_DB=scale_100k` (a database on
# BENCH_SERVER) or `make bench DATABASE_URL=...`; PART=pages (or kpis, returns, load) for one part. Results go to
# docs/benchmarks/results/; `make bench-compare BEFORE=a.json AFTER=b.json` sets two side by side.
BENCH_SERVER ?= postgres://postgres@127.0.0.1:5432
bench: install
	$(if $(BENCH_DB),DATABASE_URL=$(BENCH_SERVER)/$(BENCH_DB)) $(BIN)/python manage.py bench $(foreach part,$(PART),--part $(part))

bench-compare: install
	$(BIN)/python manage.py bench --compare $(BEFORE) $(AFTER)
