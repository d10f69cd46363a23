"""Two-factor sign-in: TOTP secrets, codes accepted once behind a shared throttle, one-time recovery codes,
the half-logged-in state between the password and the code, and the time limits of staff sessions.

Functions here flush and never commit: the view or CLI command that calls them commits once.
"""

import hashlib
import hmac
import logging
import math
import re
import secrets
from datetime import datetime, timedelta

import pyotp
from flask import current_app, session
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import delete, func, or_, select, update

from app import db as clock  # looked up at call time, so tests move the clock by patching app.db.utcnow
from app.auth.models import RecoveryCode, User
from app.auth.services import AuthError, end_sessions
from app.extensions import db

logger = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCK = timedelta(minutes=15)
# Between the right password and the code: long enough to unlock a phone, too short to leave lying around.
PENDING_MAX_AGE = timedelta(minutes=5)
# Codes of the time step before and after the current one pass too, for phone clocks a little off.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# Crockford's base32: no i, l, o or u to misread on paper. 16 characters carry 80 random bits, too many to
# find a code from its SHA-256 by trying them all, so a slow password hash is not needed.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_CODE_LENGTH = 16
# Writing the last-activity time into the cookie on every request would re-send it every time; a minute's
# precision is plenty against a 30-minute limit.
ACTIVITY_RESOLUTION = timedelta(minutes=1)

PENDING_KEY = "two_factor_pending"
STAFF_SESSION_KEY = "staff_session"

WRONG_CODE = _l("The code is wrong. Please try again.")
CODE_USED = _l("This code has already been used. Please wait for the next code in your app.")

TOTP_RE = re.compile(r"^\d{6}$")


class TwoFactorError(AuthError):
    """A refused code; `message` is translatable and meant for the user."""


class TwoFactorLockedError(TwoFactorError):
    """Too many wrong codes for this account lately."""


def _now() -> datetime:
    return clock.utcnow()


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def two_factor_roles() -> tuple[str, ...]:
    return tuple(current_app.config["TWO_FACTOR_ROLES"])


def is_staff(user: User) -> bool:
    """Return True if the user's role must sign in with a second factor and keeps to the staff session limits."""
    return user.role in two_factor_roles()


def required_for(user: User) -> bool:
    """Return True if logging in as this user takes a code as well as the password."""
    # Once set up it stays asked for, even if the user is no longer staff: it protects the account either way.
    return is_staff(user) or user.two_factor_enabled


def format_secret(secret: str) -> str:
    """Return the secret in groups of four letters, as people type it into an authenticator app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User) -> str:
    """Return the otpauth:// address the QR code carries."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TOTP_ISSUER"])


# The half-logged-in state: the password was right, the code is still to come.


def begin(user: User, next_url: str | None) -> str | None:
    """After the right password: remember the user for the second step and return its endpoint, or None."""
    if not required_for(user):
        return None
    if not user.two_factor_enabled:
        # A new secret at every password step: one someone else saw at an earlier, unfinished set-up is void.
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = None
        db.session.flush()
    session[PENDING_KEY] = {"uid": user.id, "at": _timestamp(_now()), "next": next_url}
    return "two_factor.verify" if user.two_factor_enabled else "two_factor.setup"


def pending_user() -> User | None:
    """Return the user who gave the right password less than five minutes ago, or None."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("uid"), int):
        return None
    if _timestamp(_now()) - int(pending.get("at", 0)) > PENDING_MAX_AGE.total_seconds():
        session.pop(PENDING_KEY, None)
        return None
    return db.session.get(User, pending["uid"])


def has_pending() -> bool:
    return PENDING_KEY in session


def finish_pending() -> str | None:
    """Forget the half-logged-in state and return the local page the user wanted, if any."""
    pending = session.pop(PENDING_KEY, None) or {}
    return pending.get("next")


# Codes.


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record the step as used; False if it or a later one already was (a replayed code)."""
    # A conditional UPDATE, so two requests carrying the same code cannot both pass, whatever the database.
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session="fetch")
    )
    return result.rowcount == 1


def normalize_recovery_code(code: str) -> str:
    """Return the code as generated: lower case, no spaces or dashes, look-alike letters read as digits."""
    code = re.sub(r"[\s-]", "", code.lower())
    return code.translate(str.maketrans({"o": "0", "i": "1", "l": "1"}))


def _hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalize_recovery_code(code).encode()).hexdigest()


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    normalized = normalize_recovery_code(code)
    if len(normalized) != RECOVERY_CODE_LENGTH or set(normalized) - set(RECOVERY_ALPHABET):
        return False
    result = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery_code(normalized),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def locked_until(user: User, now: datetime | None = None) -> datetime | None:
    """Return until when codes for this user are refused, or None."""
    now = now or _now()
    return user.totp_locked_until if user.totp_locked_until and user.totp_locked_until > now else None


def _locked_error(until: datetime, now: datetime) -> TwoFactorLockedError:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return TwoFactorLockedError(
        lazy_ngettext(
            "Too many wrong codes. Please try again in %(num)d minute.",
            "Too many wrong codes. Please try again in %(num)d minutes.",
            minutes,
        )
    )


