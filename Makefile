# The README's two commands: `make run` and `make test`. Everything else is a helper for them or for CI.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: venv run test lint setup-demo clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

# Migrate, load reference and demo data (both idempotent), then serve with a local worker and beat.
setup-demo: venv
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo

run: setup-demo
	AIMS_LOCAL_BROKER=1 $(PY) manage.py runlocal --addrport $(HOST):$(PORT)

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache
