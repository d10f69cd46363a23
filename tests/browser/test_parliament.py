"""An MP logs in, sees the committee's new summary marked unread, opens it, sees the heat map, downloads the PDF;
in Kazakh and in Russian, in a real browser, without a Content-Security-Policy violation.

With KENES_SCREENSHOTS=<dir> the test also saves the workspace and the summary at desktop and phone width there.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.conftest import log_in, release_db
from tests.conftest import DEFAULT_PASSWORD
from tests.summaries.conftest import discussion_law  # noqa: F401 (a fixture)
from tests.summaries.workspace import build, comment_on, submit

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""
SHOTS = os.environ.get("KENES_SCREENSHOTS")
WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def sent_summary(discussion_law, create_committee, create_user):  # noqa: F811
    """Summary No. 1 of the discussion draft, with an introduction and an edited part, sent to a committee."""
    from app.summaries.review import edit_snapshot, editable_parts

    law = discussion_law
    law.committee = create_committee()
    db.session.commit()
    comment_on(law, n=120)
    editor = create_user(role="editor", agency_id=law.agency_id)
    snapshot = build(law, editor)
    part = editable_parts(snapshot.data)[0]
    edit_snapshot(
        snapshot,
        introduction="Қоғамдық талқылау екі апта өтті. Пікірлердің көбі мерзімдерге қатысты.",
        texts={part.key: "Авторлар талқылау мерзімін ұзартуды сұрайды."},
    )
    submit(snapshot, editor)
    return law


def shoot(page, name: str) -> None:
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_mp_reads_the_committee_summary_and_downloads_the_pdf(lang, browser_page, sent_summary, create_user):
    page = browser_page
    page.context.add_init_script(LISTEN)
    mp = create_user(role="mp", committee_id=sent_summary.committee_id, locale=lang)
    email, slug = mp.email, sent_summary.slug
    release_db()
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})

    log_in(page, email, DEFAULT_PASSWORD, lang)
    page.goto(f"/{lang}/", wait_until="load")
    # The MP's way in is in the menu: the home page is not the same as an anonymous visitor's.
    with page.expect_navigation(wait_until="load"):
        page.locator(f".main-nav a[href='/{lang}/parliament/']").click()
    assert page.locator("html").get_attribute("lang") == lang

    item = page.locator(".summary-item").filter(
        has=page.locator(f"a[href='/{lang}/parliament/laws/{slug}/summaries/1/']")
    )
    expect(item).to_have_count(1)
    expect(item.locator(".badge-unread")).to_be_visible()
    shoot(page, f"parliament-index-{lang}")

    with page.expect_navigation(wait_until="load"):
        item.locator("a").first.click()
    heatmap = page.locator(".heatmap-wide svg.heatmap")
    expect(heatmap).to_be_visible()
    assert heatmap.locator("g.cell").count() >= 30  # an article per cell (the draft has 34)
    expect(page.locator(".heatmap-narrow svg.heatmap")).to_be_hidden()
    expect(page.locator(".edited-mark").first).to_be_visible()
    shoot(page, f"parliament-summary-{lang}")

    page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
    expect(page.locator(".heatmap-narrow svg.heatmap")).to_be_visible()
    expect(heatmap).to_be_hidden()
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})

    pdf = page.locator("a[data-format=pdf]")
    expect(pdf).to_have_attribute("href", f"/{lang}/summaries/{slug}/1.pdf")
    with page.expect_download() as download_info:
        pdf.click()
    download = download_info.value
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"

    page.goto(f"/{lang}/parliament/", wait_until="load")
    expect(page.locator(".summary-item .badge-unread")).to_have_count(0)
    assert page.evaluate("window.__csp") == []
