"""Votes and reports on a comment by other users. They flush and never commit."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.auth.models import User
from app.comments.models import FLAG_REASONS, Comment, Flag, Vote, wilson_lower_bound
from app.comments.services import CommentError, clean_text
from app.comments.signals import comment_flagged
from app.extensions import db


def _lock_comment(comment: Comment) -> None:
    # Votes on one comment are counted one request at a time, so parallel votes cannot lose a count.
    db.session.execute(select(Comment.id).where(Comment.id == comment.id).with_for_update())


def vote(comment: Comment, *, user: User, value: int) -> Comment:
    """Agree (+1) or disagree (-1) with a comment; voting the same way again changes nothing, 0 removes the vote."""
    if value not in (-1, 0, 1):
        raise CommentError(_l("Unknown vote."))
    if not comment.can_vote(user):
        raise CommentError(_l("You cannot vote on this comment."), status=403)
    _lock_comment(comment)
    existing = db.session.scalar(select(Vote).where(Vote.comment_id == comment.id, Vote.user_id == user.id))
    if value == 0:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(Vote(comment_id=comment.id, user_id=user.id, value=value))
    else:
        existing.value = value
    db.session.flush()
    agree, disagree = db.session.execute(
        select(func.count(Vote.id).filter(Vote.value == 1), func.count(Vote.id).filter(Vote.value == -1)).where(
            Vote.comment_id == comment.id
        )
    ).one()
    comment.agree_count, comment.disagree_count = agree, disagree
    comment.score = wilson_lower_bound(agree, disagree)
    db.session.flush()
    return comment


def check_can_flag(comment: Comment, user: User) -> None:
    """Refuse when the user may not report this comment, saying why."""
    if not user.is_authenticated:
        raise CommentError(_l("Log in to report a comment."), status=401)
    if user.is_suspended:
        raise CommentError(_l("Your account is suspended, so you cannot report comments."), status=403)
    # Reports can send a published comment back to review: a throw-away address must not be enough for that.
    if not user.email_confirmed:
        raise CommentError(_l("Confirm your e-mail address before reporting a comment."), status=403)
    if not comment.can_flag(user):
        raise CommentError(_l("You cannot report this comment."), status=403)


def flag(comment: Comment, *, user: User, reason: str, note: str | None = None) -> Flag:
    """Report a comment to the moderators, once per user."""
    if reason not in FLAG_REASONS:
        raise CommentError(_l("Choose why you are reporting this comment."))
    check_can_flag(comment, user)
    existing = db.session.scalar(select(Flag).where(Flag.comment_id == comment.id, Flag.user_id == user.id))
    if existing is not None:
        raise CommentError(_l("You have already reported this comment."), status=409)
    report = Flag(comment_id=comment.id, user_id=user.id, reason=reason, note=clean_text(note)[:500] or None)
    db.session.add(report)
    db.session.flush()
    comment_flagged.send(comment)
    return report
