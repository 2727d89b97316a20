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

.PHONY: install demo serve test lint bench system-deps messages clean

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
