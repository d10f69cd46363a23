"""Log in with an e-mail address and a password, behind locks per address, per client and per both.

Functions here flush and never commit: the view or CLI command that calls them commits once.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import delete, select, update

from app.auth import throttle
from app.auth.models import LoginAttempt, User
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.services import (
    EMAIL_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    AuthError,
    LoginThrottledError,
    get_user_by_email,
    normalize_email,
)
from app.db import utcnow
from app.extensions import db

logger = logging.getLogger(__name__)

# Older attempts no longer count towards any lock; keep the table small.
LOGIN_ATTEMPTS_KEPT = timedelta(days=1)

WRONG_CREDENTIALS = _l("The e-mail address or the password is wrong.")


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


@dataclass(frozen=True)
class PasswordCheck:
    """What a login's reads and hashing found, before anything is written."""

    email: str
    ip: str | None
    now: datetime
    user: User | None
    valid: bool
    checked_hash: str | None = None  # the stored hash the password was checked against
    new_hash: str | None = None  # the password hashed again with today's parameters, when its stored hash is old


def verify_login(email: str, password: str, ip: str | None = None, now: datetime | None = None) -> PasswordCheck:
    """Check the locks and the password, reading only: refuse a locked address or client before hashing."""
    email = normalize_email(email)
    now = now or utcnow()
    if len(email) > EMAIL_MAX_LENGTH or len(password) > PASSWORD_MAX_LENGTH:
        raise AuthError(WRONG_CREDENTIALS)
    # Both locks are checked before the password is even hashed: a locked-out guess costs no CPU, and the
    # answer is the same whether the password was right or wrong.
    _refuse_if_locked(email, ip, now)
    user = get_user_by_email(email)
    # An imported author (a letter's sender) has no account to sign in to: the same answer as a wrong password.
    account = user if user is not None and not user.external else None
    valid = verify_password(account.password_hash if account else _dummy_hash(), password) and account is not None
    checked_hash = user.password_hash if valid else None
    new_hash = hash_password(password) if valid and needs_rehash(checked_hash) else None
    return PasswordCheck(email, ip, now, user, valid, checked_hash, new_hash)


def record_login(check: PasswordCheck) -> User:
    """Record the attempt and return the user, or refuse: a wrong password, or a lock set since the check."""
    # On SQLite the view takes the write lock only now (app.db.start_writing), after the ~50 ms of hashing, which
    # held every other writer of the site back; so the locks are read again: a guess made meanwhile counts.
    _refuse_if_locked(check.email, check.ip, check.now)
    valid = check.valid
    if valid:
        # Only if the password is still the one checked: a reset or change committed while it was hashed ends the
        # sessions of the old password, and this login must not start one with it (nor write its hash back).
        changes = {"last_login_at": check.now} | ({"password_hash": check.new_hash} if check.new_hash else {})
        stored = db.session.execute(
            update(User)
            .where(User.id == check.user.id, User.password_hash == check.checked_hash)
            .values(**changes)
            .execution_options(synchronize_session=False)
        )
        valid = stored.rowcount == 1
        db.session.expire(check.user, list(changes))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < check.now - LOGIN_ATTEMPTS_KEPT))
    db.session.add(LoginAttempt(email=check.email, ip=check.ip, created_at=check.now, succeeded=valid))
    if not valid:
        db.session.flush()
        logger.info("Failed login for %s from %s", check.email, check.ip)
        raise AuthError(WRONG_CREDENTIALS)
    db.session.flush()
    return check.user


def authenticate(email: str, password: str, ip: str | None = None, now: datetime | None = None) -> User:
    """Return the user if the password is right; record the attempt; refuse when the address is locked."""
    return record_login(verify_login(email, password, ip=ip, now=now))


def _refuse_if_locked(email: str, ip: str | None, now: datetime) -> None:
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
        raise LoginThrottledError(throttle.too_many_from_client(locked_until - now))
