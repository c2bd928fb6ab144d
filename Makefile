# afr_aid: `make run` serves the whole service, `make test` runs the whole suite.
# Both set everything up on a fresh machine that has only Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export FLASK_APP := afr_aid

.PHONY: install run web test test-clock test-postgres bench translations extract-messages update-catalogs clean

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

# The date-sensitive tests again under Debian's libfaketime (apt-get install faketime),
# once at each instant below where afr_aid's calendar turns over. The instants are UTC;
# SUMMARY_TIMEZONE (Africa/Lubumbashi) is UTC+2. The clock starts there and runs on, so a
# run begun a minute before midnight crosses it. Only the calendar is faked: the monotonic
# clock stays real (durations, timeouts), and tests/faketime/sitecustomize.py mends the one
# call that libfaketime breaks then (time.sleep).
#   2026-12-07 04:59:30  Monday 06:59:30 in Lubumbashi, a minute before the weekly summary
#   2026-12-13 21:59:00  Sunday 23:59 in Lubumbashi: the week ends during the run
#   2026-12-31 21:58:00  New Year's Eve 23:58 in Lubumbashi, inside ISO week 2026-W53
#   2028-02-29 10:00:00  a leap day
#   2027-02-01 04:25:00  the first Monday after a month's end, 06:25 (before the 06:30 digest)
#   2026-12-07 22:05:00  00:05 on Tuesday in Lubumbashi while UTC is still Monday
CLOCK_INSTANTS := "2026-12-07 04:59:30" "2026-12-13 21:59:00" "2026-12-31 21:58:00" \
	"2028-02-29 10:00:00" "2027-02-01 04:25:00" "2026-12-07 22:05:00"
CLOCK_TESTS := tests/notifications/test_alerts.py tests/notifications/test_summaries.py \
	tests/notifications/test_security_notices.py tests/notifications/test_preferences.py \
	tests/notifications/test_pages.py tests/services/test_turnovers.py tests/services/test_filing.py \
	tests/services/test_workflow_effects.py tests/services/test_queue.py tests/services/test_stats.py \
	tests/services/test_users.py tests/services/test_listing.py tests/services/test_notifications.py \
	tests/security/test_sessions.py tests/security/test_two_factor_pages.py \
	tests/security/test_two_factor_api.py tests/security/test_code_checks.py \
	tests/protection/test_retention.py tests/web/test_dashboard_pages.py tests/web/test_languages.py \
	tests/api/test_filing.py tests/api/test_meta.py tests/api/test_tokens.py tests/api/test_listing.py

test-clock: install
	@command -v faketime >/dev/null || { echo "make test-clock needs libfaketime: apt-get install faketime"; exit 1; }
	@for instant in $(CLOCK_INSTANTS); do \
		echo "== make test-clock at $$instant UTC"; \
		TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 PYTHONPATH=$(CURDIR)/tests/faketime \
			faketime "$$instant" $(BIN)/python -m pytest -q -p no:cacheprovider $(CLOCK_TESTS) $(PYTEST_ARGS) \
			|| exit 1; \
	done

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
