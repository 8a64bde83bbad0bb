# VănPhòng. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export VANPHONG_DATA_DIR ?= $(CURDIR)/var
# Debian packages that features and tests need: browser tests, PDF and XML tools, translations.
DEBIAN_PACKAGES := chromium fonts-noto-core gettext ghostscript libnss3-tools libreoffice-writer-nogui poppler-utils softhsm2 tesseract-ocr tesseract-ocr-vie wrk xmlsec1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system-packages run demo test test-sqlite test-postgres bench messages clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python system-packages
	$(BIN)/pip install --quiet -e '.[test]'

system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "Some features need Debian packages. Run:"; echo "  sudo apt-get install -y $$missing"; \
	fi

run: install
	$(BIN)/vanphong migrate
	$(BIN)/vanphong demo
	$(BIN)/vanphong serve --host $(HOST) --port $(PORT)

demo: install
	$(BIN)/vanphong migrate
	$(BIN)/vanphong demo

# With VANPHONG_TEST_DATABASE_URL set, the SQLite and PostgreSQL runs go side by side, one per core (each spends
# much of its time waiting on browsers, servers and subprocesses); each run's log is printed when both are done.
test: install
	$(BIN)/ruff check src tests bench
	@if [ -n "$$VANPHONG_TEST_DATABASE_URL" ]; then \
	  logs=$$(mktemp -d); echo "== tests on SQLite and on PostgreSQL, side by side (logs in $$logs) =="; \
	  $(MAKE) --no-print-directory test-sqlite > $$logs/sqlite.log 2>&1 & sqlite=$$!; \
	  $(MAKE) --no-print-directory test-postgres > $$logs/postgres.log 2>&1 & postgres=$$!; \
	  wait $$sqlite; sqlite_exit=$$?; wait $$postgres; postgres_exit=$$?; \
	  cat $$logs/sqlite.log $$logs/postgres.log; \
	  echo "== SQLite: exit $$sqlite_exit; PostgreSQL: exit $$postgres_exit =="; \
	  test $$sqlite_exit -eq 0 -a $$postgres_exit -eq 0; \
	else $(MAKE) --no-print-directory test-sqlite; \
	  echo "VANPHONG_TEST_DATABASE_URL is not set: the PostgreSQL run is skipped."; fi

# Each run ends with its 40 slowest tests, to keep the suite's time in sight.
test-sqlite:
	@echo "== tests on SQLite =="
	env -u DATABASE_URL VANPHONG_DATA_DIR=$$(mktemp -d) $(BIN)/pytest --durations=40 $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL =="
	DATABASE_URL="$$VANPHONG_TEST_DATABASE_URL" VANPHONG_DATA_DIR=$$(mktemp -d) $(BIN)/pytest --durations=40 $(PYTEST_ARGS)

# Benchmarks print their figures; the last line of each is one JSON object. DATABASE_URL=postgres://…
# runs them on PostgreSQL (each creates a database of its own).
bench: install
	@for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

messages: $(BIN)/python
	cd src/vanphong && ../../$(BIN)/django-admin makemessages -l vi -l en --no-obsolete && ../../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var build src/*.egg-info
