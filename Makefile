# Two commands set up a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py

.PHONY: run test lint format translations update-translations install clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: install
	$(BIN)/flask translate compile

run: install translations
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask search reindex
	$(BIN)/flask run --host 127.0.0.1 --port 5000

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

update-translations: install
	$(BIN)/flask translate update

clean:
	rm -rf $(VENV) instance
