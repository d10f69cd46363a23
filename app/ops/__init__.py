"""Running Kenes in production: request ids and structured logs, the health check, backups."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Give every request an id that its log lines and its response carry."""
    from app.ops import logs

    logs.init_app(app)
