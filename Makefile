# The two set-up commands: `make run` and `make test`. Both need only Python 3.11+ and pip.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The second pass of the live tests runs on these (PostgreSQL with trust auth, Redis).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
export TEST_DATABASE_URL TEST_REDIS_URL

.PHONY: run test test-embedded test-postgres test-faults-under-load lint format messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The encoder's faster engine is compiled for this machine where it can run (deliberation/analysis/e5fast).
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m deliberation.analysis.e5fast
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m deliberation.analysis.e5fast
	touch $@ $(VENV)/.installed-run

# In development emails are kept in the outbox (/dev/outbox/), unless EMAIL_BACKEND says otherwise.
run: export EMAIL_BACKEND ?= roundtable.outbox.OutboxBackend
run: $(VENV)/.installed-run
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_roundtable
	@echo
	@$(BIN)/python manage.py organizer_account --code LED111 --base-url http://$(HOST):$(PORT)
	@echo
	@echo "  Roundtable is serving. Participant link: http://$(HOST):$(PORT)/r/LED111/"
	@echo "  Registration is required, as the session's card says: add people (or open the roundtable to"
	@echo "  anyone with the code) on the organizer page."
	@echo "  Emails are not sent in development: read them at http://$(HOST):$(PORT)/dev/outbox/ (signed in"
	@echo "  as the organizer above). This console shows pages and sockets, not static files."
	@echo
	$(BIN)/python -m roundtable.devserver -b $(HOST) -p $(PORT) roundtable.asgi:application

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Most of a test's time is spent waiting (on Daphne, Chromium, sockets, countdowns), not computing: more
# workers than cores. Whole files per worker; in the first pass the longest first (tests/conftest.py
# orders them). The passes run one after the other: run at once (`make -j2 test-embedded test-postgres`
# works, their databases and channel names cannot meet) the second pass's PostgreSQL tests timed out on
# this 2-core machine. docs/performance.md, "Test suite".
TEST_WORKERS ?= 3
LIVE_TEST_WORKERS ?= 2

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	@$(MAKE) --no-print-directory test-embedded
	@$(MAKE) --no-print-directory test-postgres

test-embedded:
	@echo "== every test, on the embedded default (SQLite, in-memory channel layer)"
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test-postgres:
	@echo "== the live tests again, on PostgreSQL and Redis"
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m pytest -m live -n $(LIVE_TEST_WORKERS) --dist loadfile

# The fault tests (tests/faults/) under a CPU hog: CPU_HOGS processes spinning at normal priority for the
# whole run (tests/faults/conftest.py), so the load on a 2-core machine is at least doubled. Not part of
# `make test`. One worker, so CPU_HOGS is the whole hog; each hog's CPU time and the load averages are
# appended to test-artifacts/cpu-hog.jsonl. docs/reliability.md, "The fault tests under a loaded machine".
CPU_HOGS ?= 2

test-faults-under-load: $(VENV)/.installed-test
	@uptime
	@status=0; ROUNDTABLE_TEST_CPU_HOG=$(CPU_HOGS) $(BIN)/python -m pytest tests/faults -n 1 -p no:cacheprovider \
		--durations=0 || status=$$?; uptime; tail -n 1 test-artifacts/cpu-hog.jsonl; exit $$status

# Benchmarks (not part of `make test`): one JSON line per scenario, also kept in test-artifacts/bench.jsonl.
# See docs/performance.md. Needs PostgreSQL and Redis for the two-process scenarios.
BENCH_SCENARIOS := \
	"--clients 150 --duration 30" \
	"--clients 150 --duration 30 --processes 2" \
	"--clients 1000 --duration 30" \
	"--clients 1000 --duration 30 --processes 2" \
	"--clients 2000 --duration 30" \
	"--clients 2000 --duration 30 --processes 2" \
	"--clients 1000 --duration 2 --burst" \
	"--clients 2000 --duration 2 --burst --processes 2" \
	"--clients 1000 --duration 2 --burst --processes 2" \
	"--clients 1000 --duration 60 --votes-per-second 200 --proposals-per-second 0 --processes 2"

bench: $(VENV)/.installed-test
	mkdir -p test-artifacts
	$(BIN)/python -m bench.pageweight | tee test-artifacts/bench.jsonl
	$(BIN)/python -m bench.analysis | tee -a test-artifacts/bench.jsonl
	$(BIN)/python -m bench.embedding | tee -a test-artifacts/bench.jsonl
	$(BIN)/python -m bench.duplicates | tee -a test-artifacts/bench.jsonl
	$(BIN)/python -m bench.throttled | tee -a test-artifacts/bench.jsonl
	$(BIN)/python -m bench.document | tee -a test-artifacts/bench.jsonl
	$(BIN)/python -m bench.replayflood | tee -a test-artifacts/bench.jsonl
	$(BIN)/python -m bench.translation | tee -a test-artifacts/bench.jsonl
	$(BIN)/python -m bench.loadgen_cost --mode backlog | tee -a test-artifacts/bench.jsonl
	for scenario in $(BENCH_SCENARIOS); do \
		$(BIN)/python -m bench.fanout $$scenario | tail -n 1 | tee -a test-artifacts/bench.jsonl || exit 1; \
	done

# Regenerate the catalogs after changing strings; translate, then commit the .po and .mo files.
messages: $(VENV)/.installed-test
	$(BIN)/python manage.py makemessages -l es -l fr --ignore=.venv --ignore=tests --ignore=frontend
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts .test-db.sqlite3*
