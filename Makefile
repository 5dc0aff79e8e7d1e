# ir: two set-up commands for a fresh machine, `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR := var/demo
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120
export PREFECT_LOGGING_LEVEL := WARNING

.PHONY: demo test install services stop system-packages bench clean

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null || PY=python3; $${PY:-$(PY)} -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need: PostgreSQL, Java + Maven for Elasticsearch, Chromium for the browser tests
system-packages:
	@missing=""; \
	for p in postgresql openjdk-17-jdk-headless maven unzip chromium fonts-noto-cjk curl; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

services: system-packages
	@mkdir -p var; scripts/postgres.sh start > var/postgres.url
	@scripts/elasticsearch.sh start > var/es.url

# PostgreSQL and Elasticsearch keep running after `make test` (the next run reuses them): this stops both
stop:
	scripts/postgres.sh stop
	scripts/elasticsearch.sh stop

test: install services
	IR_TEST_POSTGRES_URL=$$(cat var/postgres.url) IR_TEST_ES_URL=$$(cat var/es.url) \
	PREFECT_HOME=$$(mktemp -d -t prefect-XXXXXX) \
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Prefect keeps the demo's runs in var/prefect (ir sets PREFECT_HOME there unless it is set)
demo: install
	$(BIN)/ir demo

bench: install
	$(BIN)/pip install -q -e ".[bench]"
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf var .pytest_cache .hypothesis
