"""Configuration read from the environment, with safe defaults for a developer machine."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("KENES_INSTANCE_DIR", BASE_DIR / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'kenes.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")  # whoosh (one host) | postgres (many hosts)
    SEARCH_WRITER = os.environ.get("SEARCH_WRITER", "thread")  # thread: after commit, off the request | inline
    SEARCH_PER_PAGE = 10

    LANGUAGES = ("kk", "ru", "en")
    DEFAULT_LANGUAGE = "kk"
    OPERATOR_LANGUAGE = "en"  # outside a request (commands, logs)
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    # Flask-Babel resolves relative paths against app/, so give it the absolute one.
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    DISPLAY_TIMEZONE = "Asia/Almaty"

    # Links in e-mails are built from the Host header: in production list the real host names.
    TRUSTED_HOSTS = [host for host in os.environ.get("TRUSTED_HOSTS", "").split(",") if host] or None
    # Number of reverse proxies in front of gunicorn, so request.remote_addr is the client's address.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = None  # a long form (a law's text) must not expire while being written

    # argon2id, OWASP "m=19 MiB, t=2, p=1" is the floor; these are above it.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 2
    PASSWORD_MIN_LENGTH = 10
    EMAIL_TOKEN_MAX_AGE = 3 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 3600

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | smtp | memory
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Kenes <no-reply@kenes.local>")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)

    # New comments wait for a moderator; with False they are published at once and reviewed after.
    PREMODERATION = _bool("PREMODERATION", True)
    COMMENT_RATE_PER_MINUTE = int(os.environ.get("COMMENT_RATE_PER_MINUTE", "10"))
    COMMENT_RATE_PER_DAY = int(os.environ.get("COMMENT_RATE_PER_DAY", "100"))
    FLAG_THRESHOLD = int(os.environ.get("FLAG_THRESHOLD", "3"))  # distinct flaggers that send a comment back to review
    MODERATION_PER_PAGE = 50
    AUDIT_PER_PAGE = 100
    COMMENTS_BATCH = 30  # comments per "load more" batch (at most 50, so a page stays small)
    MY_COMMENTS_PER_PAGE = 20
    NOTIFICATIONS_PER_PAGE = 30
    UNSUBSCRIBE_TOKEN_MAX_AGE = 365 * 24 * 3600

    LAWS_PER_PAGE = 20
    ADMIN_USERS_PER_PAGE = 50
    API_PAGE_SIZE = 20
    API_MAX_PAGE_SIZE = 100
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_BACKEND = "memory"
    SEARCH_WRITER = "inline"
    # Tests hash many passwords; the production cost is measured in bench/, not paid in every test.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    # Most tests post forms directly; tests/test_security.py turns CSRF back on and checks every form.
    WTF_CSRF_ENABLED = False
