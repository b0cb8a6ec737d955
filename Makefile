VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) cli.py extract samples/sample-county-hrss-2024.pdf samples/sample-county-hrss-2024-scanned.pdf --out out/sample --engine auto

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(PY) bench/bench_ingest.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache
