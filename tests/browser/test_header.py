"""The header and the buttons as a reader sees them, in Kazakh and Russian, on a desktop and on a 390 px phone.

Issue 15: the unread count must be readable (not white on white), <input type=submit> must look like the other
buttons, the signed-in header must not fill a phone screen (the menu folds behind a button, and stays open without
JavaScript), the Russian menu must fit on a desktop line, and the share bars of the moderation figures must be bars.
With KENES_SCREENSHOTS=<dir> the tests also save what they checked there, as ui-*.png.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.moderation.decisions import decide
from tests.browser.conftest import TIMEOUT_MS, log_in, release_db
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("KENES_SCREENSHOTS")  # a folder for screenshots, when asked for
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
ACCENT = "rgb(11, 95, 165)"  # --accent in kenes.css
# WCAG 2 contrast ratio of an element's text colour against its own background colour.
CONTRAST = """el => {
  const channels = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
  const luminance = c => { const [r, g, b] = channels(c); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const style = getComputedStyle(el);
  const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""
NAV_LINES = "() => new Set([...document.querySelectorAll('#main-nav > ul > li')].map(li => li.offsetTop)).size"


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"ui-{name}.png"))


def open_menu_if_folded(page) -> None:
    """On a phone the menu is behind its button: open it, as a reader would, before using a menu link."""
    toggle = page.locator("[data-nav-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
        expect(page.locator("#main-nav")).to_be_visible()


@pytest.fixture
def reader(create_user, create_comment, article):
    """A citizen with one unread notification (their comment was published)."""
    citizen = create_user(display_name="Айгерім Сәрсенова")
    create_comment(article, author=citizen, body="Шағым беру мерзімін отыз күнге дейін ұзартқан жөн.")
    return citizen


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_unread_count_is_readable_in_the_header(lang, width, browser_page, reader):
    page = browser_page
    page.set_viewport_size(WIDTHS[width])
    email = reader.email
    release_db()
    log_in(page, email, DEFAULT_PASSWORD, lang)
    open_menu_if_folded(page)
    badge = page.locator(f"#main-nav a[href='/{lang}/notifications/'] .badge")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1")
    assert badge.evaluate(CONTRAST) >= 4.5
    if width == "phone":  # the folded menu's button carries the count too
        page.locator("[data-nav-toggle]").click()
        toggle_badge = page.locator("[data-nav-toggle] .badge")
        expect(toggle_badge).to_have_text("1")
        assert toggle_badge.evaluate(CONTRAST) >= 4.5
    shoot(page, f"badge-{lang}-{width}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_submit_inputs_look_like_the_other_buttons(lang, width, browser_page, reader, article):
    page = browser_page
    page.set_viewport_size(WIDTHS[width])
    email, path = reader.email, f"/{lang}/laws/{article.version.law.slug}/sections/{article.id}/"
    release_db()
    log_in(page, email, DEFAULT_PASSWORD, lang)
    page.goto(path, wait_until="load")
    send = page.locator("form.comment-form input[type=submit]")
    reply = page.locator("details.reply-box button[type=submit]").first
    page.locator("details.reply-box > summary").first.click()
    looks = "el => ['backgroundColor', 'color', 'borderRadius', 'paddingLeft'].map(p => getComputedStyle(el)[p])"
    assert send.evaluate(looks) == reply.evaluate(looks) == [ACCENT, "rgb(255, 255, 255)", "6px", "16px"]
    box = send.bounding_box()
    assert box["height"] >= 36, "a thumb-sized button, not the browser's small grey one"
    if width == "phone":
        assert box["width"] >= WIDTHS["phone"]["width"] - 100, "on a phone the send button spans the form"
    send.scroll_into_view_if_needed()
    shoot(page, f"submit-{lang}-{width}")


@pytest.mark.parametrize("role", ["citizen", "admin"])
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_phone_header_folds_the_menu_behind_a_button(lang, role, browser_page, create_user):
    page = browser_page
    page.set_viewport_size(WIDTHS["phone"])
    email = create_user(role=role, display_name="Айгерім Сәрсенова").email
    release_db()
    log_in(page, email, DEFAULT_PASSWORD, lang)
    page.goto(f"/{lang}/laws/", wait_until="load")
    header, nav = page.locator("header.site-header"), page.locator("#main-nav")
    toggle = page.locator("[data-nav-toggle]")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    assert header.bounding_box()["height"] <= 120, "the folded header leaves the screen to the page"
    # Search and the languages stay in view without opening anything.
    expect(page.locator("#site-q")).to_be_visible()
    expect(page.locator(f".lang-switch a[hreflang={'ru' if lang == 'kk' else 'kk'}]")).to_be_visible()
    shoot(page, f"header-{lang}-{role}-phone-folded")

    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.locator(f"a[href='/{lang}/my/comments']")).to_be_visible()
    expect(nav.locator("button.link-button")).to_be_visible()  # log out
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    shoot(page, f"header-{lang}-{role}-phone-open")

    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(toggle).to_be_focused()


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_without_javascript_the_phone_menu_is_simply_open(lang, chromium, live_server, create_user):
    email = create_user().email
    release_db()
    context = chromium.new_context(base_url=live_server.url, java_script_enabled=False, viewport=WIDTHS["phone"])
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        log_in(page, email, DEFAULT_PASSWORD, lang)
        expect(page.locator("[data-nav-toggle]")).to_be_hidden()
        expect(page.locator(f"#main-nav a[href='/{lang}/my/comments']")).to_be_visible()
        expect(page.locator("#main-nav button.link-button")).to_be_visible()
        shoot(page, f"header-{lang}-phone-nojs")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_desktop_menu_fits_on_one_line(lang, browser_page, create_user):
    page = browser_page
    page.set_viewport_size(WIDTHS["desktop"])
    citizen = create_user(display_name="Айгерім Сәрсенова").email
    admin = create_user(role="admin", display_name="Бауыржан Қасымжомартұлы").email
    release_db()
    log_in(page, citizen, DEFAULT_PASSWORD, lang)
    expect(page.locator("[data-nav-toggle]")).to_be_hidden()
    assert page.evaluate(NAV_LINES) == 1
    assert page.locator("header.site-header").bounding_box()["height"] <= 130
    shoot(page, f"header-{lang}-citizen-desktop")
    # Someone holding every role has ten items: two lines at most.
    page.locator("#main-nav button.link-button").click()
    page.wait_for_load_state("load")
    log_in(page, admin, DEFAULT_PASSWORD, lang)
    assert page.evaluate(NAV_LINES) <= 2
    shoot(page, f"header-{lang}-admin-desktop")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_moderation_figures_show_the_share_column_and_long_bars(
    lang, width, browser_page, article, create_user, create_comment
):
    page = browser_page
    page.set_viewport_size(WIDTHS[width])
    moderator = create_user(role="moderator")
    for reason in ("spam", "spam", "off_topic", "offensive"):
        comment = create_comment(article, body="Көрнекі жарнама.", state="pending")
        decide(comment, actor=moderator, action="reject", reason=reason, seen_version=comment.version)
    db.session.commit()
    slug = article.version.law.slug
    release_db()
    page.goto(f"/{lang}/laws/{slug}/moderation", wait_until="load")
    share = page.locator("table.share-table thead th").nth(2)
    expect(share).to_be_visible()
    expect(share).to_have_text({"kk": "Үлесі", "ru": "Доля"}[lang])
    assert share.bounding_box()["width"] > 40, "the header is written out, not hidden"
    spam = page.locator("table.share-table tbody tr").first
    expect(spam.locator(".share-value")).to_contain_text("50")
    bar = spam.locator("svg.bar").bounding_box()
    half = spam.locator("svg.bar rect").nth(1).bounding_box()
    assert bar["width"] >= 4 * bar["height"], "a bar, not a square"
    assert abs(half["width"] - bar["width"] / 2) <= 2, "50 % fills half the bar"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    spam.scroll_into_view_if_needed()
    shoot(page, f"moderation-figures-{lang}-{width}")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_hearing_state_figures_headers_show_and_tables_scroll_in_place(
    lang, width, browser_page, article, create_comment
):
    page = browser_page
    page.set_viewport_size(WIDTHS[width])
    create_comment(article, body="Мерзімді ұзарту керек.")
    release_db()
    page.goto(f"/{lang}/figures/", wait_until="load")
    heads = page.locator("table.figures-table").first.locator("thead th")
    assert heads.count() >= 10
    for i in range(heads.count()):
        assert heads.nth(i).inner_text().strip(), f"column {i} has no visible header"
        assert heads.nth(i).bounding_box()["width"] > 40
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "a wide table scrolls inside its region, not the page"
    heads.first.scroll_into_view_if_needed()
    shoot(page, f"hearing-figures-{lang}-{width}")
