# afr_aid: `make run` serves the whole service, `make test` runs the whole suite.
# Both set everything up on a fresh machine that has only Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export FLASK_APP := afr_aid

.PHONY: install run web test test-postgres bench translations extract-messages update-catalogs clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) translations

# Compiled catalogs (.mo) are build products; the .po files are committed.
translations: $(STAMP)
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d translations; fi

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	@echo "Serving http://127.0.0.1:5000 (web, worker and beat). Mail goes to instance/mail/."
	$(BIN)/honcho -f Procfile.dev start

web: install
	$(BIN)/flask db upgrade
	$(BIN)/flask run --debug

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The database tests again, on PostgreSQL (127.0.0.1:5432, database test, user postgres).
test-postgres: install
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m benchmarks.run

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o translations/messages.pot .

update-catalogs: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
		--ignore-obsolete --no-wrap
	$(BIN)/python translations/fill_english.py

clean:
	rm -rf $(VENV) .pytest_cache
