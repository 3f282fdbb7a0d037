# Set-up is automatic: every target creates .venv when missing and installs the
# package with the extras it needs.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

DOCS_STAMP := $(VENV)/.docs-stamp

.PHONY: demo test docs lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,dask]'
	@# torch (CPU) only to cross-check optimizers and schedules in the tests,
	@# and only when this machine carries its wheel; otherwise those tests skip.
	if ls /opt/wheels/torch-2.13.0*cpu*.whl >/dev/null 2>&1; then \
	  $(PY) -m pip install --quiet torch==2.13.0 || echo "torch not installed"; fi
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m sklearn_gd

test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadgroup -q --doctest-modules sklearn_gd tests

$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

# HTML with warnings as errors; runs every example of the gallery.
docs: $(DOCS_STAMP)
	rm -rf docs/_build docs/generated docs/auto_examples
	MPLBACKEND=Agg $(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

lint: $(STAMP)
	$(PY) -m ruff check sklearn_gd tests examples benchmarks docs/conf.py
	$(PY) -m ruff format --check sklearn_gd tests examples benchmarks docs/conf.py

bench: $(STAMP)
	$(PY) benchmarks/bench_epoch.py
	$(PY) benchmarks/bench_time_to_tol.py
	$(PY) benchmarks/bench_memory.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache docs/_build docs/generated docs/auto_examples
