"""Accounts: registration, e-mail confirmation, logging in behind a shared throttle, passwords and roles.

Functions here flush and never commit: the view or CLI command that calls them commits once.
"""

import logging
import math
from datetime import datetime, timedelta

from flask import current_app, url_for
from flask_babel import force_locale, format_timedelta, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.auth import tokens
from app.auth.models import ROLE_VALUES, LoginAttempt, Role, User, new_session_token
from app.auth.passwords import hash_password, is_common_password, needs_rehash, verify_password
from app.db import utcnow
from app.extensions import db
from app.mail import send_mail

logger = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 256
LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_LOCK = timedelta(minutes=15)
# Older attempts no longer count towards any lock; keep the table small.
LOGIN_ATTEMPTS_KEPT = timedelta(days=1)

WRONG_CREDENTIALS = _l("The e-mail address or the password is wrong.")
DUPLICATE_EMAIL = _l("An account with this e-mail address already exists.")
LINK_EXPIRED = _l("This link has expired. Please ask for a new one.")
LINK_INVALID = _l("This link is not valid. It may be incomplete or already used.")


class AuthError(Exception):
    """A refused account action; `message` is translatable and meant for the user."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class LoginThrottledError(AuthError):
    """Too many recent failed logins for one e-mail address."""


def normalize_email(email: str) -> str:
    """Return the address as stored: trimmed and lower-cased, so look-ups ignore case."""
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    """Return the user with this e-mail address (any case), or None."""
    return db.session.execute(select(User).filter_by(email=normalize_email(email))).scalar_one_or_none()


def password_problem(password: str, email: str = "", display_name: str = ""):
    """Return why the password is not acceptable, or None when it is."""
    min_length = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        return lazy_ngettext(
            "The password must have at least %(num)d character.",
            "The password must have at least %(num)d characters.",
            min_length,
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        return lazy_ngettext(
            "The password must have at most %(num)d character.",
            "The password must have at most %(num)d characters.",
            PASSWORD_MAX_LENGTH,
        )
    lowered = password.strip().lower()
    email = normalize_email(email)
    personal = {email, email.partition("@")[0], display_name.strip().lower()} - {""}
    if lowered in personal:
        return _l("The password must not be your e-mail address or your name.")
    if is_common_password(password):
        return _l("This password is too common and easy to guess. Please choose another one.")
    return None


def check_password(password: str, email: str = "", display_name: str = "") -> None:
    """Raise AuthError if the password is too short, too long, too common or personal."""
    problem = password_problem(password, email=email, display_name=display_name)
    if problem is not None:
        raise AuthError(problem)


def check_membership(role: str, agency=None, committee=None) -> None:
    """Raise AuthError unless the role exists and has the organisation it needs."""
    if role not in ROLE_VALUES:
        raise AuthError(_l("There is no role called %(role)s.", role=role))
    if role == Role.EDITOR and agency is None:
        raise AuthError(_l("An editor must belong to a drafting agency."))
    if role == Role.MP and committee is None:
        raise AuthError(_l("A member of Parliament must belong to a parliamentary committee."))


def create_user(
    email: str,
    display_name: str,
    password: str,
    *,
    role: str = Role.CITIZEN,
    agency=None,
    committee=None,
    locale: str | None = None,
    confirmed: bool = False,
) -> User:
    """Create an account after checking the address, the password and the role."""
    email = normalize_email(email)
    display_name = display_name.strip()
    check_membership(role, agency, committee)
    if get_user_by_email(email) is not None:
        raise AuthError(DUPLICATE_EMAIL)
    check_password(password, email=email, display_name=display_name)
    languages = current_app.config["LANGUAGES"]
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=str(role),
        locale=locale if locale in languages else current_app.config["DEFAULT_LANGUAGE"],
        email_confirmed_at=utcnow() if confirmed else None,
    )
    try:
        # A concurrent registration of the same address loses on the unique index, not with a 500.
        with db.session.begin_nested():
            db.session.add(user)
            _apply_membership(user, str(role), agency, committee)
    except IntegrityError as error:
        raise AuthError(DUPLICATE_EMAIL) from error
    logger.info("Created user %s with role %s", user.email, user.role)
    return user


def register_user(email: str, display_name: str, password: str, locale: str) -> User:
    """Create a citizen account that still has to confirm its e-mail address."""
    return create_user(email, display_name, password, role=Role.CITIZEN, locale=locale)


def _read_token(purpose: str, token: str, max_age: int) -> dict:
    try:
        return tokens.read_token(purpose, token, max_age=max_age)
    except tokens.ExpiredTokenError as error:
        raise AuthError(LINK_EXPIRED) from error
    except tokens.InvalidTokenError as error:
        raise AuthError(LINK_INVALID) from error


def _link_lifetime(seconds: int) -> str:
    return format_timedelta(timedelta(seconds=max(seconds, 60)), threshold=1.0)


def send_confirmation_email(user: User) -> None:
    """E-mail the user a link that confirms their address, in their language."""
    token = tokens.make_token(tokens.CONFIRM_SALT, {"uid": user.id, "email": user.email})
    max_age = current_app.config["EMAIL_TOKEN_MAX_AGE"]
    with force_locale(user.locale):
        url = url_for("auth.confirm_email", token=token, lang=user.locale, _external=True)
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
    send_mail(user.email, subject, body)


def user_for_confirmation(token: str) -> User:
    """Return the user an e-mail confirmation token was made for, or raise AuthError."""
    payload = _read_token(tokens.CONFIRM_SALT, token, current_app.config["EMAIL_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload.get("uid")) if isinstance(payload.get("uid"), int) else None
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


def login_locked_until(email: str, now: datetime | None = None) -> datetime | None:
    """Return until when logins for this address are refused, or None if they are allowed."""
    now = now or utcnow()
    recent = db.session.execute(
        select(LoginAttempt.created_at, LoginAttempt.succeeded)
        .where(
            LoginAttempt.email == normalize_email(email),
            LoginAttempt.created_at >= now - LOGIN_WINDOW - LOGIN_LOCK,
        )
        .order_by(LoginAttempt.created_at.desc(), LoginAttempt.id.desc())
        .limit(LOGIN_MAX_FAILURES)
    ).all()
    if len(recent) < LOGIN_MAX_FAILURES or any(succeeded for _at, succeeded in recent):
        return None
    newest, oldest = recent[0].created_at, recent[-1].created_at
    if newest - oldest > LOGIN_WINDOW:
        return None
    locked_until = newest + LOGIN_LOCK
    return locked_until if locked_until > now else None


def _dummy_hash() -> str:
    # Hashing for unknown addresses too keeps the answer time from telling which addresses have accounts.
    extensions = current_app.extensions
    if "auth_dummy_hash" not in extensions:
        extensions["auth_dummy_hash"] = hash_password("no account has this password")
    return extensions["auth_dummy_hash"]


def authenticate(email: str, password: str, ip: str | None = None, now: datetime | None = None) -> User:
    """Return the user if the password is right; record the attempt; refuse when the address is locked."""
    email = normalize_email(email)
    now = now or utcnow()
    if len(email) > EMAIL_MAX_LENGTH or len(password) > PASSWORD_MAX_LENGTH:
        raise AuthError(WRONG_CREDENTIALS)
    locked_until = login_locked_until(email, now)
    if locked_until is not None:
        minutes = max(1, math.ceil((locked_until - now).total_seconds() / 60))
        raise LoginThrottledError(
            lazy_ngettext(
                "Too many failed attempts to log in with this e-mail address. Please try again in %(num)d minute.",
                "Too many failed attempts to log in with this e-mail address. Please try again in %(num)d minutes.",
                minutes,
            )
        )
    user = get_user_by_email(email)
    valid = verify_password(user.password_hash if user else _dummy_hash(), password) and user is not None
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < now - LOGIN_ATTEMPTS_KEPT))
    db.session.add(LoginAttempt(email=email, ip=ip, created_at=now, succeeded=valid))
    if not valid:
        db.session.flush()
        logger.info("Failed login for %s from %s", email, ip)
        raise AuthError(WRONG_CREDENTIALS)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie of the user by rotating their session token."""
    user.session_token = new_session_token()
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """Store a new password after checking it, and log out the user's other sessions."""
    check_password(password, email=user.email, display_name=user.display_name)
    user.password_hash = hash_password(password)
    end_sessions(user)
    logger.info("Password changed for user %s", user.id)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Replace the password once the current one is given correctly."""
    if not verify_password(user.password_hash, current_password):
        raise AuthError(_l("The current password is wrong."))
    set_password(user, new_password)


def send_password_reset_email(user: User) -> None:
    """E-mail the user a link to choose a new password, in their language."""
    payload = {"uid": user.id, "pw": tokens.password_fingerprint(user.password_hash)}
    token = tokens.make_token(tokens.RESET_SALT, payload)
    max_age = current_app.config["RESET_TOKEN_MAX_AGE"]
    with force_locale(user.locale):
        url = url_for("auth.reset_password", token=token, lang=user.locale, _external=True)
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
    send_mail(user.email, subject, body)


def user_for_password_reset(token: str) -> User:
    """Return the user a reset token was made for, or raise AuthError if it is stale or used."""
    payload = _read_token(tokens.RESET_SALT, token, current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload.get("uid")) if isinstance(payload.get("uid"), int) else None
    if user is None or payload.get("pw") != tokens.password_fingerprint(user.password_hash):
        raise AuthError(LINK_INVALID)
    return user


def reset_password(user: User, password: str) -> None:
    """Set a new password from a reset link; the link proves the address, so it counts as confirmed."""
    set_password(user, password)
    confirm_email(user)


def update_profile(user: User, display_name: str, locale: str) -> None:
    """Change the user's display name and preferred language."""
    if locale not in current_app.config["LANGUAGES"]:
        raise AuthError(_l("This language is not available."))
    user.display_name = display_name.strip()
    user.locale = locale
    db.session.flush()


def _apply_membership(user: User, role: str, agency, committee) -> None:
    # Only editors act for an agency and only MPs for a committee; admins may hold either to act as one.
    user.agency = agency if role in (Role.EDITOR, Role.ADMIN) else None
    user.committee = committee if role in (Role.MP, Role.ADMIN) else None


def assign_role(user: User, role: str, agency=None, committee=None) -> None:
    """Give the user a role with the agency or committee it requires."""
    check_membership(role, agency, committee)
    user.role = str(role)
    _apply_membership(user, str(role), agency, committee)
    db.session.flush()
    logger.info("User %s now has role %s", user.id, user.role)
