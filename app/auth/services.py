"""Accounts: registration, e-mail confirmation, logging in behind a shared throttle, passwords and roles.

Functions here flush and never commit: the view or CLI command that calls them commits once.
"""

import logging
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_timedelta, lazy_ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.auth import throttle, tokens
from app.auth.models import ROLE_VALUES, LoginAttempt, Role, User, new_session_token
from app.auth.passwords import hash_password, is_common_password, needs_rehash, verify_password
from app.db import utcnow
from app.errors import UserError
from app.extensions import db
from app.mail import external_url, send_mail

logger = logging.getLogger(__name__)

EMAIL_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 256
# Older attempts no longer count towards any lock; keep the table small.
LOGIN_ATTEMPTS_KEPT = timedelta(days=1)

WRONG_CREDENTIALS = _l("The e-mail address or the password is wrong.")
DUPLICATE_EMAIL = _l("An account with this e-mail address already exists.")
LINK_EXPIRED = _l("This link has expired. Please ask for a new one.")
LINK_INVALID = _l("This link is not valid. It may be incomplete or already used.")


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


def client_key(ip: str | None) -> str:
    """Return the key that throttles count a client under."""
    return ip or "unknown"


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
        raise ThrottledError(_too_many_from_client(wait))
    throttle.record(to_address, email, now)
    throttle.record(from_client, client, now)


def _too_many_from_client(wait: timedelta):
    return lazy_ngettext(
        "Too many attempts from your network. Please try again in %(num)d minute.",
        "Too many attempts from your network. Please try again in %(num)d minutes.",
        throttle.minutes(wait),
    )


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
    send_mail(user.email, subject, body)


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


def _locked_until(conditions, max_failures: int, now: datetime, success_resets: bool) -> datetime | None:
    """Return until when attempts matching the conditions are refused: max_failures within the window lock."""
    window = timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])
    lock = timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    query = select(LoginAttempt.created_at, LoginAttempt.succeeded).where(
        *conditions, LoginAttempt.created_at >= now - window - lock
    )
    if not success_resets:
        query = query.where(LoginAttempt.succeeded.is_(False))
    recent = db.session.execute(
        query.order_by(LoginAttempt.created_at.desc(), LoginAttempt.id.desc()).limit(max_failures)
    ).all()
    if len(recent) < max_failures or any(succeeded for _at, succeeded in recent):
        return None
    newest, oldest = recent[0].created_at, recent[-1].created_at
    if newest - oldest > window:
        return None
    locked_until = newest + lock
    return locked_until if locked_until > now else None


def login_locked_until(email: str, now: datetime | None = None, ip: str | None = None) -> datetime | None:
    """Return until when logins for this address from this client are refused, or None if they are allowed."""
    # Failures from one client lock only that client out of the address, so an attacker cannot lock the
    # owner out; failures from every client together lock the address only at a much higher count.
    now = now or utcnow()
    email = normalize_email(email)
    config = current_app.config
    from_client = _locked_until(
        [LoginAttempt.email == email, LoginAttempt.ip == ip], config["LOGIN_MAX_FAILURES"], now, success_resets=True
    )
    from_anyone = _locked_until(
        [LoginAttempt.email == email], config["LOGIN_ACCOUNT_MAX_FAILURES"], now, success_resets=True
    )
    return max((until for until in (from_client, from_anyone) if until is not None), default=None)


def client_login_locked_until(ip: str | None, now: datetime | None = None) -> datetime | None:
    """Return until when this client may not log in to any account, or None: a stop to password spraying."""
    # A success does not reset this count: the sprayer could log in to an account of their own in between.
    now = now or utcnow()
    max_failures = current_app.config["LOGIN_CLIENT_MAX_FAILURES"]
    return _locked_until([LoginAttempt.ip == ip], max_failures, now, success_resets=False)


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
    # Both locks are checked before the password is even hashed: a locked-out guess costs no CPU, and the
    # answer is the same whether the password was right or wrong.
    locked_until = login_locked_until(email, now, ip=ip)
    if locked_until is not None:
        raise LoginThrottledError(
            lazy_ngettext(
                "Too many failed attempts to log in with this e-mail address. Please try again in %(num)d minute.",
                "Too many failed attempts to log in with this e-mail address. Please try again in %(num)d minutes.",
                throttle.minutes(locked_until - now),
            )
        )
    locked_until = client_login_locked_until(ip, now)
    if locked_until is not None:
        raise LoginThrottledError(_too_many_from_client(locked_until - now))
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
    send_mail(user.email, subject, body)


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
    send_mail(user.email, subject, body)


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
