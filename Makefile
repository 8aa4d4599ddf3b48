# Two commands do all set-up: `make run` (the demo on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := wsgi
PORT ?= 5000

.PHONY: run test lint bench clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# A local demo installation: instance/config.py gets a random secret key and DEVELOPMENT=True.
instance/config.py:
	@mkdir -p instance
	@$(PYTHON) -c "import secrets; print('# Local demo installation, written by make run.\nSECRET_KEY = %r\nDEVELOPMENT = True' % secrets.token_hex(32))" > $@
	@echo "Wrote $@ (local development settings)."

# The app and the background worker (mail, reminders) together; stopping the app (Ctrl+C) stops
# the worker too. Mail goes to instance/mail/*.eml unless CLINIC_MAIL_URL is set.
run: $(STAMP) instance/config.py
	@$(BIN)/flask check-pdf || true
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@$(BIN)/flask worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The suite runs on SQLite; with TEST_DATABASE_URL set it runs again on that PostgreSQL.
test: $(STAMP)
	$(BIN)/ruff check .
	env -u TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(BIN)/pytest; \
	fi

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean-venv:
	rm -rf $(VENV)
