"""Accessibility in a real browser: axe-core finds nothing on the ten most used pages in kk, ru and en, at desktop
and phone widths, and a keyboard alone takes a citizen from the home page to a posted comment.

axe-core comes from the axe-playwright-python package (its bundled axe.min.js), evaluated through the DevTools
protocol, so the page's Content-Security-Policy stays as strict as in production. Every rule runs, best practices
included: a violation of any impact fails the test. With KENES_SCREENSHOTS=<dir> the section and search pages are saved
there as ui-a11y-*.png.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from app.answers import services as answers
from app.comments.models import Comment
from app.extensions import db
from app.moderation.decisions import decide
from tests.browser.conftest import log_in, release_db
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("KENES_SCREENSHOTS")  # a folder for screenshots, when asked for
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Off by default in axe-core, on here: the issue's own findings (duplicate ids, "#" links named otherwise) and
# the table and heading checks still marked experimental.
EXTRA_RULES = [
    "duplicate-id",
    "duplicate-id-active",
    "label-content-name-mismatch",
    "p-as-heading",
    "table-fake-caption",
    "td-has-header",
    "css-orientation-lock",
    "focus-order-semantics",
]
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {rule: {"enabled": True} for rule in EXTRA_RULES}}
SEARCH = {"kk": "шағым", "ru": "жалоб", "en": "жалоб"}  # the draft has no English text


@pytest.fixture
def discussed(open_law, article, create_user, create_comment):
    """The open law with published comments of each stance, one answered, and a citizen with a notification."""
    citizen = create_user(locale="kk", display_name="Айгерім Сәрсенова")
    own = create_comment(article, author=citizen, body="Шағым беру мерзімін отыз күнге дейін ұзартқан жөн.")
    for stance in ("support", "oppose", "neutral"):
        create_comment(article, body=f"Пікір: {stance}.", stance=stance)
    create_comment(
        article, body="Срок подачи жалобы — тридцать дней.", stance="amend", proposed_wording="Срок — тридцать дней."
    )
    moderator = create_user(role="moderator")
    for reason in ("spam", "off_topic"):
        rejected = create_comment(article, body="Көрнекі жарнама.", state="pending")
        decide(rejected, actor=moderator, action="reject", reason=reason, seen_version=rejected.version)
    editor = create_user("editor", agency=open_law.agency)
    answers.answer_comments(
        open_law, [own], user=editor, decision="accepted", reasoning={"kk": "Ескерілді.", "ru": "Учтено."}
    )
    db.session.commit()
    return citizen


def _pages(slug: str, section_id: int, lang: str) -> dict[str, str]:
    return {
        "home": f"/{lang}/",
        "drafts": f"/{lang}/laws/",
        "draft": f"/{lang}/laws/{slug}/",
        "section": f"/{lang}/laws/{slug}/sections/{section_id}/",
        "search": f"/{lang}/search/?q={SEARCH[lang]}",
        "figures": f"/{lang}/figures/",
        "moderation figures": f"/{lang}/laws/{slug}/moderation",
        "login": f"/{lang}/auth/login",
        "register": f"/{lang}/auth/register",
    }


def _signed_in_pages(lang: str) -> dict[str, str]:
    return {"mine": f"/{lang}/my/comments", "notifications": f"/{lang}/notifications/"}


def _axe_violations(page, axe: Axe) -> list[str]:
    results = axe.run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node['html'][:160]}"
        for v in results.response["violations"]
        for node in v["nodes"]
    ]


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_most_used_pages_have_no_axe_violations(width, runner, browser_page, discussed, article):
    page = browser_page
    page.set_viewport_size(PHONE if width == "phone" else DESKTOP)
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0  # results on the search page
    email, slug, section_id = discussed.email, article.version.law.slug, article.id
    release_db()
    axe = Axe()
    found = {}
    for lang in ("kk", "ru", "en"):
        for name, url in _pages(slug, section_id, lang).items():
            page.goto(url, wait_until="load")
            if problems := _axe_violations(page, axe):
                found[f"{lang} {name}"] = problems
            if SHOTS and name in ("section", "search"):
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(SHOTS) / f"ui-a11y-{name}-{lang}-{width}.png"), full_page=True)
    for lang in ("kk", "ru", "en"):
        log_in(page, email, DEFAULT_PASSWORD, lang)
        pages = _signed_in_pages(lang) | {"section (signed in)": f"/{lang}/laws/{slug}/sections/{section_id}/"}
        for name, url in pages.items():
            page.goto(url, wait_until="load")
            if problems := _axe_violations(page, axe):
                found[f"{lang} {name}"] = problems
        if width == "phone":  # the folded menu hides its links from axe: check them open too
            page.locator("[data-nav-toggle]").click()
            if problems := _axe_violations(page, axe):
                found[f"{lang} menu open"] = problems
        page.context.clear_cookies()  # signed out for the next language's sign-in
    assert found == {}, "\n".join(f"{where}: {problem}" for where, problems in found.items() for problem in problems)


KEYBOARD_TEXT = {
    "kk": "Шағым беру мерзімін отыз күнге дейін ұзарту керек, он күн аз.",
    "ru": "Срок подачи жалобы нужно продлить до тридцати дней, десяти мало.",
}


def tab_to(page, selector: str, limit: int = 400) -> None:
    """Press Tab until the focus is on `selector`; the focused element must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("sel => document.activeElement.matches(sel)", selector):
            focused = page.locator(":focus")
            assert focused.is_visible(), f"{selector} has the focus but cannot be seen"
            outline = focused.evaluate("el => getComputedStyle(el).outlineStyle")
            assert outline != "none", f"{selector} has the focus but no focus ring"
            return
    raise AssertionError(f"{limit} presses of Tab never reached {selector} on {page.url}")


