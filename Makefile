# The two commands a newcomer needs: `make run` and `make test`. Both set everything up themselves.
PYTHON ?= python3
VENV ?= .venv
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "QI Commons needs Python 3.11 or newer: set PYTHON=python3.11")'
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

# With no SLACK_BOT_TOKEN (in the environment or .env) `make run` opens the browser sandbox instead.
HAS_TOKEN = $(or $(SLACK_BOT_TOKEN),$(shell grep -sE '^SLACK_BOT_TOKEN=.+' .env))

run: $(STAMP)  ## real Slack with a SLACK_BOT_TOKEN; otherwise the local sandbox workspace at http://127.0.0.1:3000
ifneq ($(strip $(HAS_TOKEN)),)
	$(VENV)/bin/qi-commons run
else
	$(VENV)/bin/qi-commons sandbox $(ARGS)
endif

test: $(STAMP)  ## lint, then the whole suite on SQLite and PostgreSQL
	VENV=$(VENV) bash scripts/test.sh $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	for script in bench/[!_]*.py; do $(VENV)/bin/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
