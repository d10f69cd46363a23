"""What every moderator action shares: the check that the actor may moderate, the row lock, the audit row."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import User
from app.comments.models import Comment
from app.extensions import db
from app.moderation.errors import ModerationError
from app.moderation.models import ModerationAction


def require_moderator(actor: User, message=None) -> None:
    """Refuse anyone who may not act as a moderator now, a suspended moderator or admin included."""
    if actor.is_suspended:
        raise ModerationError(_l("Your account is suspended, so you cannot moderate."), status=403)
    if not actor.has_role("moderator"):
        raise ModerationError(message or _l("Only moderators can do this."), status=403)


def audit(actor: User | None, action: str, comment: Comment | None = None, **values) -> ModerationAction:
    """Add the audit row of an action; audit rows are never changed."""
    row = ModerationAction(actor_id=actor.id if actor else None, action=action, comment=comment, **values)
    db.session.add(row)
    return row


def lock_comment(comment: Comment) -> Comment:
    """Lock the comment's row and reload it, so the state checked is the state decided on."""
    locked = db.session.scalar(
        select(Comment).where(Comment.id == comment.id).with_for_update().execution_options(populate_existing=True)
    )
    if locked is None:
        raise ModerationError(_l("This comment no longer exists."), status=404)
    return locked
