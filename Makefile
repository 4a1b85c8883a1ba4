# The only set-up a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

CHROMIUM := /usr/bin/chromium

.PHONY: install demo test lint bench bench-install bench-shapes docs clean

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
	$(BIN)/flake8 src
	$(BIN)/pylint --score=n src

docs: $(STAMP)
	$(BIN)/batchaudit rules --markdown > docs/rules.md
	$(BIN)/python tests/contract/update_evidence.py

# The benchmarks time batchaudit as a user installs it: from a wheel, in its own environment
# (compiled bytecode, none of the test tools). Its dependencies are installed once; batchaudit
# itself is reinstalled before every benchmark, so that it is the code of the work tree.
$(BENCH_STAMP): pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet . hatchling
	touch $(BENCH_STAMP)

bench-install: $(BENCH_STAMP)
	$(BENCH_VENV)/bin/python -m pip install --quiet --no-deps --no-build-isolation --force-reinstall .

# 10^4 and 10^5 packages (BENCH_LARGE=1 adds 10^6) against the DuckDB peer, side by side.
bench: $(STAMP) bench-install
	BATCHAUDIT=$(BENCH_VENV)/bin/batchaudit $(BIN)/python bench/bench.py

# The pathological shapes (a 100,000-deep chain, a 50,000 cycle, ...), each within 10 s.
bench-shapes: $(STAMP) bench-install
	BATCHAUDIT=$(BENCH_VENV)/bin/batchaudit $(BIN)/python bench/shapes.py

clean:
	rm -rf $(VENV) $(BENCH_VENV) out .pytest_cache .mypy_cache .ruff_cache
