# Two commands do all set-up: `make run` (the demo on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export FLASK_APP := wsgi

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

run: $(STAMP) instance/config.py
	@$(BIN)/flask check-pdf || true
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

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
