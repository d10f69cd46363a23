"""`/healthz` for the proxy and the monitoring: each dependency checked, 503 when one is down.

"degraded" (still 200): a queue behind, or no search index (search falls back to the database meanwhile).
"""

import logging
import time
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text

from app.db import utcnow
from app.extensions import db

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = check() or {}
        result.setdefault("ok", True)
    except Exception as error:  # a check reports what failed; it never fails the health answer itself
        db.session.rollback()
        logger.warning("Health check %s failed: %s", check.__name__, error)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict:
    db.session.execute(text("SELECT 1"))
    return {"dialect": db.engine.dialect.name}


def check_redis() -> dict:
    from app.jobs import QUEUES, redis_connection

    client = redis_connection(current_app)  # the jobs' own client: fails fast, one connection pool per process
    client.ping()
    # RQ keeps each queue as a Redis list under this name: jobs waiting for `flask worker`.
    return {"jobs_queued": {name: client.llen(f"rq:queue:{name}") for name in QUEUES}}


def check_search() -> dict:
    from app.search import get_backend

    backend = get_backend()
    if not backend.exists():
        # Degraded, not down: search answers from the database meanwhile, and a 503 would take every page of this
        # host out of the proxy over its search index.
        logger.warning("Health check: no search index (run `flask search reindex`)")
        return {"backend": backend.name, "ok": False, "fallback": True, "error": "no search index"}
    return {"backend": backend.name}


def _queue(depth: int, oldest: datetime | None) -> dict:
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)  # a plain DateTime column holds UTC too
    age = None if oldest is None else round((utcnow() - oldest).total_seconds(), 1)
    lagging = age is not None and age > current_app.config["HEALTH_QUEUE_MAX_AGE"]
    return {"depth": depth, "oldest_seconds": age, "lagging": lagging}


def check_search_queue() -> dict:
    from app.search.models import SearchQueueEntry

    query = select(func.count(SearchQueueEntry.id), func.min(SearchQueueEntry.created_at))
    return _queue(*db.session.execute(query).one())


def check_outbox() -> dict:
    from app.outbox import OutboxMail

    waiting = select(func.count(), func.min(OutboxMail.created_at)).select_from(OutboxMail)
    # Unsent and not given up (a refused address has no next attempt).
    waiting = waiting.where(OutboxMail.sent_at.is_(None), OutboxMail.next_attempt_at.is_not(None))
    return _queue(*db.session.execute(waiting).one())


@bp.get("/healthz")
def healthz():
    """Report the database, Redis, the search engine and the queues; 503 when a dependency is down."""
    checks = {"database": _timed(check_database)}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _timed(check_redis)
    checks["search"] = _timed(check_search)
    # Queues behind are reported (and "degraded"), not a 503: the site still answers, and taking it out of the
    # proxy would not make the writer catch up.
    checks["search_queue"] = _timed(check_search_queue)
    checks["mail_outbox"] = _timed(check_outbox)
    db.session.rollback()
    down = [name for name, result in checks.items() if not result["ok"] and not result.get("fallback")]
    lagging = [name for name, result in checks.items() if result.get("lagging") or result.get("fallback")]
    status = "down" if down else "degraded" if lagging else "ok"
    response = jsonify(status=status, checks=checks)
    response.status_code = 503 if down else 200
    # Always asked afresh: a kept answer would hide an outage.
    response.headers["Cache-Control"] = "no-store"
    return response
