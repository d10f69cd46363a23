"""Log lines that name their request: an X-Request-ID from the proxy (or a new one), as text or as JSON lines.

The id is taken from the proxy when it looks like one (nginx's $request_id, a UUID), so the proxy's access log,
gunicorn's and the app's lines about one request can be found together; it is echoed in the response.
"""

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

HEADER = "X-Request-ID"
# Letters, digits and a few separators, of a sensible length: anything else (a newline, a megabyte) is replaced.
VALID_ID = re.compile(r"[A-Za-z0-9._:@-]{8,128}")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
HANDLER_NAME = "kenes"


def current_request_id() -> str:
    """The id of the request being handled (the proxy's, else a new one), or "-" outside one (commands, threads)."""
    if not has_request_context():
        return "-"
    # Made on first use, not in a before-request hook: a kept page or an earlier hook's error skips the later hooks.
    if "request_id" not in g:
        given = request.headers.get(HEADER, "")
        g.request_id = given if VALID_ID.fullmatch(given) else uuid.uuid4().hex
    return g.request_id


class RequestIdFilter(logging.Filter):
    """Stamp each record with the request id, so every format can name it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Write to whatever sys.stderr is at the time (gunicorn and pytest both replace it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(app: Flask) -> None:
    """Install one stderr handler on the root logger, in LOG_FORMAT (text or json), replacing an earlier one."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = StderrHandler()
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    fmt = app.config.get("LOG_FORMAT", "text")
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL") or (logging.WARNING if app.testing else logging.INFO))


def init_app(app: Flask) -> None:
    """Take or make each request's id and echo it in the response."""
    configure_logging(app)

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers[HEADER] = current_request_id()
        return response
