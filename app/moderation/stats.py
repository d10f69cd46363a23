"""Moderation figures: the size of the queues for moderators, and what became of the comments on each draft."""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.comments.models import REJECTION_REASONS, Comment, CommentState, Flag
from app.extensions import db
from app.moderation.models import Appeal


@dataclass
class QueueStats:
    pending: int
    flagged: int
    appeals: int
    oldest_pending_at: datetime | None


def queue_stats() -> QueueStats:
    """Sizes of the three queues and when the oldest pending comment arrived."""
    pending, oldest = db.session.execute(
        select(func.count(Comment.id), func.min(Comment.created_at)).where(Comment.state == CommentState.PENDING)
    ).one()
    flagged = db.session.scalar(
        select(func.count(func.distinct(Flag.comment_id)))
        .join(Comment, Comment.id == Flag.comment_id)
        .where(Flag.resolved_at.is_(None), Comment.state.in_([CommentState.APPROVED, CommentState.PENDING]))
    )
    appeals = db.session.scalar(select(func.count(Appeal.id)).where(Appeal.state == "open"))
    return QueueStats(pending, flagged, appeals, oldest)


@dataclass
class LawModerationStats:
    received: int
    approved: int
    pending: int
    rejected_by_reason: dict[str, int]
    hidden: int
    withdrawn: int
    median_time_to_decision: timedelta | None


def law_stats(law_id: int) -> LawModerationStats:
    """Public figures for one draft: what came in and what was decided, and how fast."""
    counts = dict(
        db.session.execute(
            select(Comment.state, func.count(Comment.id)).where(Comment.law_id == law_id).group_by(Comment.state)
        ).all()
    )
    reasons = dict(
        db.session.execute(
            select(Comment.rejection_reason, func.count(Comment.id))
            .where(Comment.law_id == law_id, Comment.state == CommentState.REJECTED)
            .group_by(Comment.rejection_reason)
        ).all()
    )
    decided = db.session.execute(
        select(Comment.created_at, Comment.reviewed_at).where(
            Comment.law_id == law_id, Comment.reviewed_at.is_not(None)
        )
    ).all()
    waits = [reviewed - created for created, reviewed in decided]
    return LawModerationStats(
        received=sum(counts.values()),
        approved=counts.get(CommentState.APPROVED, 0),
        pending=counts.get(CommentState.PENDING, 0),
        rejected_by_reason={reason: reasons.get(reason, 0) for reason in REJECTION_REASONS},
        hidden=counts.get(CommentState.HIDDEN, 0),
        withdrawn=counts.get(CommentState.WITHDRAWN, 0),
        median_time_to_decision=statistics.median(waits) if waits else None,
    )
