"""Summaries of a consultation: what the approved comments on a draft version say, built as frozen snapshots."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the models and start queued summary builds after the transaction that queued them commits."""
    from app.summaries import jobs, models  # noqa: F401 (models: the tables exist for create_all and migrations)

    jobs.init_app(app)