def _record_failure(user: User, now: datetime) -> TwoFactorError:
    # Incremented in SQL, so failures sent at the same moment to several workers all count.
    user.totp_failures = User.totp_failures + 1
    db.session.flush()
    logger.info("Wrong second-factor code for user %s", user.id)
    if user.totp_failures < MAX_FAILURES:
        return TwoFactorError(WRONG_CODE)
    user.totp_failures = 0
    user.totp_locked_until = now + LOCK
    db.session.flush()
    logger.warning("Second-factor codes locked for user %s after %d failures", user.id, MAX_FAILURES)
    return _locked_error(user.totp_locked_until, now)


def _record_success(user: User) -> None:
    user.totp_failures = 0
    user.totp_locked_until = None
    db.session.flush()


def check_code(user: User, code: str, *, allow_recovery: bool = True) -> bool:
    """Accept a current app code, or an unused recovery code; return True if a recovery code was used.

    Raise TwoFactorLockedError while the account is locked after too many wrong codes and TwoFactorError
    for a wrong or replayed code.
    """
    now = _now()
    until = locked_until(user, now)
    if until is not None:
        raise _locked_error(until, now)
    code = (code or "").strip()
    digits = re.sub(r"\s", "", code)
    if TOTP_RE.match(digits) and user.totp_secret:
        step = _matching_step(user.totp_secret, digits, now)
        if step is not None:
            if not _claim_step(user, step):
                # Someone who watched the code being typed is refused too; not counted as a guess.
                raise TwoFactorError(CODE_USED)
            _record_success(user)
            return False
    elif allow_recovery and _use_recovery_code(user, code, now):
        _record_success(user)
        logger.info("User %s logged in with a recovery code", user.id)
        return True
    raise _record_failure(user, now)


def confirm_setup(user: User, code: str) -> list[str]:
    """Turn two-factor sign-in on once a code from the app matches the new secret; return recovery codes."""
    digits = re.sub(r"\s", "", code or "")
    now = _now()
    step = _matching_step(user.totp_secret, digits, now) if user.totp_secret and TOTP_RE.match(digits) else None
    if step is None:
        raise TwoFactorError(WRONG_CODE)
    user.totp_last_step = step
    user.totp_confirmed_at = now
    _record_success(user)
    codes = new_recovery_codes(user)
    logger.info("User %s set up two-factor sign-in", user.id)
    return codes


# Recovery codes.


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones and return them; only their hashes are kept."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(code)) for code in codes)
    db.session.flush()
    return codes


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """Replace the recovery codes once a current code from the app proves the phone is at hand."""
    check_code(user, code, allow_recovery=False)
    codes = new_recovery_codes(user)
    logger.info("User %s made new recovery codes", user.id)
    return codes


def recovery_codes_left(user: User) -> int:
    """Count the user's unused recovery codes."""
    return db.session.execute(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def reset(user: User, acting_user: User | None = None) -> None:
    """Turn two-factor sign-in off and log the user out everywhere; staff set it up again at the next login."""
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.totp_failures = 0
    user.totp_locked_until = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    end_sessions(user)
    actor = f"admin {acting_user.id}" if acting_user is not None else "the command line"
    logger.warning("Two-factor sign-in of user %s reset by %s", user.id, actor)


# Staff sessions: the time limits live in the signed session cookie, so a copied cookie ages like the original.


def start_staff_session(user: User) -> None:
    """Note in the session that this user passed the second step, and when."""
    now = _timestamp(_now())
    session[STAFF_SESSION_KEY] = {"uid": user.id, "login": now, "seen": now}


def end_staff_session() -> None:
    """Forget the staff and half-logged-in markers (at logout, or when the second step has expired)."""
    for key in (STAFF_SESSION_KEY, PENDING_KEY):
        if key in session:  # a pop of a missing key would still mark the session changed and re-send the cookie
            del session[key]


def staff_session_ended(user: User) -> bool:
    """Return True if this staff session never passed the second step or is past its idle or absolute limit."""
    marker = session.get(STAFF_SESSION_KEY)
    # A session loaded from a remember-me cookie, or opened before the user became staff, has no marker.
    if not isinstance(marker, dict) or marker.get("uid") != user.id:
        return True
    config = current_app.config
    now = _timestamp(_now())
    idle = timedelta(minutes=config["STAFF_IDLE_MINUTES"]).total_seconds()
    absolute = timedelta(hours=config["STAFF_SESSION_HOURS"]).total_seconds()
    return now - int(marker.get("seen", 0)) > idle or now - int(marker.get("login", 0)) > absolute


def touch_staff_session() -> None:
    """Move the session's last-activity time to now (at most once a minute)."""
    marker = session.get(STAFF_SESSION_KEY)
    now = _timestamp(_now())
    if isinstance(marker, dict) and now - int(marker.get("seen", 0)) >= ACTIVITY_RESOLUTION.total_seconds():
        session[STAFF_SESSION_KEY] = {**marker, "seen": now}
