# shuzhuan — two commands to start: `make demo` and `make test` (README).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
ENTERPRISES ?= 20000
SEED ?= 2024
ONLY ?=
PYTEST_ARGS ?=

.PHONY: install demo serve serve-prod test lint bench system-deps messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt package.json package-lock.json
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

## make demo: set up everything, build the demo city, create one account per role, serve on :8000
demo: install
	$(BIN)/shuzhuan migrate --no-input -v 0
	$(BIN)/shuzhuan demo-data --enterprises $(ENTERPRISES) --seed $(SEED) --accounts
	$(MAKE) serve

## make serve: the web server, a task worker and the periodic-task scheduler side by side (Ctrl-C stops all)
serve:
	@echo "数转 demo: http://$(HOST):$(PORT)/  (task worker and scheduler running beside it)"
	@trap 'kill 0' INT TERM EXIT; export SHUZHUAN_DEBUG=$${SHUZHUAN_DEBUG:-0}; \
	$(BIN)/shuzhuan db_worker --interval 0.5 & \
	$(BIN)/shuzhuan scheduler & \
	$(BIN)/shuzhuan runserver $(HOST):$(PORT) --noreload

## make serve-prod: the production profile on PostgreSQL — migrate, collectstatic, gunicorn ($(WEB_WORKERS)
## workers), two task workers and the scheduler, Redis for the cache, DEBUG off (Ctrl-C stops all)
WEB_WORKERS ?= 4
serve-prod: install
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "serve-prod runs on PostgreSQL: set DATABASE_URL=postgres://user@host:5432/db"; exit 2;; esac
	@export SHUZHUAN_DEBUG=0 REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} SHUZHUAN_DB_CONN_MAX_AGE=$${SHUZHUAN_DB_CONN_MAX_AGE:-60}; \
	$(BIN)/shuzhuan migrate --no-input -v 0 && $(BIN)/shuzhuan collectstatic --no-input -v 0 || exit 1; \
	echo "数转 production profile: http://$(HOST):$(PORT)/  (gunicorn ×$(WEB_WORKERS), db_worker ×2, scheduler, cache $$REDIS_URL)"; \
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/shuzhuan db_worker & \
	$(BIN)/shuzhuan db_worker & \
	$(BIN)/shuzhuan scheduler & \
	$(BIN)/gunicorn shuzhuan.wsgi:application --bind $(HOST):$(PORT) --workers $(WEB_WORKERS) \
	  --timeout 120 --graceful-timeout 20 --max-requests 2000 --max-requests-jitter 200 \
	  --no-control-socket --access-logfile - --error-logfile -

## make test: install what tests need and run the whole suite (set DATABASE_URL for PostgreSQL)
test: install
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/mypy
	$(BIN)/shuzhuan makemigrations --check --dry-run -v 0
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench conftest.py
	$(BIN)/mypy

## make bench [ONLY=name]: benchmarks, one JSON line each
bench: install
	$(BIN)/pip install -q -c constraints.txt -e '.[test,bench]'
	$(BIN)/python -m bench $(ONLY)

## system packages (Debian): Chromium for browser tests, CJK fonts for PDF and screenshots, poppler, gettext
system-deps:
	@missing=""; for p in chromium fonts-noto-cjk poppler-utils gettext; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "system packages present"; fi

## make messages: refresh and compile the English catalogue (source strings are Chinese)
messages: install
	cd src/shuzhuan && ../../$(BIN)/shuzhuan makemessages -l en --no-obsolete -i 'migrations/*' && ../../$(BIN)/shuzhuan compilemessages -l en

clean:
	rm -rf $(VENV) node_modules var
