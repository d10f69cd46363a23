"""Public pages kept whole until the next write: what a visitor without a session gets is the same for everyone.

A page or API answer on the list below, asked for without a session or remember-me cookie, is kept in the worker's
memory under the request's URL and a generation stamp. The stamp lives in the cache every worker shares
(Flask-Caching: a directory under the instance folder, Redis where REDIS_URL is set), and every committed write,
wherever it comes from (a comment, a moderation decision, a new version, the search writer's queue), sets a new
one, so the next request renders afresh: the stamp is read before the page's own queries, and a page rendered
from older data can only be kept under an older stamp. What moves with the clock alone (a countdown, a window
closing) is bounded by PAGE_CACHE_SECONDS. Pages stay in memory, not in the shared cache: a directory of pages
is scanned whole each time it is over its size, and every new search query would add a page to it.
Shared answers carry an ETag and `Cache-Control: public`; anything answered to a session is `private, no-store`.
"""

import hashlib
import logging
import time

from cachelib import SimpleCache
from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_caching import Cache
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app.db import core_write
from app.extensions import db

logger = logging.getLogger(__name__)
# Set in Session(info=...) by work whose writes no page shows (the mail outbox): its commits keep the pages.
PAGES_UNCHANGED = "kenes_pages_unchanged"
QUIET_SECONDS = 60  # a dead Redis fails every request: its traceback is logged once a minute, not 1,200 times
_last_logged = [0.0]


def _log_cache_failure(what: str) -> None:
    """Log a cache failure with its traceback, once per QUIET_SECONDS per process; the rest only count as debug."""
    now = time.monotonic()
    if now - _last_logged[0] >= QUIET_SECONDS:
        _last_logged[0] = now
        logger.exception("%s (further cache failures are not logged for %d s)", what, QUIET_SECONDS)
    else:
        logger.debug("%s", what, exc_info=True)


cache = Cache(with_jinja2_ext=False)

# What a visitor without a session reads, each answer depending only on the URL, the data and (True) the clock:
# whether a consultation is open, the time left, the answers' due dates. Those are kept PAGE_CACHE_SECONDS at most,
# the others, which change only with a write, PAGE_CACHE_DATA_SECONDS.
SHARED_ENDPOINTS = {
    "main.index": True,
    "laws.index": True,
    "laws.show": True,
    "laws.show_version": True,
    "laws.versions": False,
    "laws.diff": False,
    "comments.section": True,
    "search.index": False,
    "api.laws": True,
    "api.law": True,
    "api.sections": False,
    "api.section_comments": False,
    "api.law_comments": False,
}
SHARED_TYPES = ("text/html", "application/json")
GENERATION_KEY = "generation"
_WROTE = "kenes_cache_wrote"
_KEEP = "kenes_cache_keep"  # set by pages_unchanged() until the transaction ends


def init_app(app: Flask) -> None:
    """Bind the cache (Redis with REDIS_URL, else a directory in the instance folder) and the page hooks."""
    if not app.config.get("CACHE_TYPE"):
        app.config["CACHE_TYPE"] = "RedisCache" if app.config.get("REDIS_URL") else "FileSystemCache"
    if app.config["CACHE_TYPE"] == "RedisCache":
        app.config.setdefault("CACHE_REDIS_URL", app.config["REDIS_URL"])
    if not app.config.get("CACHE_DIR"):
        app.config["CACHE_DIR"] = str(app.instance_path) + "/cache"
    cache.init_app(app)
    app.extensions["kenes_pages"] = SimpleCache(threshold=app.config["PAGE_CACHE_ENTRIES"])
    # No stamp is renewed at start: pages live in each process's memory, so a new process keeps none, and every
    # `flask` command (the scheduler runs two a minute) would otherwise throw away every worker's pages.
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _after_execute),
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_rollback),
    ):
        # On every session, the summary jobs' own included; once for every app (tests make hundreds).
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
    # Registered before the other hooks: a kept page is answered before anything else runs; the after-request
    # hook, run last, sees the response every other hook has finished.
    core_write.connect(_wrote)  # a Prepared write (app.db.write): the ORM's events above do not see it
    app.before_request(_serve_kept_page)
    app.after_request(_cache_headers)


# --- the generation stamp --------------------------------------------------------------------------------------


