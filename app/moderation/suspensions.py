"""Suspensions of abusive accounts, and who may suspend or reinstate whom."""

from flask_babel import lazy_gettext as _l

from app.auth.models import Role, User
from app.db import utcnow
from app.extensions import db
from app.moderation.actions import audit
from app.moderation.errors import ModerationError


def suspension_refusal(actor: User, user: User, *, lifting: bool = False):
    """Why the actor may not suspend the user (or lift their suspension), or None if they may."""
    if actor.is_suspended:
        return _l("Your account is suspended, so you cannot moderate.")
    if not actor.has_role("moderator"):
        return _l("Only moderators can do this.")
    if user.id == actor.id:
        return _l("You cannot lift your own suspension.") if lifting else _l("You cannot suspend your own account.")
    # The raw role, not has_role(): a suspended moderator holds no role but is still staff.
    if user.role != Role.CITIZEN and not actor.is_admin:
        return _l(
            "Only an administrator can suspend or reinstate a moderator, editor, member of parliament or administrator."
        )
    return None


def suspend(user: User, *, actor: User, reason: str) -> User:
    """Suspend an abusive account; its pending comments stay in the queue."""
    if refusal := suspension_refusal(actor, user):
        raise ModerationError(refusal, status=403)
    if not (reason or "").strip():
        raise ModerationError(_l("Give the reason for the suspension."))
    if user.is_suspended:
        raise ModerationError(_l("This account is already suspended."), status=409)
    user.suspended_at, user.suspension_reason = utcnow(), reason.strip()
    audit(actor, "suspend", None, user_id=user.id, note=user.suspension_reason, state_before="active",
          state_after="suspended")  # fmt: skip
    db.session.flush()
    return user


def unsuspend(user: User, *, actor: User) -> User:
    """Lift a suspension; only an administrator lifts a staff member's, and nobody their own."""
    if refusal := suspension_refusal(actor, user, lifting=True):
        raise ModerationError(refusal, status=403)
    if not user.is_suspended:
        raise ModerationError(_l("This account is not suspended."), status=409)
    user.suspended_at = user.suspension_reason = None
    audit(actor, "unsuspend", None, user_id=user.id, state_before="suspended", state_after="active")
    db.session.flush()
    return user
