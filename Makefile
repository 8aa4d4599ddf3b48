# Two commands do all set-up: `make run` (the demo on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := wsgi
PORT ?= 5000

.PHONY: run test lint bench clean-venv messages

# The translations: catalogs (.po) are in git, compiled (.mo) here; the app also compiles a
# missing or stale one at start-up (clinic/i18n.py).
PO_FILES := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel --quiet compile --input-file $< --output-file $@ --locale $*

# After marking strings: collect them (babel.cfg) into every catalog; new ones arrive empty, and
# tests/test_translations.py lists what still needs a translation.
messages: $(STAMP)
	$(BIN)/pybabel --quiet extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
		--add-location=file --sort-output --no-wrap -c TRANSLATORS: \
		--project=clinic -o translations/messages.pot .
	$(BIN)/pybabel --quiet update -i translations/messages.pot -d translations \
		--no-fuzzy-matching --ignore-obsolete --no-wrap

# A local demo installation: instance/config.py gets a random secret key and DEVELOPMENT=True.
instance/config.py:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print('# Local demo installation, written by make run.\nSECRET_KEY = %r\nDEVELOPMENT = True' % secrets.token_hex(32))" > $@
	@echo "Wrote $@ (local development settings)."

# The app and the background worker (mail, reminders) together; stopping the app (Ctrl+C) stops
# the worker too. Mail goes to instance/mail/*.eml unless CLINIC_MAIL_URL is set.
run: $(STAMP) $(MO_FILES) instance/config.py
	@$(BIN)/flask check-pdf || true
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@$(BIN)/flask worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The suite runs on SQLite; with TEST_DATABASE_URL set it runs again on that PostgreSQL. Both
# runs are spread over TEST_WORKERS processes (pytest-xdist; tests/parallel.py says what each keeps
# to itself): one per logical core (`auto` would count physical cores when psutil is installed,
# one on a two-vCPU machine), or say how many: `make test TEST_WORKERS=4`.
TEST_WORKERS ?= logical
test: $(STAMP) $(MO_FILES)
	$(BIN)/ruff check .
	env -u TEST_DATABASE_URL $(BIN)/pytest -n $(TEST_WORKERS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(BIN)/pytest -n $(TEST_WORKERS); \
	fi

# Every benchmark runs; the target fails at the end if any of them missed a goal (exit status 1).
bench: $(STAMP)
	@failed=""; for script in bench/[!_]*.py; do echo "== $$script"; uptime; \
		$(BIN)/python $$script || failed="$$failed $$script"; done; \
	if [ -n "$$failed" ]; then echo "goals missed in:$$failed"; exit 1; fi

clean-venv:
	rm -rf $(VENV)
