"""Appeals: the author contests a rejection once, and another moderator upholds or overturns it."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import User
from app.comments.models import Comment, CommentState
from app.comments.services import approve_comment
from app.db import utcnow
from app.extensions import db
from app.moderation.actions import audit, lock_comment, require_moderator
from app.moderation.errors import ModerationError
from app.moderation.models import Appeal, ModerationAction

MAX_APPEAL = 1000


def file_appeal(comment: Comment, *, author: User, text: str) -> Appeal:
    """Let the author appeal a rejection once, with a short text."""
    if comment.author_id != author.id:
        raise ModerationError(_l("Only the author can appeal."), status=403)
    if author.is_suspended:
        raise ModerationError(_l("Your account is suspended, so you cannot appeal."), status=403)
    if comment.state != CommentState.REJECTED:
        raise ModerationError(_l("Only a rejected comment can be appealed."), status=409)
    text = (text or "").strip()
    if not text:
        raise ModerationError(_l("Explain why the decision should change."))
    if len(text) > MAX_APPEAL:
        raise ModerationError(_l("The appeal is too long: at most %(max)d characters."), max=MAX_APPEAL)
    if db.session.scalar(select(Appeal.id).where(Appeal.comment_id == comment.id)):
        raise ModerationError(_l("You have already appealed this decision."), status=409)
    appeal = Appeal(comment_id=comment.id, author_id=author.id, text=text)
    db.session.add(appeal)
    db.session.flush()
    return appeal


def decide_appeal(appeal: Appeal, *, actor: User, overturn: bool, note: str | None = None) -> Appeal:
    """Uphold or overturn a rejection on appeal."""
    require_moderator(actor)
    locked = db.session.scalar(
        select(Appeal).where(Appeal.id == appeal.id).with_for_update().execution_options(populate_existing=True)
    )
    if locked.state != "open":
        raise ModerationError(_l("This appeal was already decided by someone else."), status=409)
    if locked.author_id == actor.id:
        raise ModerationError(_l("You cannot decide on your own appeal."), status=403)
    first_decider = db.session.scalar(
        select(ModerationAction.actor_id)
        .where(ModerationAction.comment_id == locked.comment_id, ModerationAction.action == "reject")
        .order_by(ModerationAction.id.desc())
        .limit(1)
    )
    if first_decider == actor.id:
        # A second pair of eyes: the moderator who rejected the comment does not judge the appeal.
        raise ModerationError(_l("Another moderator must decide this appeal: you took the first decision."), status=403)
    comment = lock_comment(locked.comment)
    locked.state, locked.decided_by_id, locked.decided_at = ("overturned" if overturn else "upheld"), actor.id, utcnow()
    locked.decision_note = (note or "").strip() or None
    before = comment.state
    if overturn:
        comment.state = CommentState.PENDING
        approve_comment(comment)
        comment.rejection_reason = comment.rejection_note = None
    audit(actor, "appeal_overturned" if overturn else "appeal_upheld", comment, note=locked.decision_note,
          state_before=before, state_after=comment.state)  # fmt: skip
    db.session.flush()
    return locked
