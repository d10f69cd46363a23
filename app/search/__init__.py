"""Full-text search over drafts, sections and comments. Only this package knows the engine (Whoosh or PostgreSQL)."""

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import event

from app.extensions import db
from app.search.backend import Backend


def get_backend(app: Flask | None = None) -> Backend:
    """Return this process's backend for the app, created once."""
    app = app or current_app
    backend = app.extensions.get("kenes_search")
    if backend is None:
        if app.config["SEARCH_BACKEND"] == "postgres":
            from app.search.postgres_backend import PostgresBackend

            backend = PostgresBackend()
        else:
            from app.search.whoosh_backend import WhooshBackend

            backend = WhooshBackend(app.config["SEARCH_INDEX_DIR"])
        app.extensions["kenes_search"] = backend
    return backend


def _after_commit(session) -> None:
    """Once data with queued index changes is committed, have them applied (inline in tests, else by the writer)."""
    if session.in_nested_transaction() or not session.info.pop("kenes_search_dirty", False):
        return
    if not has_app_context():
        return  # the rows stay queued; the next writer run applies them
    app = current_app._get_current_object()
    if app.config["SEARCH_WRITER"] == "inline":
        # Tests and single-process tools: apply right after the request, deterministically.
        g.kenes_search_pending = True
    else:
        app.extensions["kenes_search_writer"].poke()


def init_app(app: Flask) -> None:
    """Queue index changes with the data, and apply them once the data is committed."""
    from app.search import receivers
    from app.search.queue import BackgroundWriter, drain

    receivers.connect()
    writer = BackgroundWriter(app)
    app.extensions["kenes_search_writer"] = writer

    # One listener for every app: a listener per create_app would pile up (tests make hundreds) and the first
    # one registered would serve every later app with its own config and writer.
    if not event.contains(db.session, "after_commit", _after_commit):
        event.listen(db.session, "after_commit", _after_commit)

    @app.before_request
    def _start_writer():
        # The writer thread also picks up changes queued by commands run outside the web server.
        if app.config["SEARCH_WRITER"] == "thread" and not writer.running:
            writer.poke()

    @app.teardown_request
    def _apply_inline(_error=None):
        if g.pop("kenes_search_pending", False):
            drain(blocking=True)
