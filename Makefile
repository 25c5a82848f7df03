# TIBS developer entry points. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCALES := en pl lv et lt fi de da
POT    := locales/messages.pot
EXTRACT = $(BIN)/pybabel -q extract -F locales/babel.cfg -k N_ -c TRANSLATORS: --add-location=file \
          --sort-by-file --project=TIBS --version=0.1 --copyright-holder="TIBS contributors" \
          --msgid-bugs-address=https://github.com/tibs-bsr/tibs/issues

.PHONY: setup run chat test lint typecheck locales extract update-catalogs check-catalogs \
        fill-en bench clean

$(BIN)/tibs: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,redis,ptb]'
	touch $@

setup: $(BIN)/tibs locales ## create .venv, install, compile translations

locales: $(BIN)/tibs ## compile the gettext catalogs (.po -> .mo)
	$(BIN)/pybabel -q compile -d locales -D messages

run: setup ## migrate the SQLite database and start the bot (console chat without a token)
	$(BIN)/tibs db upgrade
	$(BIN)/tibs run

chat: setup
	$(BIN)/tibs db upgrade
	$(BIN)/tibs chat

lint: $(BIN)/tibs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/tibs
	$(BIN)/mypy

extract: $(BIN)/tibs ## re-extract messages.pot from the sources
	$(EXTRACT) -o $(POT) .

update-catalogs: extract ## merge messages.pot into every catalog
	$(BIN)/pybabel -q update -i $(POT) -d locales -D messages --no-fuzzy-matching \
	    --ignore-obsolete --ignore-pot-creation-date
	$(BIN)/python -m locales.tools fill-en

check-catalogs: $(BIN)/tibs ## fail when messages.pot or a catalog is stale
	$(EXTRACT) -o $(VENV)/messages.check.pot .
	$(BIN)/python -m locales.tools check-pot $(POT) $(VENV)/messages.check.pot
	$(BIN)/python -m locales.tools check-update $(POT)

test: setup lint typecheck check-catalogs ## everything CI runs
	$(BIN)/pytest -q

bench: setup
	$(BIN)/tibs bench match

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
	find locales -name '*.mo' -delete
