"""Configuration read from the environment, with safe defaults for a developer machine."""

import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("KENES_INSTANCE_DIR", BASE_DIR / "instance"))
# Public, so anyone can forge sessions and e-mailed links with it: fine on a laptop, refused in production.
DEV_SECRET_KEY = "dev-only-change-me"  # noqa: S105
SECRET_KEY_MIN_LENGTH = 32

logger = logging.getLogger(__name__)


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


class ConfigError(RuntimeError):
    """The settings are unsafe for where the app runs; the message names each bad setting."""


def production_problems(config: Mapping[str, Any]) -> list[str]:
    """Return what is wrong with the settings for a public deployment, one sentence per setting."""
    problems = []
    secret_key = config.get("SECRET_KEY") or ""
    if not secret_key or secret_key == DEV_SECRET_KEY:
        problems.append("SECRET_KEY is not set (the default is public: anyone could forge sessions and links).")
    elif len(secret_key) < SECRET_KEY_MIN_LENGTH:
        problems.append(f"SECRET_KEY is shorter than {SECRET_KEY_MIN_LENGTH} characters.")
    if not config.get("TRUSTED_HOSTS"):
        problems.append("TRUSTED_HOSTS is empty (list the site's host names, comma-separated).")
    base_url = urlsplit(config.get("BASE_URL") or "")
    if base_url.scheme not in ("http", "https") or not base_url.netloc:
        problems.append("BASE_URL is empty or not an absolute http(s) address (links in e-mails start with it).")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE is off (set SESSION_COOKIE_SECURE=1 and serve the site over HTTPS).")
    return problems


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse to run with KENES_ENV=production and unsafe settings; elsewhere only warn about the public key."""
    if config.get("KENES_ENV") == "production":
        problems = production_problems(config)
        if problems:
            raise ConfigError(
                "Kenes will not start with KENES_ENV=production and these settings:\n"
                + "\n".join(f"  - {problem}" for problem in problems)
            )
    elif config.get("SECRET_KEY") == DEV_SECRET_KEY:
        logger.warning("SECRET_KEY is the public development default; set it (and KENES_ENV=production) online.")


class Config:
    # "production" makes create_app refuse unsafe settings (see check_config); anything else is development.
    KENES_ENV = os.environ.get("KENES_ENV", "development").strip().lower()
    SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'kenes.db'}")
    # pool_pre_ping: after a PostgreSQL restart the pool replaces its dead connections instead of failing requests.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # How long a SQLite writer waits for another's lock before its request is answered 503 (with Retry-After
    # DB_RETRY_AFTER seconds): a 3-second lock (a backup, a long import) passes unnoticed. Keep it well under
    # gunicorn's worker timeout (deploy/gunicorn.conf.py).
    SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "8"))
    DB_RETRY_AFTER = _int("DB_RETRY_AFTER", 5)
    # Log lines on stderr: "text", or "json" (one object a line) for a log collector; each names its request id.
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "").strip().upper()  # empty: INFO (WARNING in tests)
    # /healthz calls a queue "lagging" (status "degraded", still 200) when its oldest entry waits longer than this.
    HEALTH_QUEUE_MAX_AGE = _int("HEALTH_QUEUE_MAX_AGE", 300)
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(INSTANCE_DIR / "search-index"))
    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")  # whoosh (one host) | postgres (many hosts)
    SEARCH_WRITER = os.environ.get("SEARCH_WRITER", "thread")  # thread: after commit, off the request | inline
    # Background jobs (mail, summary builds): on RQ workers (`flask worker`) when set, else in the web process.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    SEARCH_PER_PAGE = 10
    # The glossary of legal terms that carries a query into the other languages (format in the default file,
    # app/search/data/glossary.tsv); re-read when it changes. Empty: the default file.
    SEARCH_GLOSSARY_FILE = os.environ.get("SEARCH_GLOSSARY_FILE", "")
    # Pages and API answers for visitors without a session are kept whole until the next write (app/caching.py),
    # in a cache all workers share: Redis where REDIS_URL is set, else a directory in the instance folder.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "")  # empty: RedisCache or FileSystemCache as just said
    CACHE_DIR = os.environ.get("CACHE_DIR", "")  # empty: instance/cache
    CACHE_KEY_PREFIX = "kenes:"
    # The longest a kept page is served: a countdown or a window closing moves with the clock, not with a write.
    PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 60)  # 0: no page cache
    # ... and a page that changes only with a write (search, comments API, diffs): a bound for what the stamp misses
    # (another host without REDIS_URL, a write from outside the app).
    PAGE_CACHE_DATA_SECONDS = _int("PAGE_CACHE_DATA_SECONDS", 600)
    PAGE_CACHE_ENTRIES = _int("PAGE_CACHE_ENTRIES", 300)  # pages kept per worker, in its memory (at most ~100 KB each)
    # How long a browser or proxy may reuse a public page without asking again (then a 304 while it is unchanged).
    HTTP_CACHE_MAX_AGE = _int("HTTP_CACHE_MAX_AGE", 5)

    LANGUAGES = ("kk", "ru", "en")
    DEFAULT_LANGUAGE = "kk"
    OPERATOR_LANGUAGE = "en"  # outside a request (commands, logs)
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    # Flask-Babel resolves relative paths against app/, so give it the absolute one.
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    DISPLAY_TIMEZONE = "Asia/Almaty"
    # The languages a text (a draft, a title) is looked for in, per reader's language, when it lacks their own:
    # drafts are published in Kazakh and Russian, and English readers mostly read Russian better than Kazakh.
    CONTENT_FALLBACK = {"kk": ("kk", "ru", "en"), "ru": ("ru", "kk", "en"), "en": ("en", "ru", "kk")}

    # Requests for any other Host header are refused with a 400; in production list the real host names.
    TRUSTED_HOSTS = [host.strip() for host in os.environ.get("TRUSTED_HOSTS", "").split(",") if host.strip()] or None
    # The site's address as people reach it: every link in an e-mail starts with it, never with the request's
    # Host header (which the sender of a reset request chooses). No default in production: it must be set.
    BASE_URL = os.environ.get("BASE_URL", "" if KENES_ENV == "production" else "http://127.0.0.1:5000").rstrip("/")
    # Number of reverse proxies in front of gunicorn, so request.remote_addr is the client's address.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    # "Stay logged in" lasts a month, not Flask-Login's year: a forgotten device is not logged in for ever.
    REMEMBER_COOKIE_DURATION = timedelta(days=_int("REMEMBER_DAYS", 30))
    WTF_CSRF_TIME_LIMIT = None  # a long form (a law's text) must not expire while being written

    # argon2id, OWASP "m=19 MiB, t=2, p=1" is the floor; these are above it.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 2
    PASSWORD_MIN_LENGTH = 10
    EMAIL_TOKEN_MAX_AGE = 3 * 24 * 3600
    # Staff accounts hold the keys: these roles sign in with a TOTP code too, and their sessions end after
    # STAFF_IDLE_MINUTES without a request or STAFF_SESSION_HOURS after logging in, whichever comes first.
    TWO_FACTOR_ROLES = ("editor", "moderator", "mp", "admin")
    STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", "30"))
    STAFF_SESSION_HOURS = int(os.environ.get("STAFF_SESSION_HOURS", "12"))
    TOTP_ISSUER = "Kenes"  # the account's label in the authenticator app
    RESET_TOKEN_MAX_AGE = 3600

    # Throttles, counted in the database so that every worker process shares them.
    # Logging in: failures per address from one client lock that client out of the address; failures per
    # address from every client (a guesser spread over many machines) lock the address; failures per client
    # over every address (a password sprayer) lock the client. Checked before any password is hashed.
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_ACCOUNT_MAX_FAILURES = _int("LOGIN_ACCOUNT_MAX_FAILURES", 50)
    LOGIN_CLIENT_MAX_FAILURES = _int("LOGIN_CLIENT_MAX_FAILURES", 10)
    LOGIN_WINDOW_MINUTES = _int("LOGIN_WINDOW_MINUTES", 15)
    LOGIN_LOCK_MINUTES = _int("LOGIN_LOCK_MINUTES", 15)
    # Wrong current passwords on the change-password form, per account.
    PASSWORD_CHANGE_MAX_FAILURES = _int("PASSWORD_CHANGE_MAX_FAILURES", 5)
    PASSWORD_CHANGE_WINDOW_MINUTES = _int("PASSWORD_CHANGE_WINDOW_MINUTES", 15)
    # Mails with links (confirmation, reset, "someone registered with your address") asked for one address,
    # and registrations, reset and resend requests from one client address, per hour.
    ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR = _int("ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR", 3)
    ACCOUNT_MAILS_PER_CLIENT_PER_HOUR = _int("ACCOUNT_MAILS_PER_CLIENT_PER_HOUR", 10)
    # argon2 hashes at once per process (each takes ~150 ms and 64 MiB); a request that cannot get a turn
    # within the wait is answered "busy, try again" instead of queueing behind a flood.
    PASSWORD_HASH_CONCURRENCY = _int("PASSWORD_HASH_CONCURRENCY", 2)
    PASSWORD_HASH_WAIT_SECONDS = float(os.environ.get("PASSWORD_HASH_WAIT_SECONDS", "2"))

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | smtp | memory
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Kenes <no-reply@kenes.local>")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    # The outbox (app/outbox.py): a failed send is tried again after MAIL_RETRY_SECONDS, doubling up to the max;
    # an address the server refuses is given up after MAIL_MAX_ATTEMPTS (an outage never); a sender's claim on
    # a row lapses after MAIL_CLAIM_SECONDS (it died mid-send); `flask worker` sends due mail every sweep.
    MAIL_RETRY_SECONDS = _int("MAIL_RETRY_SECONDS", 60)
    MAIL_RETRY_MAX_SECONDS = _int("MAIL_RETRY_MAX_SECONDS", 3600)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 5)
    MAIL_CLAIM_SECONDS = _int("MAIL_CLAIM_SECONDS", 300)
    MAIL_SWEEP_SECONDS = _int("MAIL_SWEEP_SECONDS", 30)

    # New comments wait for a moderator; with False they are published at once and reviewed after.
    PREMODERATION = _bool("PREMODERATION", True)
    COMMENT_RATE_PER_MINUTE = int(os.environ.get("COMMENT_RATE_PER_MINUTE", "10"))
    COMMENT_RATE_PER_DAY = int(os.environ.get("COMMENT_RATE_PER_DAY", "100"))
    FLAG_THRESHOLD = int(os.environ.get("FLAG_THRESHOLD", "3"))  # distinct flaggers that send a comment back to review
    # Only reports from accounts at least this old (when they report) count toward FLAG_THRESHOLD, so a batch of
    # freshly registered accounts cannot hide a comment; their reports are still shown to moderators.
    FLAG_MIN_ACCOUNT_AGE_HOURS = float(os.environ.get("FLAG_MIN_ACCOUNT_AGE_HOURS", "24"))
    MODERATION_PER_PAGE = 50
    # A campaign (decided in bulk, counted ×N) has at least this many near-identical copies; smaller look-alike
    # groups are shown as "similar comments" only.
    CAMPAIGN_MIN_SIZE = int(os.environ.get("CAMPAIGN_MIN_SIZE", "10"))
    CAMPAIGN_MEMBERS_SHOWN = 10  # members (and their authors) listed per group on the campaigns page
    AUDIT_PER_PAGE = 100
    # The drafting agency answers comments within this many working days after the consultation closes; days off
    # besides weekends are read from HOLIDAYS_FILE (default: app/answers/data/holidays-kz.txt).
    ANSWER_WORKING_DAYS = int(os.environ.get("ANSWER_WORKING_DAYS", "10"))
    HOLIDAYS_FILE = os.environ.get("HOLIDAYS_FILE", "")
    ANSWERS_PER_PAGE = 50
    COMMENTS_BATCH = 30  # comments per "load more" batch (at most 50, so a page stays small)
    MY_COMMENTS_PER_PAGE = 20
    NOTIFICATIONS_PER_PAGE = 30
    UNSUBSCRIBE_TOKEN_MAX_AGE = 365 * 24 * 3600

    LAWS_PER_PAGE = 20
    SUMMARIES_PER_PAGE = 20  # a draft's summaries, an MP's summaries and drafts
    ADMIN_USERS_PER_PAGE = 50
    API_PAGE_SIZE = 20
    API_MAX_PAGE_SIZE = 100
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024


class TestConfig(Config):
    TESTING = True
    KENES_ENV = "testing"
    # The test client's host, so tests can follow the links in e-mails.
    BASE_URL = "http://localhost"
    SECRET_KEY = "test"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_BACKEND = "memory"
    SEARCH_WRITER = "inline"
    REDIS_URL = ""  # summary builds run in threads: tests need no Redis, whatever the environment says
    CACHE_TYPE = "SimpleCache"  # one process, a fresh cache per app
    # Most tests count a page's queries or read it right after changing data in their own session; tests/test_caching.py
    # turns the page cache back on.
    PAGE_CACHE_SECONDS = 0
    # Tests hash many passwords; the production cost is measured in bench/, not paid in every test.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    # Most tests post forms directly; tests/test_security.py turns CSRF back on and checks every form.
    WTF_CSRF_ENABLED = False
    # Most tests log staff in with a password alone; tests/auth/test_two_factor.py turns two-factor back on.
    TWO_FACTOR_ROLES = ()
