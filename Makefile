# The README's commands. Each installs what it needs itself (python3, node and npm are assumed).
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := 1
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: demo test lint unit integration e2e bench install clean

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml package.json package-lock.json
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -r requirements-dev.txt
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP)

## Deploy the sample app into a local emulator, show the import jobs' progress and result, then sign in as its admin.
demo: $(STAMP)
	$(BIN)/cognito-user-import deploy-local --show-users 8 --sign-in admin@example.com

## Lint, type-check and run every test.
## Three workers on CI's two cores: the tests wait on subprocesses, emulated jobs and paced calls most
## of the time (a two-worker run used about one core on average). worksteal: no worker idles at the end.
test: lint
	$(BIN)/python -m pytest -n 3 --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench

## moto 5.2.5's own Cognito tests in server mode, on plain moto server and on the emulator, compared
## (tests/moto_suite/run.py; downloads moto's sdist into .cache/moto-suite). Not part of `make test`.
.PHONY: moto-suite
moto-suite: $(STAMP)
	$(BIN)/python tests/moto_suite/run.py

clean:
	rm -rf $(VENV) node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache
