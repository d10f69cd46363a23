"""Accounts: create and look them up, check and change their passwords, profile and role.

Functions here flush and never commit: the view or CLI command that calls them commits once.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import throttle
from app.auth.models import ROLE_VALUES, Role, User, new_session_token
from app.auth.passwords import hash_password, is_common_password, verify_password
from app.db import utcnow
from app.errors import UserError
from app.extensions import db

logger = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 256

DUPLICATE_EMAIL = _l("An account with this e-mail address already exists.")


class AuthError(UserError):
    """A refused account action; `message` is translatable and meant for the user."""


class ThrottledError(AuthError):
    """Too many recent attempts; the answer is a 429 whatever else was sent."""


class LoginThrottledError(ThrottledError):
    """Too many recent failed logins for one e-mail address, or from one client."""


class WrongPasswordError(AuthError):
    """The current password given to change it was wrong; the failure is counted."""


class EmailTakenError(AuthError):
    """Someone registered with an address that has an account; `user` is its owner, to be told by e-mail."""

    def __init__(self, user: User) -> None:
        super().__init__(DUPLICATE_EMAIL)
        self.user = user


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
    """Create a citizen account that still has to confirm its address; raise EmailTakenError if one has it."""
    existing = get_user_by_email(email)
    if existing is not None:
        # Hash all the same: an answer quicker than a real registration would tell that the address has an account.
        hash_password(password)
        raise EmailTakenError(existing)
    return create_user(email, display_name, password, role=Role.CITIZEN, locale=locale)


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


def _password_change_limit() -> throttle.Limit:
    config = current_app.config
    window = timedelta(minutes=config["PASSWORD_CHANGE_WINDOW_MINUTES"])
    return throttle.Limit("password-change", config["PASSWORD_CHANGE_MAX_FAILURES"], window)


def change_password(user: User, current_password: str, new_password: str, now: datetime | None = None) -> None:
    """Replace the password once the current one is given correctly; lock the form after too many wrong ones."""
    # Without a limit, a stolen session could try every password on this form and learn the real one.
    limit, key = _password_change_limit(), str(user.id)
    wait = throttle.retry_after(limit, key, now)
    if wait is not None:
        raise ThrottledError(
            lazy_ngettext(
                "Too many wrong passwords. Please try again in %(num)d minute.",
                "Too many wrong passwords. Please try again in %(num)d minutes.",
                throttle.minutes(wait),
            )
        )
    if not verify_password(user.password_hash, current_password):
        throttle.record(limit, key, now)
        raise WrongPasswordError(_l("The current password is wrong."))
    set_password(user, new_password)
    throttle.clear(limit, key)


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
