# Set-up is automatic: every target creates .venv when missing and installs the
# package with the extras it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m sklearn_gd

test: $(STAMP)
	$(PY) -m pytest -n 2 -q tests

lint: $(STAMP)
	$(PY) -m ruff check sklearn_gd tests examples benchmarks
	$(PY) -m ruff format --check sklearn_gd tests examples benchmarks

bench: $(STAMP)
	$(PY) benchmarks/bench_epoch.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
