"""Browser tests: the test app served on 127.0.0.1 in a thread, driven by a real (headless) Chromium.

Chromium is Debian's (/usr/bin/chromium, or KENES_CHROMIUM), never a Playwright download. Without it (or without
the playwright package) the browser tests are skipped on a developer's machine, with the reason in the summary, but
fail under CI (CI set and not "false"/"0"), so CI has to prove the pages work in a browser.

Two rules keep the test process and the server thread from stepping on each other's database work:
the test commits what it creates before the browser asks for it (the factories do), and it ends its own
transaction (`release_db()`) before the browser posts: on SQLite a transaction opened outside a request
begins IMMEDIATE, so an open one would hold the write lock the server needs.
"""

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db

CHROMIUM = Path(os.environ.get("KENES_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.fixture
def app_config(app_config):
    """Browser tests submit the real forms, CSRF tokens and all."""
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


@dataclass
class LiveServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __call__(self, path: str) -> str:
        """Absolute URL of a path on the server: live_server("/kk/laws/")."""
        return self.url + path


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """Serve the test app on a free port of 127.0.0.1 for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer("127.0.0.1", server.server_port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def release_db() -> None:
    """End the test's own transaction so the server's requests can write (see the module docstring)."""
    db.session.commit()


def _missing_browser() -> str | None:
    """Say what the browser tests lack here, or None when chromium and playwright are both there."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: pip install -r requirements-dev.txt to run the browser tests"
    return None


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One headless Chromium for the session; each test gets its own context from `browser_page`."""
    missing = _missing_browser()
    if missing:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"CI must run the browser tests, but {missing}", pytrace=False)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium, live_server) -> Iterator:
    """A page in a fresh browser context (no cookies shared between tests), 10 s default timeout."""
    context = chromium.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def log_in(page, email: str, password: str, lang: str) -> None:
    """Log in through the real login form in the given interface language."""
    page.goto(f"/{lang}/auth/login", wait_until="load")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form[method=post] button[type=submit]").click()
    assert "/auth/login" not in page.url, f"login failed: still on {page.url}"


def pytest_collection_modifyitems(items) -> None:
    """The dev server's threads may see Chromium drop a connection mid-file (a favicon, a stylesheet) under load:
    werkzeug leaves that static file to the garbage collector, which is no fault of the app under test."""
    marker = pytest.mark.filterwarnings(
        r"ignore:Exception ignored in.*app/static/:pytest.PytestUnraisableExceptionWarning"
    )
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(marker)
