"""Issue 15, items 4, 5 and 11 in a real browser, in Kazakh and in Russian, at desktop and at phone width:
the proposed wording starts from the point's text and reads cleanly with its diff a click away; My comments has
one control per name; a draft lacking the reader's language is shown in the configured next one, with a notice.
"""

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from app.comments.models import Comment
from app.extensions import db
from app.laws.models import Section
from tests.browser.conftest import log_in, release_db
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# Point 2 of article 10: the complaint deadline, "fifteen" days in both languages.
FIFTEEN = {"kk": "он бес", "ru": "пятнадцати"}
TEN = {"kk": "жеті", "ru": "десяти"}
REASON = {"kk": "Он бес күн тым ұзақ, жеті күн жеткілікті.", "ru": "Пятнадцать дней слишком долго, хватит десяти."}


def tr(lang: str, message: str) -> str:
    with force_locale(lang):
        return gettext(message)


def fits_the_screen(page, name: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the screen"
    assert page.evaluate("window.__csp") == [], f"{name}: Content-Security-Policy violations"


@pytest.fixture
def point(article):
    return db.session.scalar(select(Section).where(Section.parent_id == article.id, Section.number == "2"))


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_proposed_wording_starts_from_the_text_and_reads_cleanly(
    lang, width, browser_page, point, create_user, create_comment
):
    page = browser_page
    page.context.add_init_script(LISTEN)
    page.set_viewport_size(WIDTHS[width])
    citizen = create_user(locale=lang)
    current = getattr(point, f"body_{lang}")
    # The demo's kind of proposal: one sentence standing for a longer text, which as a diff is all strike-through.
    rewrite = create_comment(point, body="Қысқарақ.", stance="amend", proposed_wording=REASON[lang], lang=lang)
    email, slug, section_id, rewrite_id = citizen.email, point.version.law.slug, point.id, rewrite.id
    release_db()

    log_in(page, email, DEFAULT_PASSWORD, lang)
    page.goto(f"/{lang}/laws/{slug}/sections/{section_id}/", wait_until="load")
    form = page.locator("form.comment-form")
    box = form.locator("textarea[name=proposed_wording]")
    expect(box).to_have_value(current)

    # Proposing the text as it stands proposes nothing: refused, with the reason next to the box.
    form.locator("input[name=stance][value=amend]").check()
    form.locator("textarea[name=body]").fill(REASON[lang])
    with page.expect_navigation(wait_until="load"):
        form.locator("[type=submit]").click()
    expect(page.locator("#proposed_wording-error")).to_have_text(tr(lang, "Change the text to propose new wording."))
    fits_the_screen(page, f"refused-{lang}-{width}")
    db.session.expire_all()
    assert db.session.scalar(select(Comment.id).where(Comment.author_id == citizen.id)) is None
    release_db()

    # Edit the text in the box: the citizen's comment shows the wording as written, the diff behind a click.
    wording = current.replace(FIFTEEN[lang], TEN[lang])
    form = page.locator("form.comment-form")
    form.locator("textarea[name=proposed_wording]").fill(wording)
    with page.expect_navigation(wait_until="load"):
        form.locator("[type=submit]").click()
    mine = page.locator("article.comment-pending").filter(has_text=REASON[lang])
    expect(mine).to_have_count(1)
    expect(mine.locator(".proposal > .proposal-text")).to_have_text(wording)
    changes = mine.locator("details.proposal-changes")
    expect(changes.locator("del")).to_be_hidden()
    changes.locator("summary").click()
    expect(changes.locator("del").first).to_be_visible()
    assert " ".join(changes.locator("del").all_inner_texts()).split() == FIFTEEN[lang].split()
    assert " ".join(changes.locator("ins").all_inner_texts()).split() == TEN[lang].split()
    expect(changes.locator("summary")).to_have_text(tr(lang, "Show changes"))
    fits_the_screen(page, f"proposal-{lang}-{width}")

    # Someone else's one-sentence rewrite reads as written, not as a strike-through of the whole point.
    other = page.locator(f"#c{rewrite_id}")
    expect(other.locator(".proposal > .proposal-text")).to_have_text(REASON[lang])
    expect(other.locator("del").first).to_be_hidden()

    db.session.expire_all()
    stored = db.session.scalar(select(Comment).where(Comment.author_id == citizen.id))
    assert (stored.stance, stored.proposed_wording) == ("amend", wording)
    release_db()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_my_comments_has_one_control_per_name(lang, width, browser_page, article, create_user, create_comment):
    page = browser_page
    page.context.add_init_script(LISTEN)
    page.set_viewport_size(WIDTHS[width])
    citizen = create_user(locale=lang)
    pending = create_comment(article, author=citizen, body=REASON[lang], state="pending", lang=lang)
    email, pending_id = citizen.email, pending.id
    release_db()

    log_in(page, email, DEFAULT_PASSWORD, lang)
    page.goto(f"/{lang}/my/comments", wait_until="load")
    card = page.locator(f"#c{pending_id}")
    controls = card.locator(".actions").locator("a, button")
    names = [name.strip() for name in controls.all_inner_texts()]
    assert tr(lang, "Edit comment") in names and tr(lang, "Change language") in names
    assert len(names) == len(set(names)), f"two controls share a name on the card: {names}"
    expect(card.locator("select")).to_have_count(1)
    fits_the_screen(page, f"mine-{lang}-{width}")

    # The one language control: its label names the select, its button changes the language.
    other = "en"
    card.get_by_label(tr(lang, "Language:")).select_option(other)
    with page.expect_navigation(wait_until="load"):
        card.get_by_role("button", name=tr(lang, "Change language")).click()
    expect(page.locator(f"#c{pending_id} select")).to_have_value(other)
    db.session.expire_all()
    assert db.session.get(Comment, pending_id).lang == other
    release_db()

    # "Edit comment" leads to the edit form of this comment.
    with page.expect_navigation(wait_until="load"):
        page.locator(f"#c{pending_id}").get_by_role("link", name=tr(lang, "Edit comment")).click()
    assert page.url.endswith(f"/{lang}/comments/{pending_id}/edit")


NOTICES = {
    "en": "You are reading the Russian text: this draft has no English version.",
    "kk": "You are reading the Russian text: this draft has no Kazakh version.",
    "ru": "You are reading the Kazakh text: this draft has no Russian version.",
}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["en", "kk", "ru"])
def test_reader_is_told_which_language_the_draft_is_in(lang, width, browser_page, waste_law, create_law_from):
    page = browser_page
    page.context.add_init_script(LISTEN)
    page.set_viewport_size(WIDTHS[width])
    # English readers of the Kazakh and Russian draft read Russian; a reader of a draft only in the other one reads it.
    shown = {"en": "ru", "kk": "ru", "ru": "kk"}[lang]
    if lang == "en":
        slug = waste_law.slug
    else:
        slug = create_law_from([(shown, f"air-quality.{shown}.txt")], slug="air-quality").slug
    release_db()

    page.goto(f"/{lang}/laws/{slug}/", wait_until="load")
    assert page.locator("html").get_attribute("lang") == lang
    expect(page.locator("article.law-text-view")).to_have_attribute("lang", shown)
    notice = page.locator(".fallback-notice")
    expect(notice).to_be_visible()
    expect(notice).to_have_text(tr(lang, NOTICES[lang]))
    fits_the_screen(page, f"law-{lang}-{width}")
