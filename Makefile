# One entry point for people and CI. `make demo` and `make test` work on a fresh machine with
# only Python 3.11 and pip: they create the virtual environment and install the project first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export SCREENING_SHARED_DATA ?= $(abspath ../shared/data)

.PHONY: install demo test lint typecheck unit bench clean browser

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/screening demo

lint: install
	$(BIN)/ruff check screening lists api benchmarks tests

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest

# The browser end-to-end test drives Debian's chromium (never a downloaded browser); CI runs as
# root with apt available, and under CI=true the test refuses to skip.
browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

test: browser lint typecheck unit

bench: install
	$(BIN)/python -m benchmarks.load_lists

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
