"""Limits on how often an action may happen, counted in the database so that every worker process shares them.

In-memory counters would count per worker (four workers let four times as much through). Functions here
flush and never commit: the view that records an event commits it with the rest of the request.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_ngettext
from sqlalchemy import delete, select

from app.auth.models import ThrottleEvent
from app.db import utcnow
from app.extensions import db

# Longer than any window: older events count nowhere, so they are pruned.
EVENTS_KEPT = timedelta(days=1)
KEY_MAX_LENGTH = 254


@dataclass(frozen=True)
class Limit:
    """At most `count` events per key within `window`."""

    scope: str
    count: int
    window: timedelta


def retry_after(limit: Limit, key: str, now: datetime | None = None) -> timedelta | None:
    """Return how long until the limit allows one more event for the key, or None if it allows one now."""
    now = now or utcnow()
    recent = db.session.scalars(
        select(ThrottleEvent.created_at)
        .where(
            ThrottleEvent.scope == limit.scope,
            ThrottleEvent.key == key[:KEY_MAX_LENGTH],
            ThrottleEvent.created_at > now - limit.window,
        )
        .order_by(ThrottleEvent.created_at.desc())
        .limit(limit.count)
    ).all()
    if len(recent) < limit.count:
        return None
    # The oldest of the last `count` events is the first to leave the window.
    return recent[-1] + limit.window - now


def record(limit: Limit, key: str, now: datetime | None = None) -> None:
    """Count one event for the key."""
    now = now or utcnow()
    db.session.execute(delete(ThrottleEvent).where(ThrottleEvent.created_at < now - EVENTS_KEPT))
    db.session.add(ThrottleEvent(scope=limit.scope, key=key[:KEY_MAX_LENGTH], created_at=now))
    db.session.flush()


def clear(limit: Limit, key: str) -> None:
    """Forget the key's events, once the user proved who they are."""
    db.session.execute(
        delete(ThrottleEvent).where(ThrottleEvent.scope == limit.scope, ThrottleEvent.key == key[:KEY_MAX_LENGTH])
    )
    db.session.flush()


def minutes(wait: timedelta) -> int:
    """Return a wait as whole minutes to tell the user, at least one."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def too_many_from_client(wait: timedelta):
    """Return what a client over its limit is told: try again in so many minutes."""
    return lazy_ngettext(
        "Too many attempts from your network. Please try again in %(num)d minute.",
        "Too many attempts from your network. Please try again in %(num)d minutes.",
        minutes(wait),
    )
