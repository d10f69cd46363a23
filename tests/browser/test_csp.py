"""The Content-Security-Policy holds in a real browser: no page trips it, and bars and contents still look right.

The policy allows no inline script or style, so anything left inline would be blocked silently: a stance bar
without widths, a flat table of contents. Chromium reports each blocked item as a console error and as a
`securitypolicyviolation` event; the test listens to both, and proves it would hear one.
"""

import pytest

from app.comments.models import REJECTION_REASONS
from app.extensions import db
from app.moderation.decisions import decide
from tests.browser.conftest import log_in, release_db
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def discussed_law(open_law, article, create_comment, create_user):
    """Two supporting comments, one of each other stance and one rejected, on one article."""
    moderator = create_user(role="moderator")
    for stance in ("support", "support", "oppose", "amend", "neutral"):
        extra = {"proposed_wording": "Срок подачи жалобы — тридцать дней."} if stance == "amend" else {}
        create_comment(article, body=f"Мнение: {stance}.", stance=stance, **extra)
    rejected = create_comment(article, body="Реклама!", state="pending")
    decide(rejected, actor=moderator, action="reject", reason="spam", seen_version=rejected.version)
    db.session.commit()
    return open_law


@pytest.fixture
def csp_page(browser_page):
    """A browser page that records every Content-Security-Policy violation, from events and the console."""
    browser_page.context.add_init_script(LISTEN)
    console: list[str] = []
    browser_page.on(
        "console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None
    )
    browser_page.csp_console = console
    return browser_page


def violations(page) -> list[str]:
    return page.evaluate("window.__csp") + page.csp_console


def test_pages_render_without_a_policy_violation(csp_page, discussed_law, article, create_user):
    page = csp_page
    citizen = create_user(password=DEFAULT_PASSWORD)
    slug = discussed_law.slug
    release_db()
    urls = [
        "/en/",
        f"/kk/laws/{slug}/",
        f"/ru/laws/{slug}/diff/1/2/",
        f"/ru/laws/{slug}/sections/{article.id}/",
        f"/en/laws/{slug}/moderation",
        "/ru/search/?q=срок",
    ]
    found = {}
    for url in urls:
        page.goto(url, wait_until="load")
        if violations(page):
            found[url] = violations(page)
    log_in(page, citizen.email, DEFAULT_PASSWORD, "ru")
    page.goto(f"/ru/laws/{slug}/sections/{article.id}/", wait_until="load")
    page.fill("textarea[name=body]", "Проверка счётчика символов.")  # the counter script runs
    if violations(page):
        found["section, signed in"] = violations(page)
    assert found == {}


def test_the_listener_hears_an_inline_style(csp_page):
    """Without this, a silent listener would let the test above pass whatever the pages do."""
    csp_page.goto("/en/", wait_until="load")
    csp_page.evaluate("document.body.setAttribute('style', 'color: red')")
    csp_page.wait_for_function("window.__csp.length > 0")
    assert any("style-src" in v for v in violations(csp_page))
    assert csp_page.evaluate("getComputedStyle(document.body).color") != "rgb(255, 0, 0)"


def test_stance_bar_widths_follow_the_counts(csp_page, discussed_law, article):
    release_db()
    csp_page.goto(f"/en/laws/{discussed_law.slug}/sections/{article.id}/", wait_until="load")
    bar = csp_page.locator("svg.stance-bar").bounding_box()
    widths = {
        stance: csp_page.locator(f"svg.stance-bar rect.stance-{stance}").bounding_box()["width"]
        for stance in ("support", "oppose", "amend", "neutral")
    }
    inner = sum(widths.values())
    assert inner == pytest.approx(bar["width"] - 2, abs=1.5)  # the bar's 1px border on each side
    # 2 supporting, 1 of each other stance: 2/5 and 1/5 of the bar.
    assert widths["support"] == pytest.approx(inner * 2 / 5, abs=1.5)
    assert widths["oppose"] == pytest.approx(inner / 5, abs=1.5)
    colours = {
        csp_page.locator(f"svg.stance-bar rect.stance-{stance}").evaluate("e => getComputedStyle(e).fill")
        for stance in widths
    }
    assert len(colours) == 4


def test_contents_are_indented_by_depth(csp_page, discussed_law):
    release_db()
    csp_page.goto(f"/ru/laws/{discussed_law.slug}/", wait_until="load")
    chapter = csp_page.locator(".toc li.depth-0").first.bounding_box()
    article = csp_page.locator(".toc li.depth-1").first
    padding = article.evaluate("e => parseFloat(getComputedStyle(e).paddingLeft)")
    assert padding == pytest.approx(0.8 * 16)
    text_x = csp_page.locator(".toc li.depth-1 a").first.bounding_box()["x"]
    assert text_x - chapter["x"] == pytest.approx(0.8 * 16, abs=1)


def test_rejection_bars_are_drawn(csp_page, discussed_law):
    release_db()
    csp_page.goto(f"/en/laws/{discussed_law.slug}/moderation", wait_until="load")
    bars = csp_page.locator("svg.bar")
    assert bars.count() == len(REJECTION_REASONS)  # one row per reason in the policy, used or not
    full = [row for row in csp_page.locator("tbody tr").all() if row.locator("td").nth(1).inner_text() == "1"]
    assert len(full) == 1  # the one spam rejection is 100% of the rejections
    svg = full[0].locator("svg.bar").bounding_box()
    rect = full[0].locator("svg.bar rect").last.bounding_box()
    assert svg["width"] > 10 and rect["width"] == pytest.approx(svg["width"], abs=1)
