# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export CNC_DATA_DIR ?= $(CURDIR)/.data

.PHONY: run test install serve init clean-data screenshots bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Demo: the server in the background (embedded PostgreSQL, demo data; PID and log
## in .data/) and the desktop client signed in as the demo dispatcher; closing the
## window (or Ctrl+C) stops the server.
run: install
	$(BIN)/python packaging/run_demo.py

## The sync server alone, in the foreground (Ctrl+C stops it).
serve: install
	$(BIN)/cnc-server init --demo
	$(BIN)/cnc-server serve

## Render the main screens with demo data to docs/screenshots/*.png (offscreen Qt).
screenshots: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/screenshots.py

## Run the whole test suite (offscreen Qt, real PostgreSQL).
test: install
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: install
	$(BIN)/python benchmarks/seed_bench.py

clean-data:
	rm -rf $(CNC_DATA_DIR)
