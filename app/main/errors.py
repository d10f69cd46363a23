"""Error pages: HTML for people, JSON under /api/."""

import logging

from flask import Flask, abort, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

logger = logging.getLogger(__name__)

MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to open this page."),
    404: _l("There is no such page."),
    405: _l("This action is not allowed here."),
    413: _l("The file or text is too large."),
    429: _l("Too many requests. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Your data was not changed; please try again."),
}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


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

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = error.code or 500
        if code < 400:
            return error
        db.session.rollback()
        message = MESSAGES.get(code, error.description)
        if _wants_json():
            return jsonify(error={"status": code, "message": str(message), "detail": error.description}), code
        return render_template("main/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http_error(error)
        logger.exception("Unhandled error on %s", request.path)
        db.session.rollback()
        return _http_error(InternalServerError())
