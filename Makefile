# Kaskad. Quick start: `make run` (serve the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The suite runs in one process per core (pytest-xdist); TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto

.PHONY: run install install-test test test-fast lint format messages bench browser-deps vendor clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Kaskad needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	@$(PIP) install -q --upgrade pip >$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }

# pip and setuptools print hundreds of build warnings (template folders that look like packages,
# unreachable index locations): they go to a log, so the demo logins stay readable; on a failure the
# end of the log is shown.
INSTALL_LOG := $(VENV)/install.log
QUIET_INSTALL = >>$(INSTALL_LOG) 2>&1 || { tail -n 40 $(INSTALL_LOG); echo "*** Installing failed: see $(INSTALL_LOG)"; exit 1; }

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	@echo "Installing Kaskad into $(VENV) (details in $(INSTALL_LOG))…"
	@$(PIP) install -q -c constraints.txt -e . $(QUIET_INSTALL)
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	@echo "Installing the test tools into $(VENV) (details in $(INSTALL_LOG))…"
	@$(PIP) install -q -c constraints.txt -e '.[test]' -e tests/sample_plugin $(QUIET_INSTALL)
	@touch $@

install: $(VENV)/.installed

## Serve the demo on http://127.0.0.1:5000 (migrates; loads the demo data into an empty database).
run: install
	$(BIN)/lms db upgrade
	$(BIN)/lms demo load-if-empty
	@echo "Kaskad is at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(BIN)/lms run --host $(HOST) --port $(PORT)

## Chromium from the system's packages and axe-core from npm, for the browser journeys.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	  elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
	    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium; \
	  else \
	    echo "*** Browser journeys need Chromium: install your system's 'chromium' package (or set CHROMIUM=/path/to/chrome)."; \
	  fi; \
	fi
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then \
	  if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent; \
	  else echo "*** Accessibility checks need Node.js and npm (to install axe-core): install your system's 'npm' package."; fi; \
	fi

install-test: $(VENV)/.installed-test browser-deps

## The whole suite (SQLite; set LMS_TEST_DATABASE_URL=postgresql+psycopg://… for PostgreSQL).
test: install-test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy lms courses certificates

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Re-extract the messages and update the four catalogs of every package, then compile them.
messages: $(VENV)/.installed-test
	$(BIN)/python -m lms.catalogs update

## Leaflet and its marker clustering from npm (versions pinned in package.json) into Kaskad's own
## static files, which are committed: the map needs no CDN, and installing Kaskad needs no npm.
VENDOR := lms/static/vendor/leaflet
vendor:
	npm ci --no-audit --no-fund --silent
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/images
	for file in node_modules/leaflet/dist/leaflet.js node_modules/leaflet.markercluster/dist/leaflet.markercluster.js; do \
	  sed '/^\/\/# sourceMappingURL=/d' $$file; echo; done > $(VENDOR)/leaflet-markercluster.js
	cat node_modules/leaflet/dist/leaflet.css node_modules/leaflet.markercluster/dist/MarkerCluster.css > $(VENDOR)/leaflet-markercluster.css
	cp node_modules/leaflet/dist/images/*.png $(VENDOR)/images/
	cp node_modules/leaflet/LICENSE $(VENDOR)/LICENSE-leaflet.txt
	cp node_modules/leaflet.markercluster/MIT-LICENCE.txt $(VENDOR)/LICENSE-leaflet.markercluster.txt
	@echo "Vendored leaflet $$(node -p 'require("./node_modules/leaflet/package.json").version') and leaflet.markercluster $$(node -p 'require("./node_modules/leaflet.markercluster/package.json").version') into $(VENDOR)"

bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
