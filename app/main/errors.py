"""Error pages: HTML for people, JSON under /api/."""

import logging

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask.globals import request_ctx
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.errors import UserError
from app.extensions import db, login_manager

logger = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to open this page."),
    404: _l("There is no such page."),
    405: _l("This action is not allowed here."),
    413: _l("The file or text is too large."),
    429: _l("Too many requests. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Your data was not changed; please try again."),
    503: _l("The site is briefly unavailable. Your data was not changed; please try again in a moment."),
}


# For requests that cannot build a URL: the page template's links and assets all need url_for.
PLAIN_PAGE = Markup(
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>{code}</title></head>'
    "<body><h1>{code}</h1><p>{message}</p></body></html>\n"
)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def is_database_unavailable(error: Exception) -> bool:
    """A database that cannot answer now (down, restarting, locked past the busy timeout), not a bug in a query."""
    if isinstance(error, OperationalError | DisconnectionError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _database_unavailable(error: Exception):
    """Answer 503 with Retry-After; the pool replaces the dead connections (pool_pre_ping) on the next request."""
    transient = error.connection_invalidated if isinstance(error, DBAPIError) else True
    if transient or "locked" in str(error) or "connect" in str(error):
        logger.warning("Database unavailable on %s %s: %s", request.method, request.path, error)
    else:  # SQLite reports some mistakes in a query as OperationalError too: keep their traceback
        logger.exception("Database error on %s %s", request.method, request.path)
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: the session is discarded at teardown anyway
        logger.debug("Rollback after a database error failed", exc_info=True)
    code, message = 503, MESSAGES[503]
    headers = {"Retry-After": str(current_app.config["DB_RETRY_AFTER"])}
    if _wants_json():
        return jsonify(error={"status": code, "message": str(message)}), code, headers
    # The page must not ask the database again: the signed-in user (and their unread count) would be loaded, and
    # wait out the busy timeout a second time or fail. The error page is drawn as for a visitor.
    g._login_user = login_manager.anonymous_user()
    try:
        return render_template("main/error.html", code=code, message=message), code, headers
    except Exception:
        logger.warning("The error page could not be drawn; answering a plain one", exc_info=True)
        return PLAIN_PAGE.format(code=code, message=message), code, headers


def init_app(app: Flask) -> None:
    @app.before_request
    def _refuse_nul():
        # PostgreSQL rejects NUL in any string parameter; no real URL contains one.
        if "\x00" in request.path:
            abort(404)
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            abort(400)

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        message = _l("The form has expired or was sent from another site. Please reload the page and try again.")
        if _wants_json():
            return jsonify(error={"status": 400, "message": str(message)}), 400
        return render_template("main/error.html", code=400, message=message), 400

    @app.errorhandler(UserError)
    def _refused(error: UserError):
        # A refusal no view caught is still the user's to read: its own status and sentence, not a 500.
        db.session.rollback()
        if _wants_json():
            return jsonify(error={"status": error.status, "message": str(error)}), error.status
        return render_template("main/error.html", code=error.status, message=str(error)), error.status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        if code < 400:
            return error
        db.session.rollback()
        # An exception may carry its own translated explanation (a suspended account, for one).
        message = getattr(error, "message", None) or MESSAGES.get(code, error.description)
        # A 503 for busy password hashing (and 429s) say when to come back.
        retry_after = getattr(error, "retry_after", None)
        if code == 503 and not isinstance(retry_after, int):
            retry_after = current_app.config["DB_RETRY_AFTER"]  # every 503 says when to come back
        headers = {"Retry-After": str(retry_after)} if isinstance(retry_after, int) else {}
        if _wants_json():
            body = {"status": code, "message": str(message), "detail": error.description}
            return jsonify(error=body), code, headers
        if request_ctx.url_adapter is None:
            # A Host header outside TRUSTED_HOSTS leaves the request without a URL adapter, and url_for in the
            # page template would turn this 400 into a bare 500.
            return PLAIN_PAGE.format(code=code, message=message), code, headers
        return render_template("main/error.html", code=code, message=message), code, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        if is_database_unavailable(error):
            return _database_unavailable(error)
        logger.exception("Unhandled error on %s", request.path)
        db.session.rollback()
        return _http_error(InternalServerError())
