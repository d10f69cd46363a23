"""A citizen comments, votes and replies on a section page in a real browser, in Kazakh and in Russian."""

import re

import pytest
from playwright.sync_api import expect

from app.comments.models import Comment, CommentState, Vote
from app.extensions import db
from tests.browser.conftest import log_in, release_db
from tests.conftest import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

TEXTS = {
    "kk": {
        "other": "Шағым беру мерзімін отыз күнге дейін ұзартқан жөн.",
        "comment": "Бұл бапқа қарсымын: он күн шағым беруге тым аз, азаматтар үлгермейді.",
        "reply": "Келісемін, мерзімді ұзарту керек.",
    },
    "ru": {
        "other": "Срок подачи жалобы стоит продлить до тридцати дней.",
        "comment": "Я против этой статьи: десяти дней на жалобу слишком мало, граждане не успеют.",
        "reply": "Согласен, срок нужно продлить.",
    },
}


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_citizen_votes_replies_and_comments(lang, app, live_server, browser_page, create_user, create_comment, article):
    page = browser_page
    texts = TEXTS[lang]
    other = create_comment(article, body=texts["other"], stance="support")
    citizen = create_user(locale=lang)
    email, other_id, section_id, slug = citizen.email, other.id, article.id, article.version.law.slug
    release_db()
    section_path = f"/{lang}/laws/{slug}/sections/{section_id}/"

    log_in(page, email, DEFAULT_PASSWORD, lang)
    page.goto(section_path, wait_until="load")
    assert page.locator("html").get_attribute("lang") == lang
    other_item = page.locator(f"#c{other_id}")
    expect(other_item.locator(":scope > .comment-body")).to_contain_text(texts["other"])

    # Agree with the other citizen's comment: after the reload the button is pressed and counts the vote.
    agree = other_item.locator(":scope > .comment-actions form.vote-form button[name=value]").first
    assert agree.get_attribute("aria-pressed") == "false"
    assert agree.get_attribute("value") == "1"
    count_before = _count(agree.inner_text())
    with page.expect_navigation(wait_until="load"):
        agree.click()
    page.reload(wait_until="load")
    agree = page.locator(f"#c{other_id} > .comment-actions form.vote-form button[name=value]").first
    assert agree.get_attribute("aria-pressed") == "true"
    assert _count(agree.inner_text()) == count_before + 1
    assert agree.get_attribute("value") == "0", "pressing Agree again takes the vote back"

    # Reply to it: the reply waits for moderation and its author sees it under the parent with a badge.
    reply_box = page.locator(f"#c{other_id} > details.reply-box")
    reply_box.locator(":scope > summary").click()
    reply_field = reply_box.locator("textarea[name=body]")
    expect(reply_field).to_be_visible()
    reply_field.fill(texts["reply"])
    expect(page.locator(f"#reply-{other_id}-count")).to_have_text(f"{len(texts['reply'])} / 5000")
    with page.expect_navigation(wait_until="load"):
        reply_box.locator("button[type=submit]").click()
    reply = page.locator(f"#c{other_id} > article.comment-reply").filter(has_text=texts["reply"])
    expect(reply).to_have_count(1)
    expect(reply.locator(".comment-body")).to_have_text(texts["reply"])
    _expect_pending_badge(reply)

    # A comment of one's own: choose "oppose", watch the counter, post, see it awaiting moderation.
    form = page.locator("form.comment-form")
    form.locator("input[name=stance][value=oppose]").check()
    body = form.locator("textarea[name=body]")
    body.press_sequentially("Сәлем, әлем!")  # 12 characters, typed key by key
    expect(page.locator("#body-count")).to_have_text("12 / 5000")
    body.fill(texts["comment"])
    expect(page.locator("#body-count")).to_have_text(f"{len(texts['comment'])} / 5000")
    with page.expect_navigation(wait_until="load"):
        form.locator("[type=submit]").click()
    assert page.locator("html").get_attribute("lang") == lang
    mine = page.locator("article.comment-pending").filter(has_text=texts["comment"])
    expect(mine).to_have_count(1)
    expect(mine.locator(".stance")).to_have_class(re.compile(r"\bstance-oppose\b"))
    _expect_pending_badge(mine)

    # What the browser did is what the database holds.
    db.session.expire_all()
    own = db.session.scalars(db.select(Comment).where(Comment.author_id == citizen.id).order_by(Comment.id)).all()
    assert [(c.parent_id, c.stance, c.state, c.body) for c in own] == [
        (other_id, "neutral", CommentState.PENDING, texts["reply"]),
        (None, "oppose", CommentState.PENDING, texts["comment"]),
    ]
    assert db.session.scalar(db.select(Vote.value).where(Vote.user_id == citizen.id, Vote.comment_id == other_id)) == 1
    release_db()


def _count(label: str) -> int:
    """The number on a vote button ("Келісемін · 3" → 3)."""
    match = re.search(r"(\d+)\s*$", label.strip())
    assert match, f"no count on the button {label!r}"
    return int(match.group(1))


def _expect_pending_badge(comment) -> None:
    badge = comment.locator(":scope > .comment-head .badge-pending")
    expect(badge).to_be_visible()
    assert badge.inner_text().strip(), "the pending badge has no text"
