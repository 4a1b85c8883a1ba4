# The only set-up a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CHROMIUM := /usr/bin/chromium

.PHONY: install demo test lint bench bench-shapes docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/batchaudit audit sample_data -o out/report.html -o out/findings.json --fail-on never
	@echo "HTML report: $(CURDIR)/out/report.html"

# The browser tests drive Debian's Chromium through Playwright (never a browser download).
$(CHROMIUM):
	command -v apt-get >/dev/null || { echo "Install Chromium at $(CHROMIUM) for the browser tests."; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

docs: $(STAMP)
	$(BIN)/batchaudit rules --markdown > docs/rules.md
	$(BIN)/python tests/contract/update_evidence.py

# 10^4 and 10^5 packages (BENCH_LARGE=1 adds 10^6) against the DuckDB peer, side by side.
bench: $(STAMP)
	$(BIN)/python bench/bench.py

# The pathological shapes (a 100,000-deep chain, a 50,000 cycle, ...), each within 10 s.
bench-shapes: $(STAMP)
	$(BIN)/python bench/shapes.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
