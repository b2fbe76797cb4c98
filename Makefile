# Two commands on a fresh machine: `make demo` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test check lint format bench clean

# The stamps make a second run fast; editing pyproject.toml reinstalls.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[dev]'
	touch $@ $(VENV)/.installed-run

# `init --no-admin`: never a prompt here; the demo seeds its own accounts (admin, proctor, grader, reviewer).
demo: $(VENV)/.installed-run
	$(BIN)/exam-tui init --no-admin
	$(BIN)/exam-tui bank import question_banks/*.yaml
	$(BIN)/exam-tui demo
	$(BIN)/exam-tui demo --analysis 500
	$(BIN)/exam-tui

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -q

check: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(MAKE) test

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.installed-run
	$(BIN)/python bench/bank_import.py
	$(BIN)/python bench/candidate_start.py
	$(BIN)/python bench/autosave.py
	$(BIN)/python bench/analysis.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
