"""A citizen follows their comment to the agency's answer and to the change it made, in My comments, in Kazakh and
in Russian, in a real browser: at phone width nothing runs off the screen and the page breaks no CSP rule.

With KENES_SCREENSHOTS=<dir> the test also saves My comments, the comment page and the section page at 390 px there.
"""

import os
from pathlib import Path

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from app.answers import services
from app.answers.labels import DECISION_LABELS
from app.extensions import db
from tests.browser.conftest import log_in, release_db
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""
SHOTS = os.environ.get("KENES_SCREENSHOTS")
PHONE = {"width": 390, "height": 844}
COMMENT = "Шағымды отыз күн қарау тым ұзақ, мерзімді қысқарту керек."
REASONING = {
    "kk": "Ұсыныс ішінара ескерілді: шағымдарды қарау мерзімі он бес күнге дейін қысқартылды.",
    "ru": "Предложение учтено частично: срок рассмотрения жалоб сокращён до пятнадцати дней.",
}
# Version 2 says "fifteen" where version 1 said "thirty" (article 11, point 2 became article 10, point 2).
INSERTED = {"kk": "он бес", "ru": "пятнадцати"}


@pytest.fixture
def answered_comment(open_law, create_user, create_comment):
    """A citizen's comment on version 1, partly accepted in kk and ru, traced to the point that changed in version 2."""
    citizen = create_user(locale="kk")
    point = next(s for s in open_law.versions[0].sections if s.key == "article:11/point:2")
    comment = create_comment(point, author=citizen, body=COMMENT, stance="oppose")
    editor = create_user("editor", agency=open_law.agency)
    answer = services.answer_comments(
        open_law, [comment], user=editor, decision="partly_accepted", reasoning=dict(REASONING)
    )
    changed = next(c.section for c in services.changed_units(open_law, 1) if c.section.key == "article:10/point:2")
    services.trace_answer(answer, changed, user=editor)
    db.session.commit()
    return comment


def _label(lang: str) -> str:
    with force_locale(lang):
        return str(DECISION_LABELS["partly_accepted"])


def _check_phone_layout(page, name: str) -> None:
    """Nothing wider than a phone screen; the CSP was kept; a screenshot when asked."""
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than a 390px screen"
    assert page.evaluate("window.__csp") == [], f"{name}: Content-Security-Policy violations"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"answers-{name}.png"), full_page=True)


def test_citizen_sees_comment_answer_and_diff_in_my_comments(browser_page, answered_comment):
    page = browser_page
    page.context.add_init_script(LISTEN)
    page.set_viewport_size(PHONE)
    comment_id, section_id, email = answered_comment.id, answered_comment.section_id, answered_comment.author.email
    release_db()

    log_in(page, email, DEFAULT_PASSWORD, "kk")
    for lang, other in (("kk", "ru"), ("ru", "kk")):
        page.goto(f"/{lang}/my/comments", wait_until="load")
        assert page.locator("html").get_attribute("lang") == lang
        item = page.locator(f"#c{comment_id}")
        expect(item.locator(".comment-body")).to_contain_text(COMMENT)
        answer = item.locator(".answer")
        expect(answer.locator(".decision")).to_have_text(_label(lang))
        expect(answer.locator(".answer-reasoning")).to_have_text(REASONING[lang])
        expect(answer).not_to_contain_text(REASONING[other])
        inserted = answer.locator(".answer-diff ins").filter(has_text=INSERTED[lang])
        expect(inserted).to_be_visible()
        expect(answer.locator(".answer-diff del").first).to_be_visible()
        _check_phone_layout(page, f"mine-{lang}")

        page.goto(f"/{lang}/comments/{comment_id}/answer", wait_until="load")
        expect(page.locator(".answer .answer-diff ins").filter(has_text=INSERTED[lang])).to_be_visible()
        _check_phone_layout(page, f"comment-{lang}")

        page.goto(f"/{lang}/laws/household-waste/sections/{section_id}/", wait_until="load")
        link = page.locator(f"#c{comment_id} .answer-change a[href='/{lang}/comments/{comment_id}/answer']")
        expect(link).to_be_visible()
        _check_phone_layout(page, f"section-{lang}")
