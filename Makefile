# The two commands: `make demo` (set up, generate, ingest and age a demo portfolio)
# and `make test` (set up and run the tests). Both create .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint audit lock bench clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=python3.x, 3.11 or newer)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/arrears demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

audit: $(STAMP)
	$(BIN)/python scripts/audit_dependencies.py $(if $(ADVISORY_DB),--db $(ADVISORY_DB))

lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet '.[dev]'
	{ head -2 requirements.lock; .lock-venv/bin/pip freeze --exclude-editable | grep -v '^arrears'; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf .lock-venv

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_ingest_run.py

clean:
	rm -rf $(VENV) var .pytest_cache