def press_and_wait(page, key: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


@pytest.mark.parametrize(("lang", "width"), [("kk", "desktop"), ("ru", "phone"), ("ru", "desktop"), ("kk", "phone")])
def test_keyboard_alone_goes_from_the_home_page_to_a_posted_comment(lang, width, browser_page, create_user, article):
    page = browser_page
    page.set_viewport_size(PHONE if width == "phone" else DESKTOP)
    citizen = create_user(locale=lang)
    email, citizen_id, slug, section_id = citizen.email, citizen.id, article.version.law.slug, article.id
    release_db()

    page.goto(f"/{lang}/", wait_until="load")
    tab_to(page, ".skip-link")  # the first stop skips the header
    if width == "phone":  # the menu is folded: open it with the keyboard
        tab_to(page, "[data-nav-toggle]")
        page.keyboard.press("Space")
        assert page.locator("[data-nav-toggle]").get_attribute("aria-expanded") == "true"
    tab_to(page, f"#main-nav a[href='/{lang}/auth/login']")
    press_and_wait(page, "Enter")
    tab_to(page, "input[name=email]")
    page.keyboard.type(email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(DEFAULT_PASSWORD)
    tab_to(page, "main form button[type=submit]")
    press_and_wait(page, "Enter")
    assert "/auth/login" not in page.url

    tab_to(page, "a.brand")
    press_and_wait(page, "Enter")
    assert page.url.endswith(f"/{lang}/")
    tab_to(page, f"main a[href='/{lang}/laws/{slug}/']")  # the draft's card
    press_and_wait(page, "Enter")
    tab_to(page, f"main a.comment-link[href='/{lang}/laws/{slug}/sections/{section_id}/']")  # its article 10
    press_and_wait(page, "Enter")
    assert page.locator("h1").count() == 1

    tab_to(page, "form.comment-form input[name=stance]")  # the first stance; Space chooses it
    page.keyboard.press("Space")
    tab_to(page, "form.comment-form textarea[name=body]")
    page.keyboard.type(KEYBOARD_TEXT[lang])
    tab_to(page, "form.comment-form input[type=submit]")
    press_and_wait(page, "Enter")
    mine = page.locator("article.comment-pending").filter(has_text=KEYBOARD_TEXT[lang])
    assert mine.count() == 1

    db.session.expire_all()
    stored = db.session.scalars(db.select(Comment).where(Comment.author_id == citizen_id)).all()
    assert [(c.section_id, c.stance, c.body) for c in stored] == [(section_id, "support", KEYBOARD_TEXT[lang])]
    release_db()


DUPLICATE_IDS = """() => {
  const ids = [...document.querySelectorAll('[id]')].map(el => el.id);
  return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}"""


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_issue_findings_one_h1_unique_ids_named_search_forms_and_anchor_links(
    lang, width, runner, browser_page, discussed, article, create_user, create_comment
):
    page = browser_page
    page.set_viewport_size(PHONE if width == "phone" else DESKTOP)
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    moderator = create_user(role="moderator")
    pending = create_comment(article, body="Мерзімді ұзарту керек.", state="pending")
    email, slug, section_id, pending_id = discussed.email, article.version.law.slug, article.id, pending.id
    moderator_email = moderator.email
    release_db()

    log_in(page, email, DEFAULT_PASSWORD, lang)
    page.goto(f"/{lang}/laws/{slug}/sections/{section_id}/", wait_until="load")
    h1 = page.locator("h1")
    assert h1.count() == 1
    label = h1.inner_text().split(".")[0]  # "10-бап", "Статья 10"
    assert "10" in label
    assert page.locator("form.vote-form").count() >= 4, "the forms whose CSRF ids used to repeat are there"
    assert page.evaluate(DUPLICATE_IDS) == []
    # The "#" is drawn, not read: the link is named after the part it points to.
    expect(h1.locator("a.anchor-link")).to_have_accessible_name(re.compile(re.escape(label)))
    page.goto(f"/{lang}/laws/{slug}/", wait_until="load")
    anchors = page.locator("a.anchor-link")
    assert anchors.count() > 5
    for i in range(anchors.count()):
        heading = anchors.nth(i).locator("xpath=..").inner_text().split(".")[0].strip()
        expect(anchors.nth(i)).to_have_accessible_name(re.compile(re.escape(heading)))

    page.goto(f"/{lang}/search/?q={SEARCH[lang]}", wait_until="load")
    searches = page.get_by_role("search")
    assert searches.count() == 2
    names = [searches.nth(i).get_attribute("aria-label") for i in range(2)]
    assert all(names) and names[0] != names[1], names

    page.context.clear_cookies()
    log_in(page, moderator_email, DEFAULT_PASSWORD, lang)
    page.goto(f"/{lang}/moderation/comments/{pending_id}", wait_until="load")
    assert page.locator("form textarea[name=reason], form select[name=reason]").count() >= 2
    assert page.evaluate(DUPLICATE_IDS) == []
