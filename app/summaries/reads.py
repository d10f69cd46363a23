"""Which submitted summaries a reader (an MP) has opened. Services flush, never commit."""

import logging

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.summaries.models import SummaryRead, SummarySnapshot

logger = logging.getLogger(__name__)


def mark_read(user, snapshot: SummarySnapshot) -> bool:
    """Record that the user opened the summary; return False if they had already."""
    if is_read(user, snapshot):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(SummaryRead(user_id=user.id, snapshot_id=snapshot.id))
    except IntegrityError:
        return False  # the same page opened twice at once: read either way
    return True


def mark_unread(user, snapshot: SummarySnapshot) -> bool:
    """Forget that the user opened the summary, so it is listed as unread again; False if it was not read."""
    result = db.session.execute(
        delete(SummaryRead).where(SummaryRead.user_id == user.id, SummaryRead.snapshot_id == snapshot.id)
    )
    db.session.flush()
    return bool(result.rowcount)


def is_read(user, snapshot: SummarySnapshot) -> bool:
    return (
        db.session.scalar(
            select(SummaryRead.id).where(SummaryRead.user_id == user.id, SummaryRead.snapshot_id == snapshot.id)
        )
        is not None
    )


def read_ids(user, snapshot_ids: list[int]) -> set[int]:
    """The ids among these snapshots that the user has opened, in one query."""
    if not snapshot_ids:
        return set()
    return set(
        db.session.scalars(
            select(SummaryRead.snapshot_id).where(
                SummaryRead.user_id == user.id, SummaryRead.snapshot_id.in_(snapshot_ids)
            )
        )
    )
