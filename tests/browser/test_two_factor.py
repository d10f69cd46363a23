"""Two-factor set-up in a real browser: the server-drawn QR code loads under the CSP, the key typed by hand works."""

import pyotp
import pytest

from tests.browser.conftest import release_db
from tests.browser.test_csp import LISTEN
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config):
    app_config["TWO_FACTOR_ROLES"] = ("editor", "moderator", "mp", "admin")
    return app_config


def test_staff_set_up_two_factor_and_are_logged_in(browser_page, create_user):
    page = browser_page
    page.context.add_init_script(LISTEN)
    moderator = create_user(role="moderator")
    release_db()

    page.goto("/en/auth/login", wait_until="load")
    page.fill("input[name=email]", moderator.email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.locator("main form[method=post] button[type=submit]").click()
    assert page.url.endswith("/en/auth/two-factor/setup")

    qr = page.locator("img.qr-code")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    with page.expect_navigation(wait_until="load"):
        page.locator("main form[method=post] button[type=submit]").click()
    assert page.locator("ol.recovery-codes li").count() == 10
    assert page.evaluate("window.__csp") == []

    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="I have saved the codes, continue").click()
    page.goto("/en/moderation/pending", wait_until="load")
    assert page.url.endswith("/en/moderation/pending")
