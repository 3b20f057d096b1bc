# Quick start:  make run   (set up, then the dashboard on the local simulation)
#               make test  (set up, then lint, types, layering and the whole test suite)
VENV ?= .venv
PY := $(VENV)/bin/python
# the tests wait on servers and timers more than they compute: two processes, each taking
# whole files (a file's Mosquitto or Prometheus is started once), halve the run on 2 cores
TEST_WORKERS ?= 2
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint bench system-deps clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

run: $(STAMP)
	$(VENV)/bin/watchfloor

system-deps:
	bash .ci/system-deps.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: $(STAMP) system-deps lint
	$(PY) -m compileall -q backends tui bench
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(PY) -m compileall -q backends tui bench
	$(PY) -m bench.startup
	$(PY) -m bench.github_poll
	$(PY) -m bench.quantile
	$(PY) -m bench.grants
	$(PY) -m bench.grants_poll
	$(PY) -m bench.faults_halt
	$(PY) -m bench.ingest
	$(PY) -m bench.replay
	$(PY) -m bench.audit_verify
	$(PY) -m bench.idle

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
