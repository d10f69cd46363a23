"""E-mail opt-outs: signed unsubscribe links, reading them, and recording who stopped which e-mails.

Services flush and never commit.
"""

import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from app.auth import tokens
from app.auth.models import User
from app.errors import UserError
from app.extensions import db
from app.laws.models import Law
from app.notifications.models import NOTIFICATION_KINDS, EmailOptOut, NotificationKind

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "kenes.notifications.unsubscribe"
# Unsubscribe links must keep working in old e-mails; a year, unless the config says otherwise.
UNSUBSCRIBE_TOKEN_MAX_AGE = 365 * 24 * 3600

LINK_INVALID = _l("This unsubscribe link does not work. Please copy the whole link from the e-mail.")
LINK_EXPIRED = _l("This unsubscribe link is too old. Please use the link in a more recent e-mail.")


class UnsubscribeError(UserError):
    """An unsubscribe link that is tampered with, cut short or too old; `message` is shown to the user."""


def unsubscribe_scope(kind: str, law: Law | None) -> int | None:
    """Return the law an opt-out is limited to: new versions are stopped per draft, the rest for every draft."""
    return law.id if kind == NotificationKind.NEW_VERSION and law is not None else None


def make_unsubscribe_token(user: User, kind: str, law_id: int | None) -> str:
    """Sign an unsubscribe link's payload."""
    return tokens.make_token(UNSUBSCRIBE_SALT, {"uid": user.id, "kind": kind, "law": law_id})


def opted_out_condition(kind: str, law_id: int | None):
    """A condition on User: the user asked not to get e-mails of this kind (for this draft, or for all)."""
    # `== None` is rendered as IS NULL, so a law_id of None matches the opt-outs for every draft only.
    scope = or_(EmailOptOut.law_id.is_(None), EmailOptOut.law_id == law_id)
    return exists().where(EmailOptOut.user_id == User.id, EmailOptOut.kind == kind, scope)


@dataclass
class UnsubscribeRequest:
    user: User
    kind: str
    law: Law | None


def read_unsubscribe_token(token: str) -> UnsubscribeRequest:
    """Return who wants to stop which e-mails, or raise UnsubscribeError."""
    max_age = current_app.config.get("UNSUBSCRIBE_TOKEN_MAX_AGE", UNSUBSCRIBE_TOKEN_MAX_AGE)
    if len(token) > 500:
        raise UnsubscribeError(LINK_INVALID)
    try:
        payload = tokens.read_token(UNSUBSCRIBE_SALT, token, max_age=max_age)
    except tokens.ExpiredTokenError as error:
        raise UnsubscribeError(LINK_EXPIRED) from error
    except tokens.InvalidTokenError as error:
        raise UnsubscribeError(LINK_INVALID) from error
    user_id, kind, raw_law_id = tokens.payload_id(payload.get("uid")), payload.get("kind"), payload.get("law")
    law_id = tokens.payload_id(raw_law_id)
    # Ids out of the database's range (or bools, which are ints too) are refused before any query overflows.
    if user_id is None or kind not in NOTIFICATION_KINDS or (raw_law_id is not None and law_id is None):
        raise UnsubscribeError(LINK_INVALID)
    user = db.session.get(User, user_id)
    law = db.session.get(Law, law_id) if law_id is not None else None
    if user is None or (law_id is not None and law is None):
        raise UnsubscribeError(LINK_INVALID)
    return UnsubscribeRequest(user=user, kind=kind, law=law)


def is_opted_out(user: User, kind: str, law: Law | None = None) -> bool:
    """Return True if the user stopped e-mails of this kind (for this draft, or for every draft)."""
    return bool(db.session.scalar(select(opted_out_condition(kind, law.id if law else None)).where(User.id == user.id)))


def opt_out(user: User, kind: str, law: Law | None = None) -> bool:
    """Stop e-mails of this kind to the user (for one draft if given); return False if already stopped."""
    law_id = law.id if law else None
    existing = db.session.scalar(
        select(EmailOptOut.id).where(
            EmailOptOut.user_id == user.id, EmailOptOut.kind == kind, EmailOptOut.law_id == law_id
        )
    )
    if existing is not None:
        return False
    db.session.add(EmailOptOut(user_id=user.id, kind=kind, law_id=law_id))
    db.session.flush()
    logger.info("User %s stopped %s e-mails (law %s)", user.id, kind, law_id)
    return True
