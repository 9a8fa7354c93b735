# The two commands: `make demo` (run the system with the demo city) and `make test`.
# Both set up what they need on a fresh Debian machine with Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export HOTLINE_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test serve check lint screenshots messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

# Apache ECharts (the dashboard's charts): from npm into an ignored folder, never committed.
# Only the one minified file is served (vendor/static/), so collectstatic does not compress
# the package's 60 MB of other builds and source maps.
ECHARTS := vendor/static/echarts/echarts.min.js
$(ECHARTS):
	npm install --prefix vendor --no-save --no-audit --no-fund echarts@6
	mkdir -p $(@D) && cp vendor/node_modules/echarts/dist/echarts.min.js $@
demo test: $(ECHARTS)

demo: $(VENV)/.runtime
	$(BIN)/hotline demo-city
	@echo "Open http://127.0.0.1:8000 and log in with an account above."
	$(BIN)/hotline serve --with-tick

serve: $(VENV)/.runtime
	$(BIN)/hotline serve

test: $(VENV)/.dev
	bash scripts/test.sh

lint: $(VENV)/.dev
	bash scripts/test.sh --lint-only

screenshots: $(VENV)/.dev
	HOTLINE_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest e2e -q

messages: $(VENV)/.dev
	cd hotline && ../$(BIN)/django-admin makemessages -l zh_Hans --settings=config.settings --pythonpath=.. -i "migrations/*"
	cd hotline && ../$(BIN)/django-admin compilemessages --settings=config.settings --pythonpath=..

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
