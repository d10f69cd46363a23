"""In a real browser, in Kazakh and in Russian: staff land on their workspace after logging in, and an editor
publishes a new draft and opens its consultation in the same step, without a Content-Security-Policy violation.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.laws.models import Law
from tests.browser.conftest import log_in, release_db
from tests.conftest import DEFAULT_PASSWORD, demo_text

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def translated(app, lang: str, message: str, **values) -> str:
    with app.test_request_context(), force_locale(lang):
        return _(message, **values)


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize(
    ("role", "workspace"), [("moderator", "/{lang}/moderation/pending"), ("mp", "/{lang}/parliament/")]
)
def test_staff_land_on_their_workspace(lang, role, workspace, browser_page, live_server, create_user, create_committee):
    page = browser_page
    page.context.add_init_script(LISTEN)
    user = create_user(role=role, locale=lang, committee_id=create_committee().id if role == "mp" else None)
    email = user.email
    release_db()

    log_in(page, email, DEFAULT_PASSWORD, lang)
    assert page.url == live_server(workspace.format(lang=lang))
    assert page.locator("html").get_attribute("lang") == lang
    assert page.evaluate("window.__csp") == []


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_editor_publishes_a_draft_and_opens_its_consultation(
    app, lang, browser_page, live_server, create_user, create_agency
):
    page = browser_page
    page.context.add_init_script(LISTEN)
    editor = create_user(role="editor", agency_id=create_agency().id, locale=lang)
    email = editor.email
    release_db()
    closes = (datetime.now(ZoneInfo("Asia/Almaty")) + timedelta(days=14)).replace(hour=18, minute=0)

    log_in(page, email, DEFAULT_PASSWORD, lang)
    assert page.url == live_server(f"/{lang}/editor/")
    with page.expect_navigation(wait_until="load"):
        page.locator(f"main a[href='/{lang}/editor/laws/new']").click()
    page.select_option("select[name=lang]", lang)
    page.fill("input[name=slug]", f"air-{lang}")
    page.fill("textarea[name=text]", demo_text(f"air-quality.{lang}.txt"))
    # Before the preview there is nothing to publish; after it, the two ways say what each does.
    expect(page.locator("input[name=open_consultation]")).to_have_count(0)
    with page.expect_navigation(wait_until="load"):
        page.locator("input[name=preview]").click()
    save = page.locator("input[name=publish]")
    publish_and_open = page.locator("input[name=open_consultation]")
    expect(save).to_have_value(translated(app, lang, "Save as a draft in preparation"))
    expect(publish_and_open).to_have_value(translated(app, lang, "Publish and open the consultation"))

    # Without a closing time the consultation cannot open: a clear error, and nothing is created.
    with page.expect_navigation(wait_until="load"):
        publish_and_open.click()
    expect(page.locator("#closes_at-error")).to_have_text(
        translated(app, lang, "Choose when the consultation closes to open it now.")
    )
    assert db.session.scalar(select(Law).where(Law.slug == f"air-{lang}")) is None
    release_db()

    page.fill("input[name=closes_at]", closes.strftime("%Y-%m-%dT%H:%M"))
    with page.expect_navigation(wait_until="load"):
        page.locator("input[name=open_consultation]").click()
    assert page.url == live_server(f"/{lang}/editor/laws/air-{lang}/")
    law = db.session.scalar(select(Law).where(Law.slug == f"air-{lang}"))
    assert law.status == "open" and law.is_open_for_comments()
    assert law.closes_at == closes.replace(second=0, microsecond=0)
    release_db()

    # The public sees it open, with the time left in the page's language.
    page.goto(f"/{lang}/laws/air-{lang}/", wait_until="load")
    expect(page.locator("main")).to_contain_text(translated(app, lang, "Open for comments"))
    left = {"kk": "Пікір қалдыруға 2 апта қалды", "ru": "Комментарии принимаются ещё 2 недели"}[lang]
    expect(page.locator("main")).to_contain_text(left)
    assert page.evaluate("window.__csp") == []
