# The editors' commands. `make publish` runs the whole job on seeds/; `make test` runs every test.
# Both set up .venv themselves (make install), and install nothing again when nothing changed.

PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
BENCHOPTS ?=
# doiuse-email (caniemail's data) for the email client test, from npm, beside the virtualenv.
NODE_DIR := $(VENV)/node
DOIUSE := $(NODE_DIR)/node_modules/doiuse-email/bin/cli.js
DOIUSE_VERSION := 0.4.1
TEST_TMP := $(or $(TMPDIR),/tmp)/pipeline-tests

SEEDS ?= seeds
CONTENT ?= content
OUTPUTDIR ?= output
REPORTDIR ?= reports
# The ingest cache, Pelican's content cache and the publish fingerprint (see README, "The site").
CACHEDIR ?= cache
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
CONFFILE := pelicanconf.py
PUBLISHCONF := publishconf.py
# `make publish` builds into a new numbered folder here and flips the link $(OUTPUTDIR) to it in one rename,
# only when everything succeeded (README, "The site").
BUILDS := $(OUTPUTDIR).builds
# The public address: publishconf.py's default (its one source), unless set here or in the environment.
export SITEURL
PELICANOPTS ?=
PORT ?= 8000
SERVER ?= 127.0.0.1
# The newsletter service (sign-up, confirmation, unsubscribe): `make serve-newsletter`, docs/newsletter.md.
NEWSLETTER_HOST ?= 127.0.0.1
NEWSLETTER_PORT ?= 8001
# rsync_upload uploads nothing until these are set (on the command line or in the environment).
SSH_HOST ?=
SSH_PORT ?= 22
SSH_USER ?=
SSH_TARGET_DIR ?=
# The digest's web version, written into $(SITE_DIR); `make publish` runs it into a folder beside its build
# while Pelican builds, and moves what it wrote into the build; see digest-web.
DIGEST_WEB ?= $(PYTHON) -m pipeline digest --content $(CONTENT) --web $(SITE_DIR) --cache $(CACHEDIR)/digest
# $(call quoted,TEXT): TEXT as one shell word, whatever quotes it holds.
quoted = '$(subst ','\'',$(1))'

.PHONY: help install content html publish test test-deps lint clean serve devserver regenerate digest-web digest rsync_upload bench serve-newsletter

help:
	@echo "make publish   ingest $(SEEDS)/ into $(CONTENT)/ and build the site into $(OUTPUTDIR)/"
	@echo "make test      run the whole test suite"
	@echo "make content   ingest $(SEEDS)/ into $(CONTENT)/ (report in $(REPORTDIR)/ingest.json)"
	@echo "make html      build the site with $(CONFFILE) into $(OUTPUTDIR)/ (relative links)"
	@echo "make serve     serve $(OUTPUTDIR)/ at http://$(SERVER):$(PORT)/"
	@echo "make devserver rebuild on every change and serve at http://$(SERVER):$(PORT)/"
	@echo "make regenerate rebuild on every change"
	@echo "make rsync_upload publish, then upload to SSH_USER@SSH_HOST:SSH_TARGET_DIR (set them first)"
	@echo "make digest    render the current digest edition from $(CONTENT)/ into digest-out/<N>/"
	@echo "make serve-newsletter run the newsletter service at http://$(NEWSLETTER_HOST):$(NEWSLETTER_PORT)/ (docs/newsletter.md)"
	@echo "make lint      ruff"
	@echo "make bench     measure ingest, build and digest against their targets (docs/bench.md)"
	@echo "make clean     remove $(OUTPUTDIR)/ and caches"

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	$(PYTHON) -m pip install -q -e '.[test]'
	# bytecode for the project's own modules, as pip writes it for every installed package (an editable
	# install gets none, and with PYTHONDONTWRITEBYTECODE set every command would compile them again)
	$(PYTHON) -m compileall -q pipeline
	touch $(STAMP)

content: install
	$(PYTHON) -m pipeline ingest $(SEEDS) --out $(CONTENT) --report $(REPORTDIR)/ingest.json \
	  --cache $(CACHEDIR)/ingest --jobs $(JOBS)

