"""A database that cannot answer (locked by another process, restarted) gives a 503 with Retry-After, never a 500."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from app.comments.models import Comment
from app.extensions import db
from config import Config

COMMENT = {"stance": "support", "body": "Срок в десять дней слишком короткий.", "client_token": "locked-form"}


@pytest.fixture
def sqlite_file(app_config, tmp_path) -> str:
    """Run this test on a SQLite file whatever TEST_DATABASE_URL says: the lock is another process's, on a file."""
    path = tmp_path / "locked.db"
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    return str(path)


def _comment_url(article) -> str:
    return f"/en/laws/{article.version.law.slug}/sections/{article.id}/comments"


def _hold_lock(path: str, seconds: float, taken: threading.Event) -> None:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    taken.set()
    time.sleep(seconds)
    holder.execute("ROLLBACK")
    holder.close()


def test_a_three_second_lock_by_another_process_passes_unnoticed(sqlite_file, app, article, create_user, auth):
    assert app.config["SQLITE_BUSY_TIMEOUT"] == Config.SQLITE_BUSY_TIMEOUT > 3  # the production default
    auth.login(create_user())
    url = _comment_url(article)
    db.session.remove()
    taken = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(sqlite_file, 3, taken))
    holder.start()
    taken.wait(5)
    response = auth.client.post(url, data=COMMENT)
    holder.join(10)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Comment.id))) == 1


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_a_lock_longer_than_the_busy_timeout_is_a_translated_503_with_retry_after(
    sqlite_file, app_config, lang, request
):
    app_config["SQLITE_BUSY_TIMEOUT"] = 0.2
    app = request.getfixturevalue("app")
    article = request.getfixturevalue("article")
    auth = request.getfixturevalue("auth")
    auth.login(request.getfixturevalue("create_user")())
    url = _comment_url(article)
    db.session.remove()
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response = auth.client.post(url.replace("/en/", f"/{lang}/"), data=COMMENT)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(app.config["DB_RETRY_AFTER"])
    page = response.get_data(as_text=True)
    assert "Traceback" not in page and "OperationalError" not in page
    assert f'href="/{lang}/"' in page  # the site's own page, drawn without asking the locked database again
    with app.test_request_context(f"/{lang}/"):
        from app.main.errors import MESSAGES

        assert str(MESSAGES[503]) in page
    # Nothing half-written, and the next request, the lock gone, works.
    assert db.session.scalar(select(func.count(Comment.id))) == 0
    assert auth.client.post(url, data=COMMENT).status_code == 302
    assert db.session.scalar(select(func.count(Comment.id))) == 1


def test_an_api_request_on_a_locked_database_gets_json(sqlite_file, app_config, request):
    app_config["SQLITE_BUSY_TIMEOUT"] = 0.2
    app = request.getfixturevalue("app")

    @app.post("/api/v1/_write_probe")
    def _write_probe():
        db.session.execute(text("SELECT 1"))  # a POST: SQLite's write lock is asked for up front
        return {"ok": True}

    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response = app.test_client().post("/api/v1/_write_probe")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert response.json["error"]["status"] == 503


def test_a_dropped_postgresql_connection_is_a_503_and_the_next_request_works(pg_database_url, app_config, request):
    app_config["SQLALCHEMY_DATABASE_URI"] = pg_database_url
    app = request.getfixturevalue("app")

    @app.get("/en/_restart_probe")
    def _restart_probe():
        # What a server restart does to the connections in the pool, and to the request using one.
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        db.session.execute(text("SELECT 1"))
        return "unreachable"

    client = app.test_client()
    response = client.get("/en/_restart_probe")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert "Traceback" not in response.get_data(as_text=True)
    # Every connection the pool holds is now dead (as after a restart): pool_pre_ping replaces them.
    assert client.get("/en/about").status_code == 200
    killer = create_engine(pg_database_url, poolclass=NullPool)
    with killer.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    killer.dispose()
    assert client.get("/en/about").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)  # answered, whatever the search index says
