# Two commands: `make demo` runs Atalaia on its embedded default; `make test` runs every test.
# Both bootstrap .venv from a bare python3, so a fresh clone needs nothing else.
# `make sandbox` (another terminal) plays the WhatsApp providers for the demo: see README.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: demo sandbox test lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo (only it) trusts the sandbox's fake Graph API and Evolution API (sandbox/providers.py).
SANDBOX_GRAPH := http://127.0.0.1:8010/v23.0
SANDBOX_EVOLUTION := http://127.0.0.1:8011

demo: $(STAMP)
	ATALAIA_GRAPH_BASE_URL=$(SANDBOX_GRAPH) ATALAIA_GATEWAY_API_ORIGINS=$(SANDBOX_EVOLUTION) $(BIN)/atalaia demo

sandbox: $(STAMP)
	$(BIN)/python -m sandbox.providers

lint: $(STAMP)
	$(BIN)/ruff check src tests bench sandbox
	$(BIN)/ruff format --check src tests bench sandbox

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/archive_ingest.py

clean:
	rm -rf $(VENV) atalaia-data