html: install
	$(BIN)/pelican $(CONTENT) -o $(OUTPUTDIR) -s $(CONFFILE) $(PELICANOPTS)

regenerate: install
	$(BIN)/pelican -r $(CONTENT) -o $(OUTPUTDIR) -s $(CONFFILE) $(PELICANOPTS)

# A published build is shown with its links pointed at this server (its styles load from here, not SITEURL).
serve: install
	$(PYTHON) -m pipeline preview --output $(OUTPUTDIR) --port $(PORT) --bind $(SERVER)

devserver: install
	$(BIN)/pelican -lr $(CONTENT) -o $(OUTPUTDIR) -s $(CONFFILE) -p $(PORT) -b $(SERVER) $(PELICANOPTS)

# Ingest, build into $(BUILDS)/N (any Pelican error fails the build) while the digest-web hook writes beside
# it, then flip the link $(OUTPUTDIR) to it. A failure at any step stops before the flip: the
# last good site stays. Nothing changed since the last publish (by content hashes): one line, and done.
publish: SITE_DIR = {site}
publish: install
	$(PYTHON) -m pipeline publish --sources $(SEEDS) --content $(CONTENT) --output $(OUTPUTDIR) \
	  --reports $(REPORTDIR) --cache $(CACHEDIR) --settings $(PUBLISHCONF) --jobs $(JOBS) \
	  --pelican-opts=$(call quoted,$(PELICANOPTS)) --digest-web=$(call quoted,$(DIGEST_WEB))

# Hook for the digest (its owner sets DIGEST_WEB): a command that writes the digest's web version into
# $(SITE_DIR), whose files `make publish` adds to the site before the swap. A no-op while DIGEST_WEB is empty.
digest-web:
	$(if $(strip $(DIGEST_WEB)),$(DIGEST_WEB),@true)

# The current edition (the one whose period holds the newest article) as email files; see docs/digest.md.
digest: content
	$(PYTHON) -m pipeline digest --content $(CONTENT)

# The newsletter's web service under uvicorn; needs DIGEST_SECRET in the environment (docs/newsletter.md).
serve-newsletter: install
	$(PYTHON) -m pipeline serve --host $(NEWSLETTER_HOST) --port $(NEWSLETTER_PORT) --settings $(PUBLISHCONF)

rsync_upload:
	@test -n "$(SSH_HOST)" -a -n "$(SSH_TARGET_DIR)" || { \
	  echo "rsync_upload: set SSH_HOST and SSH_TARGET_DIR (and SSH_USER, SSH_PORT); nothing uploaded"; exit 2; }
	$(MAKE) --no-print-directory publish
	rsync -e "ssh -p $(SSH_PORT)" -P -rvzc --include tags --cvs-exclude --exclude /.publish-stamp --delete \
	  "$(OUTPUTDIR)"/ "$(if $(SSH_USER),$(SSH_USER)@)$(SSH_HOST):$(SSH_TARGET_DIR)"

# The tests run the benchmark's --quick mode too, so they need its extra (trafilatura); test-deps installs
# what they need beyond Python on a fresh machine.
# The tests write only into temporary folders, their tools' caches too.
test: install $(BENCH_STAMP) test-deps
	$(BIN)/ruff check --no-cache pipeline tests
	HYPOTHESIS_STORAGE_DIRECTORY=$(TEST_TMP)/hypothesis DIGEST_DATABASE=$(TEST_TMP)/subscribers.sqlite \
	  $(BIN)/pytest -o cache_dir=$(TEST_TMP)/pytest-cache

test-deps:
	@bash .ci/system-packages
	@test -f $(DOIUSE) || npm install --silent --no-audit --no-fund --prefix $(NODE_DIR) doiuse-email@$(DOIUSE_VERSION)

# The benchmark of issue #6 (docs/bench.md), with trafilatura (the `bench` extra) as the ingest's baseline.
bench: $(BENCH_STAMP)
	$(PYTHON) -m pipeline bench $(BENCHOPTS)

$(BENCH_STAMP): $(STAMP)
	$(PYTHON) -m pip install -q -e '.[test,bench]'
	touch $(BENCH_STAMP)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(OUTPUTDIR) $(BUILDS) $(REPORTDIR) $(CACHEDIR) .pytest_cache digest-out