def bump_generation() -> None:
    """Make every kept page stale: the next request for each renders it again."""
    try:
        cache.set(GENERATION_KEY, f"{time.time_ns():x}", timeout=0)
    except Exception:  # the cache is an optimisation: a dead Redis must not fail the write that was committed
        _log_cache_failure("Could not renew the page cache's generation")


def _generation() -> str | None:
    stamp = cache.get(GENERATION_KEY)
    if stamp is None:
        # Evicted, or a new cache: start a new one, so nothing stored before can be served.
        bump_generation()
        stamp = cache.get(GENERATION_KEY)
    return stamp


def pages_unchanged() -> None:
    """Keep the kept pages at this transaction's commit: what it writes is on no page shared without a session."""
    # Each stamp renewal costs a file write (or a Redis round trip) and every worker's pages; a comment that waits
    # for moderation is seen only by its author and the moderators, whose pages are never kept.
    db.session.info[_KEEP] = True
    db.session.info.pop(_WROTE, None)


def _after_flush(session: Session, _context) -> None:
    _wrote(session)


def _after_execute(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _wrote(state.session)


def _wrote(session: Session) -> None:
    if not session.info.get(PAGES_UNCHANGED) and not session.info.get(_KEEP):
        session.info[_WROTE] = True


def _after_commit(session: Session) -> None:
    # Only a commit makes a write visible to other requests; a rolled-back one was seen by nobody else. A savepoint's
    # release is no commit: a stamp set then would let a page of the data before the commit be kept under it.
    if session.in_nested_transaction():
        return
    session.info.pop(_KEEP, None)
    if session.info.pop(_WROTE, False) and has_app_context():
        bump_generation()


def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is None:  # a savepoint's rollback leaves the outer transaction's writes to its commit
        session.info.pop(_WROTE, None)
        session.info.pop(_KEEP, None)


# --- requests --------------------------------------------------------------------------------------------------


def _pages() -> SimpleCache:
    return current_app.extensions["kenes_pages"]


def _shareable_request() -> bool:
    config = current_app.config
    return (
        request.method in ("GET", "HEAD")
        and request.endpoint in SHARED_ENDPOINTS
        and config["PAGE_CACHE_SECONDS"] > 0
        and config["SESSION_COOKIE_NAME"] not in request.cookies
        and config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies
    )


def _public(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["HTTP_CACHE_MAX_AGE"]
    # A proxy must not hand this copy to someone who sends a session cookie.
    response.vary.add("Cookie")
    return response.make_conditional(request)


def _serve_kept_page() -> Response | None:
    if not _shareable_request():
        return None
    try:
        generation = _generation()
        key = f"page:{generation}:{request.url}"
        kept = _pages().get(key) if generation else None
    except Exception:  # a dead Redis: every page is rendered, none kept
        _log_cache_failure("Page cache unavailable")
        return None
    if kept is None:
        if generation:
            g.kenes_page_key = key
        return None
    content_type, body, etag = kept
    return _public(current_app.response_class(body, content_type=content_type), etag)


def _cache_headers(response: Response) -> Response:
    key = g.pop("kenes_page_key", None)
    if key and _storable(response):
        body = response.get_data()
        etag = hashlib.sha256(body).hexdigest()[:32]
        kept = (response.headers["Content-Type"], body, etag)
        clock = SHARED_ENDPOINTS[request.endpoint]
        try:
            _pages().set(
                key, kept, timeout=current_app.config["PAGE_CACHE_SECONDS" if clock else "PAGE_CACHE_DATA_SECONDS"]
            )
        except Exception:  # Redis went away during the request: the page is answered, just not kept
            _log_cache_failure("Page cache unavailable")
        return _public(response, etag)
    if "Cache-Control" not in response.headers and _has_session():
        # Whatever is answered to a session may hold its owner's name, choices and tokens: for nobody else.
        response.cache_control.private = True
        response.cache_control.no_store = True
    return response


def _storable(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and response.mimetype in SHARED_TYPES
        and "Set-Cookie" not in response.headers
        # A view that wrote to the session (a CSRF token, a flash) made the answer this visitor's own.
        and not session.modified
        and not session
        # Rows this request wrote may yet be rolled back: a page showing them is nobody's to keep.
        and not db.session.info.get(_WROTE)
    )


def _has_session() -> bool:
    config = current_app.config
    return (
        session.modified
        or bool(session)
        or config["SESSION_COOKIE_NAME"] in request.cookies
        or config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    )
