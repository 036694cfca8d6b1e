# Corridor: two commands on a fresh machine.
#   make run   set up .venv, migrate the embedded SQLite database under var/, load the demo data, serve
#   make test  run the whole suite (DATABASE_URL picks the database; SQLite by default)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup install lint format messages demo worker bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade "pip==26.0.1"
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

setup: install
	mkdir -p var
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py load_demo
	DEBUG=true $(BIN)/python manage.py load_standards_demo
	DEBUG=true $(BIN)/python manage.py load_cases_demo
	DEBUG=true $(BIN)/python manage.py load_directory_demo
	DEBUG=true $(BIN)/python manage.py load_events_demo

run: setup
	@echo ""
	@echo "  Corridor is starting at http://$(HOST):$(PORT)/"
	@echo "  Demo login: admin / corridor-demo (initiative administrator)"
	@echo "              qingling / corridor-demo (member of an enterprise)"
	@echo "              facilitator, regulator, observer / corridor-demo (case roles)"
	@echo "              sgtrade / corridor-demo (Singapore enterprise: directory, events)"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install
	DEBUG=true $(BIN)/python manage.py corridor_worker

test: install
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/ruff check .
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python manage.py makemigrations --check --dry-run
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore ".venv/*" --ignore "bench/*"
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python manage.py compilemessages -l zh_Hans --ignore ".venv/*"

bench: install
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python bench/portfolio.py

clean:
	rm -rf $(VENV) var
