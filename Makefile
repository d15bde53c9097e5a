# The two commands of the README, and the benchmarks. Everything installs into .venv on first use.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml examples/hours-plugin/pyproject.toml clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	$(VENV)/bin/pip install -q -e examples/hours-plugin  # the example handler plugin, exercised by the tests
	$(VENV)/bin/pip install -q -e clients/python  # the producers' client, tested against a running imbridge
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/imbridge up

# Three pytest workers on two cores: much of the suite waits (processes starting, rate windows, long polls).
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n 3 --dist loadfile --durations=15

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Every benchmark in turn (about 20 minutes on 2 cores); stops at the first whose goal is missed outright.
bench: $(STAMP)
	@for script in $(filter-out bench/__init__.py,$(wildcard bench/*.py)); do \
		echo "== $$script"; $(VENV)/bin/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
