"""Signed, expiring tokens for the links we e-mail: one salt per purpose so a token cannot be reused elsewhere."""

import hashlib
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM_SALT = "kenes.auth.confirm-email"
RESET_SALT = "kenes.auth.reset-password"


class InvalidTokenError(Exception):
    """The token was tampered with, made for another purpose, or is not a token at all."""


class ExpiredTokenError(InvalidTokenError):
    """The token was genuine but is older than its maximum age."""


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def make_token(purpose: str, payload: dict[str, Any]) -> str:
    """Sign the payload for one purpose."""
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict[str, Any]:
    """Return the payload of a token made for this purpose, or raise ExpiredTokenError / InvalidTokenError."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ExpiredTokenError from error
    except BadSignature as error:
        raise InvalidTokenError from error
    if not isinstance(payload, dict):
        raise InvalidTokenError
    return payload


# Ids are 32-bit signed database integers; a larger one would overflow inside the driver (a 500, not a 400).
MAX_ID = 2**31 - 1


def payload_id(value: Any) -> int | None:
    """Return the value if it can be a row id (a positive 32-bit int, not a bool), else None."""
    if type(value) is not int or not 1 <= value <= MAX_ID:
        return None
    return value


def password_fingerprint(password_hash: str) -> str:
    """Return a short digest of the stored hash, so a reset token dies once the password changes."""
    # The payload is readable by whoever holds the link; a digest does not reveal the hash itself.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]
