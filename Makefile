# Two commands set up a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
# `make run PORT=5001` serves on another port; links in e-mails follow it unless BASE_URL is set.
PORT ?= 5000

.PHONY: run test lint format translations update-translations install clean bench

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: install
	$(BIN)/flask translate compile

run: export BASE_URL ?= http://127.0.0.1:$(PORT)
run: install translations
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask search reindex
# Ctrl-C (or a SIGTERM) is how the server stops, not a failure: the trap turns it into a clean exit so make does not
# report "Interrupt" or "Terminated", and the shell's own notice of the signal goes to /dev/null while the server's
# output keeps the terminal (fd 3). A server that fails on its own still fails the target.
	@trap 'exit 0' INT TERM; exec 3>&2 2>/dev/null; (exec $(BIN)/flask run --host 127.0.0.1 --port $(PORT) 2>&3)

# The PostgreSQL-only tests find a server themselves (pg_database_url in tests/conftest.py): TEST_DATABASE_URL, else
# a throw-away database on 127.0.0.1:5432; with neither they are skipped and the summary says why.
test: install translations lint
	env -u TEST_DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(BIN)/pytest -q; \
	fi

lint: install
	$(BIN)/ruff check app tests bench config.py wsgi.py
	$(BIN)/ruff format --check app tests bench config.py wsgi.py
# bandit: a medium or high finding fails; one that is accepted carries `# nosec BXXX: why` on its line.
	$(BIN)/bandit -r app -ll -q

format: install
	$(BIN)/ruff format app tests bench config.py wsgi.py
	$(BIN)/ruff check --fix app tests bench config.py wsgi.py

# The public pages over HTTP (gunicorn, wrk if installed: apt-get install wrk), a few minutes; bench/http_pages.py.
bench: install translations
	$(BIN)/python bench/http_pages.py

update-translations: install
	$(BIN)/flask translate update

clean:
	rm -rf $(VENV) instance
