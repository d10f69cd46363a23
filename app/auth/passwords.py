"""Password hashing (argon2id) and the password rules users are told about."""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import ServiceUnavailable

logger = logging.getLogger(__name__)

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
SLOTS_KEY = "password_hash_slots"


class PasswordHashBusyError(ServiceUnavailable):
    """Every password-hashing slot of this process stayed taken for the whole wait; answered as a 503."""

    message = _l("The server is busy right now. Please try again in a moment.")

    def __init__(self) -> None:
        super().__init__(retry_after=5)


def _slots() -> threading.BoundedSemaphore:
    extensions = current_app.extensions
    slots = extensions.get(SLOTS_KEY)
    if slots is None:
        # setdefault is atomic: two threads racing here still end up sharing one semaphore.
        slots = extensions.setdefault(
            SLOTS_KEY, threading.BoundedSemaphore(current_app.config["PASSWORD_HASH_CONCURRENCY"])
        )
    return slots


@contextmanager
def _hashing_slot() -> Iterator[None]:
    # Each hash takes ~150 ms of CPU and 64 MiB: unbounded, a few clients posting passwords slow every page.
    slots = _slots()
    if not slots.acquire(timeout=current_app.config["PASSWORD_HASH_WAIT_SECONDS"]):
        logger.warning("Every password hashing slot is busy; refusing the request")
        raise PasswordHashBusyError
    try:
        yield
    finally:
        slots.release()


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Return an argon2id hash of the password."""
    with _hashing_slot():
        return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return True if the password matches the stored hash."""
    with _hashing_slot():
        try:
            return _hasher().verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    """Return True when the stored hash uses weaker parameters than the current config."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@cache
def common_passwords() -> frozenset[str]:
    """Return the list of passwords that are too common to allow, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common_password(password: str) -> bool:
    """Return True for passwords from the common list or made of one repeated character."""
    lowered = password.strip().lower()
    return lowered in common_passwords() or len(set(lowered)) <= 2
