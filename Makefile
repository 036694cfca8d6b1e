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

# axe-core (package.json, pinned exactly in package-lock.json), which the browser tests inject
# into every page they visit to check its accessibility.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed node_modules/.installed

# The demo loaders do their work at once (embeddings, the schedule); the tasks they would
# queue on the way (notification e-mails about demo cases and meetings) are dropped.
DEMO := DEBUG=true TASKS_BACKEND=django_tasks.backends.dummy.DummyBackend $(BIN)/python manage.py

setup: install
	mkdir -p var
	$(BIN)/python -m corridor.devenv --host $(HOST) --port $(PORT)
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	$(DEMO) load_demo
	$(DEMO) load_standards_demo
	$(DEMO) load_cases_demo
	$(DEMO) load_directory_demo
	$(DEMO) load_events_demo
	$(DEMO) load_results_demo

run: setup
	@echo ""
	@echo "  Corridor is starting at http://$(HOST):$(PORT)/"
	@echo "  Demo login: admin / corridor-demo (initiative administrator)"
	@echo "              qingling / corridor-demo (member of an enterprise)"
	@echo "              facilitator, regulator, observer / corridor-demo (case roles)"
	@echo "              sgtrade / corridor-demo (Singapore enterprise: directory, events)"
	@echo ""
	@echo "  The web server and a background worker run together; Ctrl-C stops both."
	@echo ""
	DEBUG=true $(BIN)/python manage.py corridor_serve $(HOST):$(PORT)

worker: install
	DEBUG=true $(BIN)/python manage.py corridor_worker

test: install
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python manage.py makemigrations --check --dry-run
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore ".venv/*" --ignore "bench/*"
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python manage.py compilemessages -l zh_Hans --ignore ".venv/*"

bench: install
	CORRIDOR_ALLOW_INSECURE_KEY=1 $(BIN)/python bench/portfolio.py

clean:
	rm -rf $(VENV) var node_modules
