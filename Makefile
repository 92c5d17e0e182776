# Two commands take a fresh machine to a running demo school (make run) or a green suite (make test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app esafety
#: `make run PORT=5001` when 5000 is taken (AirPlay on macOS); links the app writes follow it.
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
#: pytest-xdist processes for the suite, one per core (each has a database of its own); 0 runs it in one.
TEST_WORKERS ?= 2

.PHONY: run test test-postgres browser screenshots lint format clean

#: axe-core (from the npm registry) for the browser tests' accessibility checks.
AXE := node_modules/axe-core/axe.min.js

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: export ESAFETY_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed
	$(FLASK) db upgrade heads
	$(FLASK) demo --if-empty
	@# The mail worker runs beside the web server and stops with it (Ctrl-C stops both).
	$(FLASK) mail work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

$(AXE): package.json
	npm install --no-audit --no-fund --silent
	touch $@

test: $(VENV)/.installed $(AXE)
	$(BIN)/pytest -q -n $(TEST_WORKERS)

test-postgres: $(VENV)/.installed
	ESAFETY_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -n $(TEST_WORKERS) -m "not browser"

browser: $(VENV)/.installed $(AXE)
	ESAFETY_REQUIRE_BROWSER=1 $(BIN)/pytest -q -m browser

#: The README's tour pictures, taken again from the app as it is (docs/tour/*.png).
screenshots: $(VENV)/.installed $(AXE)
	ESAFETY_SCREENSHOTS=docs/tour ESAFETY_REQUIRE_BROWSER=1 $(BIN)/pytest -q tests/browser/test_tour_browser.py

lint: $(VENV)/.installed
	$(BIN)/ruff check esafety tests bench
	$(BIN)/ruff format --check esafety tests bench
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff format esafety tests bench
	$(BIN)/ruff check --fix esafety tests bench

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache
