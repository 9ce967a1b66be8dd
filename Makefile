# Two commands for a newcomer: `make demo` runs the product, `make test` runs the tests.
# Python 3.12+ is needed (Django 6.1); PYTHON may name it, otherwise the first suitable one found is used.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
PYTEST_ARGS ?=

.PHONY: install install-dev migrate demo-data demo test lint types check messages bench clean

$(VENV)/.installed: requirements.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (set PYTHON=/path/to/python3.12)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo-data: migrate
	$(PY) manage.py load_demo

# Web server, Celery worker and beat together; Ctrl-C stops all three.
demo: demo-data
	@echo "Starting web on http://127.0.0.1:8000 with a Celery worker and beat (Ctrl-C stops all)."
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) -m celery -A servicedesk worker --loglevel=INFO --concurrency=2 & \
	$(PY) -m celery -A servicedesk beat --loglevel=INFO & \
	$(PY) manage.py runserver 127.0.0.1:8000 --noreload

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

types: install-dev
	$(PY) -m mypy servicedesk tickets canteen fleet offices

check: lint types test
	$(PY) manage.py makemigrations --check --dry-run

# Every benchmark of one size: SIZE=100k (SQLite) or SIZE=1m (PostgreSQL on 127.0.0.1); see docs/performance.md.
SIZE ?= 100k
bench: install-dev
	$(PY) bench/run.py --size $(SIZE)

# Refresh the English catalogue after changing user-facing text (needs GNU gettext); the .mo is committed.
messages: install-dev
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=tests
	$(PY) manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) var/celery var/mail
