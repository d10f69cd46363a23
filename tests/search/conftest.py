"""Search fixtures: a real index (Whoosh in a temp dir, or PostgreSQL) built from the test database."""

import os

import pytest

from app.extensions import db

BACKENDS = ["whoosh"] + (["postgres"] if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") else [])


@pytest.fixture(params=BACKENDS)
def app_config(request, app_config):
    app_config["SEARCH_BACKEND"] = request.param
    return app_config


@pytest.fixture
def reindex(app):
    """Rebuild the index from the database, as `flask search reindex` does."""
    from app.search import documents, get_backend

    def run() -> int:
        count = get_backend().rebuild(documents.all_documents())
        db.session.commit()
        return count

    return run


@pytest.fixture
def sync(app):
    """Apply queued changes, as the writer does after a commit."""
    from app.search.queue import drain

    return lambda: drain(blocking=True)


@pytest.fixture(autouse=True)
def request_context(app):
    """Service-level searches build links, which needs a request; the test client pushes its own on top."""
    with app.test_request_context("/en/"):
        yield
