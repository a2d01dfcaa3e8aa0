# Jianguan — the two commands a newcomer needs are `make run` and `make test`.
PY      := .venv/bin/python
PORT    ?= 8000
MANAGE  := $(PY) manage.py
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test test-browser bench lint setup setup-browser db messages

setup:
	@scripts/bootstrap.sh

setup-browser:
	@scripts/bootstrap.sh --browser

PO_FILES := $(wildcard jianguan/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

messages: setup $(MO_FILES)

%.mo: %.po
	@msgfmt --check-format -o $@ $<

STATIC_SOURCES := $(shell find jianguan/static jianguan/*/static -type f 2>/dev/null)

# Collected (and compressed) only when a static file changed, which keeps a second `make run` quick.
var/static/staticfiles.json: $(STATIC_SOURCES) pyproject.toml
	@echo "run: collecting and compressing the static files"
	@$(MANAGE) collectstatic --noinput -v0

db: setup messages
	@echo "run: migrating the database"
	@$(MANAGE) migrate --noinput -v0
	@$(MAKE) -s var/static/staticfiles.json

# The background worker: the database queue's, or RQ's (with its scheduler, for tomorrow's runs and retries) when
# JIANGUAN_REDIS_URL is set (or JIANGUAN_TASKS_BACKEND=rq; settings.py chooses the same way).
WORKER := $(if $(filter rq,$(JIANGUAN_TASKS_BACKEND))$(if $(JIANGUAN_TASKS_BACKEND),,$(JIANGUAN_REDIS_URL)),rqworker --with-scheduler,db_worker --interval 2 --no-startup-delay --no-reload)

## make run: set up, migrate, load the demo district and serve on http://127.0.0.1:$(PORT)
run: db
	@echo "run: loading the demo district (its history is replayed event by event: about half a minute the first time)"
	@$(MANAGE) load_demo
	@echo "run: today's reminders, and the daily reminder, risk and rule-check runs queued for the background worker"
	@$(MANAGE) ledger_remind --schedule | tail -1 | sed 's/^/run: reminders /'
	@$(MANAGE) risk_refresh --schedule | tail -1 | sed 's/^/run: risk ratings /'
	@$(MANAGE) check_rules --schedule | tail -1 | sed 's/^/run: rule checks /'
	@echo ""
	@echo "监管平台已启动：http://127.0.0.1:$(PORT)/   (Ctrl+C 停止；后台任务进程同时运行，日志见 var/worker.log)"
	@JIANGUAN_LOG_FORMAT=$${JIANGUAN_LOG_FORMAT:-text} $(MANAGE) $(WORKER) >var/worker.log 2>&1 & \
	worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	JIANGUAN_LOG_FORMAT=$${JIANGUAN_LOG_FORMAT:-text} $(MANAGE) runserver 127.0.0.1:$(PORT) --noreload --skip-checks

## make test: set up and run the whole suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL)
test: setup messages
	@$(PY) -m pytest -n 2 -m "not browser" -q $(PYTEST_ARGS)

## make test-browser: the browser tests in Debian's Chromium
test-browser: setup-browser messages
	@JIANGUAN_TEST_SQLITE_FILE=var/test-browser.sqlite3 $(PY) -m pytest -m browser -q -p no:xdist $(PYTEST_ARGS)

## make bench: performance measurements (not pass/fail timings in the unit suite)
bench: setup messages
	@$(MAKE) -s var/static/staticfiles.json
	@$(PY) -m benchmarks

lint: setup
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@$(MANAGE) makemigrations --check --dry-run -v0
