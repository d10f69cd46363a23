"""The links we e-mail about an account (confirm the address, choose a new password), how often, and opening them.

Functions here flush and never commit: the view or CLI command that calls them commits once; the mail they write
to the outbox leaves after that commit.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth import throttle, tokens
from app.auth.models import User
from app.auth.services import AuthError, ThrottledError, normalize_email, set_password
from app.db import utcnow
from app.extensions import db
from app.mail import external_url, queue_mail
from app.template_helpers import duration

logger = logging.getLogger(__name__)

LINK_EXPIRED = _l("This link has expired. Please ask for a new one.")
LINK_INVALID = _l("This link is not valid. It may be incomplete or already used.")


def client_key(ip: str | None) -> str:
    """Return the key that throttles count a client under."""
    return ip or "unknown"


def _account_mail_limits() -> tuple[throttle.Limit, throttle.Limit]:
    config = current_app.config
    hour = timedelta(hours=1)
    return (
        throttle.Limit("mail-to", config["ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR"], hour),
        throttle.Limit("mail-from", config["ACCOUNT_MAILS_PER_CLIENT_PER_HOUR"], hour),
    )


def throttle_account_mail(email: str, ip: str | None, now: datetime | None = None) -> None:
    """Count a request that e-mails an address (register, reset, resend); raise ThrottledError past the limits."""
    # Counted whether or not the address has an account, so a refusal does not tell which ones do.
    email, client = normalize_email(email), client_key(ip)
    to_address, from_client = _account_mail_limits()
    wait = throttle.retry_after(to_address, email, now)
    if wait is not None:
        raise ThrottledError(
            lazy_ngettext(
                "We have already sent several e-mails to %(email)s. Please try again in %(num)d minute.",
                "We have already sent several e-mails to %(email)s. Please try again in %(num)d minutes.",
                throttle.minutes(wait),
                email=email,
            )
        )
    wait = throttle.retry_after(from_client, client, now)
    if wait is not None:
        raise ThrottledError(throttle.too_many_from_client(wait))
    throttle.record(to_address, email, now)
    throttle.record(from_client, client, now)


def _read_token(purpose: str, token: str, max_age: int) -> dict:
    try:
        return tokens.read_token(purpose, token, max_age=max_age)
    except tokens.ExpiredTokenError as error:
        raise AuthError(LINK_EXPIRED) from error
    except tokens.InvalidTokenError as error:
        raise AuthError(LINK_INVALID) from error


def _link_lifetime(seconds: int) -> str:
    # As the sentence takes it: "Ссылка действует 1 неделю", not Babel's nominative "1 неделя".
    return duration(timedelta(seconds=max(seconds, 60)))


def send_confirmation_email(user: User) -> None:
    """E-mail the user a link that confirms their address, in their language."""
    token = tokens.make_token(tokens.CONFIRM_SALT, {"uid": user.id, "email": user.email})
    max_age = current_app.config["EMAIL_TOKEN_MAX_AGE"]
    with force_locale(user.locale):
        url = external_url("auth.confirm_email", token=token, lang=user.locale)
        subject = _("Confirm your e-mail address on Kenes")
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=user.display_name),
                _("Please confirm your e-mail address by opening this link:"),
                url,
                _("The link works for %(duration)s.", duration=_link_lifetime(max_age)),
                _("If you did not register on Kenes, you can ignore this message."),
            ]
        )
    queue_mail(user.email, subject, body)


def user_for_confirmation(token: str) -> User:
    """Return the user an e-mail confirmation token was made for, or raise AuthError."""
    payload = _read_token(tokens.CONFIRM_SALT, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user_id = tokens.payload_id(payload.get("uid"))
    user = db.session.get(User, user_id) if user_id is not None else None
    # The address is in the payload so that a link sent to an old address cannot confirm a new one.
    if user is None or user.email != payload.get("email"):
        raise AuthError(LINK_INVALID)
    return user


def confirm_email(user: User) -> None:
    """Mark the user's e-mail address as confirmed (again confirming is harmless)."""
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.flush()
        logger.info("User %s confirmed their e-mail address", user.id)


def _reset_link(user: User) -> str:
    payload = {"uid": user.id, "pw": tokens.password_fingerprint(user.password_hash)}
    token = tokens.make_token(tokens.RESET_SALT, payload)
    return external_url("auth.reset_password", token=token, lang=user.locale)


def send_password_reset_email(user: User) -> None:
    """E-mail the user a link to choose a new password, in their language."""
    max_age = current_app.config["RESET_TOKEN_MAX_AGE"]
    with force_locale(user.locale):
        url = _reset_link(user)
        subject = _("Choose a new password on Kenes")
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=user.display_name),
                _("Someone asked to reset the password of your Kenes account. To choose a new one, open this link:"),
                url,
                _("The link works for %(duration)s and only once.", duration=_link_lifetime(max_age)),
                _("If you did not ask for this, ignore this message: your password stays the same."),
            ]
        )
    queue_mail(user.email, subject, body)


def send_email_taken_email(user: User) -> None:
    """Tell the owner of an address that someone tried to register with it, with a link to reset the password."""
    max_age = current_app.config["RESET_TOKEN_MAX_AGE"]
    with force_locale(user.locale):
        url = _reset_link(user)
        subject = _("Someone tried to register on Kenes with your e-mail address")
        body = "\n\n".join(
            [
                _("Hello %(name)s,", name=user.display_name),
                _(
                    "Someone tried to create a Kenes account with your e-mail address. "
                    "You already have an account, so no new one was created."
                ),
                _("If it was you and you do not remember your password, choose a new one with this link:"),
                url,
                _("The link works for %(duration)s and only once.", duration=_link_lifetime(max_age)),
                _("If it was not you, ignore this message: your account has not changed."),
            ]
        )
    queue_mail(user.email, subject, body)


def user_for_password_reset(token: str) -> User:
    """Return the user a reset token was made for, or raise AuthError if it is stale or used."""
    payload = _read_token(tokens.RESET_SALT, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user_id = tokens.payload_id(payload.get("uid"))
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or payload.get("pw") != tokens.password_fingerprint(user.password_hash):
        raise AuthError(LINK_INVALID)
    return user


def reset_password(user: User, password: str) -> None:
    """Set a new password from a reset link; the link proves the address, so it counts as confirmed."""
    set_password(user, password)
    confirm_email(user)
