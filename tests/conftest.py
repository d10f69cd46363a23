"""Fixtures: a fresh app per test on a real database (SQLite file, or PostgreSQL via TEST_DATABASE_URL)."""

import os
import re
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import g, request_started
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import DBAPIError

from app import create_app
from app.extensions import db
from app.laws.importing import add_language, publish_version
from app.laws.services import create_law
from app.laws.structure import parse_text
from config import TestConfig

_schema_ready: set[str] = set()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


# Where the PostgreSQL-only tests look for a server when the suite itself runs on SQLite (as CI's local server).
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_SERVER_URL = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}"


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A PostgreSQL database for tests that need one whatever the suite runs on, or a skip saying what was tried.

    TEST_DATABASE_URL when it is PostgreSQL (the suite's own run there); else a throw-away database on the server
    at 127.0.0.1:5432, dropped at the end, so the SQLite run leaves nothing behind in the database that CI's
    PostgreSQL run uses next, and two runs at once do not share one.
    """
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        yield url
        return
    tried = f"TEST_DATABASE_URL is {'not PostgreSQL' if url else 'unset'}"
    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=0.5).close()
    except OSError as error:
        pytest.skip(f"needs PostgreSQL: {tried} and nothing answers on {PG_HOST}:{PG_PORT} ({error})")
    name = f"kenes_pg_only_{uuid.uuid4().hex[:8]}"
    server = create_engine(f"{PG_SERVER_URL}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as error:
        server.dispose()
        pytest.skip(f"needs PostgreSQL: {tried}, and CREATE DATABASE on {PG_SERVER_URL} failed: {error.orig}")
    try:
        yield f"{PG_SERVER_URL}/{name}"
    finally:
        with server.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Config overrides for this test; a test may change it before asking for `app`."""
    return {"SQLALCHEMY_DATABASE_URI": database_url, "SEARCH_INDEX_DIR": str(tmp_path / "index")}


@pytest.fixture
def app(app_config) -> Iterator:
    config = type("Config", (TestConfig,), app_config)
    application = create_app(config)
    with application.app_context():
        url = application.config["SQLALCHEMY_DATABASE_URI"]
        if url not in _schema_ready:
            db.drop_all()
            db.create_all()
            if db.engine.dialect.name == "postgresql":
                # As migration 0003 does: "did you mean" needs it. Without this a test of it passed only after an
                # earlier test of the run had installed it, and failed when run alone.
                with db.engine.begin() as conn:
                    conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            _schema_ready.add(url)
        _empty_tables()
        # Requests in a test reuse this app context and so its `g`, where Flask-Login caches the user and
        # Flask-Babel the locale; in production each request has a fresh one. Start each request clean.
        with request_started.connected_to(_fresh_globals, application):
            yield application
        # A summary build still running in a thread holds a connection: let it finish before the pool goes.
        for thread in list(application.extensions.get("kenes_summary_threads", {}).values()):
            thread.join(30)
        # A test that turned the search writer thread on: left running, it would go on draining (and writing to)
        # the database of every later test, whose deferred transactions then fail with "database is locked".
        application.extensions["kenes_search_writer"].stop()
        # Its searcher's files (a rebuilt segment's are not one compound file): closed, not left to the collector.
        if (backend := application.extensions.get("kenes_search")) is not None:
            backend.close()
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _fresh_globals(sender, **extra) -> None:
    vars(g._get_current_object()).clear()


def _empty_tables() -> None:
    tables = db.metadata.sorted_tables
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def organisation_factory(model, slug_prefix: str, names: tuple[str, str, str]):
    """Return a factory that adds numbered agencies or committees: agency-1, agency-2, ..."""
    counter = iter(range(1, 10_000))

    def factory(**kwargs):
        n = next(counter)
        values = {
            "slug": f"{slug_prefix}-{n}",
            **{f"name_{code}": f"{name} {n}" for code, name in zip(("kk", "ru", "en"), names, strict=True)},
        }
        organisation = model(**{**values, **kwargs})
        db.session.add(organisation)
        db.session.commit()
        return organisation

    return factory


@pytest.fixture
def create_agency(app):
    from app.organisations.models import Agency

    return organisation_factory(Agency, "agency", ("Агенттік", "Агентство", "Agency"))


@pytest.fixture
def create_committee(app):
    from app.organisations.models import Committee

    return organisation_factory(Committee, "committee", ("Комитет", "Комитет", "Committee"))


DEFAULT_PASSWORD = "correct horse battery"


@pytest.fixture
def create_user(app):
    from app.auth.models import User
    from app.auth.passwords import hash_password
    from app.db import utcnow

    counter = iter(range(1, 10_000))
    password_hash = hash_password(DEFAULT_PASSWORD)

    def factory(role: str = "citizen", confirmed: bool = True, password: str | None = None, **kwargs) -> User:
        n = next(counter)
        values = {
            "email": f"user{n}@example.kz",
            "display_name": f"User {n}",
            "role": role,
            "password_hash": hash_password(password) if password else password_hash,
            "email_confirmed_at": utcnow() if confirmed else None,
        }
        values.update(kwargs)
        user = User(**values)
        db.session.add(user)
        db.session.commit()
        return user

    return factory


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str = DEFAULT_PASSWORD, lang: str = "en"):
        email = getattr(user_or_email, "email", user_or_email)
        return self.client.post(f"/{lang}/auth/login", data={"email": email, "password": password})

    def logout(self, lang: str = "en"):
        return self.client.post(f"/{lang}/auth/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """Return the CSRF token embedded in a rendered form."""
    match = CSRF_RE.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


@pytest.fixture
def count_queries(app):
    """Count SQL statements run inside a `with count_queries() as counter:` block."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        statements: list[str] = []

        def before(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


DEMO = Path(__file__).resolve().parents[1] / "app" / "laws" / "demo_texts"


def demo_text(name: str) -> str:
    return (DEMO / name).read_text(encoding="utf-8")


@pytest.fixture
def create_law_from(app, create_agency):
    """Publish a law from demo files: create_law_from([("ru", "waste.v1.ru.txt"), ...], ...)."""

    def factory(*versions, status: str = "open", agency=None, slug: str | None = None, **kwargs):
        agency = agency or create_agency()
        law = None
        for files in versions:
            (lang, name), *others = files
            text = demo_text(name)
            if law is None:
                title = parse_text(text, lang)[0].title
                law = create_law(agency=agency, created_by=None, titles={lang: title}, slug=slug, **kwargs)
            version = publish_version(law, lang=lang, text=text, filename=name)
            for other_lang, other_name in others:
                add_language(version, lang=other_lang, text=demo_text(other_name))
        law.status = status
        db.session.commit()
        return law

    return factory


@pytest.fixture
def waste_law(create_law_from):
    return create_law_from(
        [("ru", "waste.v1.ru.txt"), ("kk", "waste.v1.kk.txt")],
        [("ru", "waste.v2.ru.txt"), ("kk", "waste.v2.kk.txt")],
        slug="household-waste",
    )


@pytest.fixture
def open_law(waste_law):
    """The two-version waste law, open for comments right now."""
    from datetime import timedelta

    from app.db import utcnow

    waste_law.opens_at, waste_law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=10)
    waste_law.status = "open"
    db.session.commit()
    return waste_law


@pytest.fixture
def article(open_law):
    """Article 10 of the open law's latest version (the one whose complaint deadline changed)."""
    from app.laws.models import Section

    return db.session.scalar(
        select(Section).where(Section.version_id == open_law.latest_version.id, Section.key == "article:10")
    )


@pytest.fixture
def create_comment(app, create_user):
    """Post a comment through the service; approved unless state="pending"."""
    import uuid

    from app.comments.services import approve_comment, post_comment

    def factory(section, author=None, body="Предлагаю сократить срок.", stance="support", state="approved", **kwargs):
        author = author or create_user()
        result = post_comment(
            author=author, section=section, body=body, stance=stance, client_token=uuid.uuid4().hex, **kwargs
        )
        if state == "approved" and result.comment.state == "pending":
            approve_comment(result.comment)
        db.session.commit()
        return result.comment

    return factory
