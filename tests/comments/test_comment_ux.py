"""Proposed wording starts from the current text, reads cleanly with its diff a click away; My comments controls."""

import html as htmllib
import re

import pytest
from sqlalchemy import func, select

from app.comments.models import Comment
from app.extensions import db
from app.laws.models import Section

POINT_2_RU = (
    "Операторы по обращению с бытовыми отходами рассматривают жалобы физических и юридических лиц "
    "в течение пятнадцати календарных дней со дня их поступления."
)


def section_url(section, lang="en"):
    return f"/{lang}/laws/{section.version.law.slug}/sections/{section.id}/"


def post_url(section, lang="en"):
    return section_url(section, lang) + "comments"


def point(article, number="2"):
    return db.session.scalar(select(Section).where(Section.parent_id == article.id, Section.number == number))


def wording_box(page: str) -> str:
    """The text the proposed-wording box holds on a page, unescaped."""
    match = re.search(r'<textarea[^>]*name="proposed_wording"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no proposed-wording box"
    return htmllib.unescape(match.group(1)).strip()


@pytest.mark.parametrize(("lang", "expected"), [("ru", "ru"), ("kk", "kk"), ("en", "ru")])
def test_wording_box_starts_with_the_point_text(client, auth, article, create_user, lang, expected):
    auth.login(create_user(), lang=lang)
    unit = point(article)
    box = wording_box(client.get(section_url(unit, lang)).get_data(as_text=True))
    assert box == getattr(unit, f"body_{expected}")
    # An article's box holds its points too, numbered as in the law, not just its (empty) own body.
    box = wording_box(client.get(section_url(article, lang)).get_data(as_text=True))
    assert box.startswith("1. ") and "\n2. " in box and "\n1) " in box


def test_unchanged_wording_is_refused_and_nothing_is_written(client, auth, article, create_user):
    auth.login(create_user())
    unit = point(article)
    # The same text with other line ends and spacing is still the same text.
    same = "  " + POINT_2_RU.replace(" в течение ", "\r\n в  течение ") + "\n"
    response = client.post(
        post_url(unit), data={"stance": "amend", "body": "Срок мал.", "proposed_wording": same, "client_token": "u"}
    )
    assert response.status_code == 400
    assert "Change the text to propose new wording." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_other_stances_ignore_the_prefilled_text(client, auth, article, create_user):
    auth.login(create_user())
    unit = point(article)
    response = client.post(
        post_url(unit),
        data={"stance": "support", "body": "Поддерживаю.", "proposed_wording": POINT_2_RU, "client_token": "s"},
    )
    assert response.status_code == 302
    comment = db.session.scalar(select(Comment))
    assert comment.stance == "support" and comment.proposed_wording is None


def test_proposal_shown_clean_with_the_diff_against_the_point(client, app, auth, article, create_user):
    app.config["PREMODERATION"] = False
    auth.login(create_user())
    unit = point(article)
    wording = POINT_2_RU.replace("пятнадцати", "десяти")
    response = client.post(
        post_url(unit),
        data={"stance": "amend", "body": "Короче.", "proposed_wording": wording, "lang": "ru", "client_token": "p"},
    )
    assert response.status_code == 302
    page = client.get(section_url(unit, "ru")).get_data(as_text=True)
    item = page[page.index('<article class="comment comment-approved"') :]
    clean = re.search(r'<div class="proposal-text" lang="ru">(.*?)</div>', item, re.S).group(1)
    assert clean == wording
    changes = re.search(r'<details class="proposal-changes">(.*?)</details>', item, re.S).group(1)
    assert "<del>пятнадцати</del>" in changes and "<ins>десяти</ins>" in changes
    # Against the point's own text: the article's other point is not struck through.
    assert "<del>" not in changes.replace("<del>пятнадцати</del>", "")


def test_edit_page_starts_from_the_text_and_refuses_it_unchanged(client, auth, article, create_comment, create_user):
    unit = point(article)
    comment = create_comment(unit, body="Не согласен.", stance="oppose", state="pending", lang="ru")
    auth.login(comment.author)
    page = client.get(f"/en/comments/{comment.id}/edit").get_data(as_text=True)
    assert wording_box(page) == POINT_2_RU
    response = client.post(
        f"/en/comments/{comment.id}/edit",
        data={"stance": "amend", "body": "Не согласен.", "proposed_wording": POINT_2_RU, "lang": "ru"},
    )
    assert response.status_code == 200 and "Change the text to propose new wording." in response.get_data(as_text=True)
    db.session.refresh(comment)
    assert comment.stance == "oppose" and comment.proposed_wording is None


def card(page: str, comment_id: int) -> str:
    start = page.index(f'id="c{comment_id}"')
    end = page.find("</article>", start)
    return page[start:end]


@pytest.mark.parametrize("lang", ["en", "kk", "ru"])
def test_my_comments_buttons_have_distinct_names(client, auth, article, create_user, create_comment, lang):
    from flask_babel import force_locale, gettext

    user = create_user(locale=lang)
    pending = create_comment(article, author=user, body="Жду проверки.", state="pending")
    auth.login(user, lang=lang)
    page = client.get(f"/{lang}/my/comments").get_data(as_text=True)
    item = card(page, pending.id)
    with force_locale(lang):
        edit, change = gettext("Edit comment"), gettext("Change language")
    assert f">{edit}</a>" in item and f">{change}</button>" in item
    names = [htmllib.unescape(n).strip() for n in re.findall(r"<button[^>]*>(.*?)</button>", item, re.S)]
    names += [htmllib.unescape(n).strip() for n in re.findall(r"<a [^>]*>(.*?)</a>", item, re.S)]
    assert len(names) == len(set(names)), f"two controls share a name: {names}"
    assert item.count("<select") == 1 and 'id="csrf_token"' not in page


def test_language_control_only_while_the_comment_is_in_play(client, auth, article, create_user, create_comment):
    from app.comments.services import withdraw_comment

    user = create_user()
    published = create_comment(article, author=user, body="Опубликован.")
    withdrawn = create_comment(article, author=user, body="Отозван.")
    withdraw_comment(withdrawn, user=user)
    db.session.commit()
    auth.login(user)
    page = client.get("/en/my/comments").get_data(as_text=True)
    assert "Change language" in card(page, published.id)
    assert "<select" not in card(page, withdrawn.id) and "Change language" not in card(page, withdrawn.id)
