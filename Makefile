# The editors' commands. `make publish` runs the whole job on seeds/; `make test` runs every test.
# Both set up .venv themselves (make install), and install nothing again when nothing changed.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed

SEEDS ?= seeds
CONTENT ?= content
OUTPUTDIR ?= output
REPORTDIR ?= reports
CONFFILE := pelicanconf.py
PUBLISHCONF := publishconf.py

.PHONY: help install content html publish test lint clean

help:
	@echo "make publish   ingest $(SEEDS)/ into $(CONTENT)/ and build the site into $(OUTPUTDIR)/"
	@echo "make test      run the whole test suite"
	@echo "make content   ingest $(SEEDS)/ into $(CONTENT)/ (report in $(REPORTDIR)/ingest.json)"
	@echo "make html      build the site with $(CONFFILE)"
	@echo "make lint      ruff"
	@echo "make clean     remove $(OUTPUTDIR)/ and caches"

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -e '.[test]'
	touch $(STAMP)

content: install
	$(PYTHON) -m pipeline ingest $(SEEDS) --out $(CONTENT) --report $(REPORTDIR)/ingest.json

html: install
	$(BIN)/pelican $(CONTENT) -o $(OUTPUTDIR) -s $(CONFFILE)

publish: content
	$(BIN)/pelican $(CONTENT) -o $(OUTPUTDIR) -s $(PUBLISHCONF) --delete-output-directory

test: install
	$(BIN)/ruff check pipeline tests
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check pipeline tests
	$(BIN)/ruff format --check pipeline tests

clean:
	rm -rf $(OUTPUTDIR) $(REPORTDIR) cache .pytest_cache
