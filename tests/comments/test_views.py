"""The section page and what a citizen sees and does there."""

import re

import pytest
from sqlalchemy import func, insert, select

from app.comments.models import Comment
from app.db import utcnow
from app.extensions import db


def section_url(article, lang="en"):
    return f"/{lang}/laws/{article.version.law.slug}/sections/{article.id}/"


def post_url(article, lang="en"):
    return f"/{lang}/laws/{article.version.law.slug}/sections/{article.id}/comments"


def test_post_shows_pending_badge_to_the_author_only(client, auth, article, create_user):
    author = create_user()
    auth.login(author)
    response = client.post(
        post_url(article), data={"stance": "oppose", "body": "Пятнадцать дней мало.", "client_token": "abc"}
    )
    assert response.status_code == 302 and "#c" in response.location
    html = client.get(section_url(article)).get_data(as_text=True)
    assert "Awaiting moderation" in html and "Пятнадцать дней мало." in html
    auth.logout()
    auth.login(create_user())
    html = client.get(section_url(article)).get_data(as_text=True)
    assert "Пятнадцать дней мало." not in html
    assert "No published comments on this part yet." in html


def test_anonymous_users_are_asked_to_log_in(client, article):
    html = client.get(section_url(article)).get_data(as_text=True)
    assert "Log in to comment." in html and 'name="body"' not in html
    response = client.post(post_url(article), data={"stance": "support", "body": "x", "client_token": "t"})
    assert response.status_code == 302 and "/auth/login" in response.location


def test_a_post_through_another_drafts_address_or_to_a_hidden_draft_is_not_found(
    client, auth, article, create_user, create_law_from
):
    """The section must belong to the draft of the address, and the draft be visible to the author: 404 otherwise."""
    other = create_law_from([("ru", "waste.v1.ru.txt")], slug="second-draft", status="open")
    auth.login(create_user())
    data = {"stance": "support", "body": "Срок надо продлить.", "client_token": "t1"}
    wrong = f"/en/laws/{other.slug}/sections/{article.id}/comments"
    assert client.post(wrong, data=data).status_code == 404
    assert client.post(f"/en/laws/no-such-draft/sections/{article.id}/comments", data=data).status_code == 404
    # The page and the post share the rule: another draft's address, or an id past any column, is not found.
    assert client.get(wrong.removesuffix("comments")).status_code == 404
    assert client.get(f"/en/laws/{other.slug}/sections/{2**40}/").status_code == 404
    article.version.law.status = "draft"  # still in preparation: only its agency's editors see it
    db.session.commit()
    assert client.post(post_url(article), data=data).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_closed_consultation_has_no_form_and_refuses_posts(client, auth, article, create_user, open_law):
    open_law.status = "closed"
    db.session.commit()
    auth.login(create_user())
    html = client.get(section_url(article)).get_data(as_text=True)
    assert 'name="body"' not in html and "consultation is not open" in html
    response = client.post(post_url(article), data={"stance": "support", "body": "Поздно.", "client_token": "t"})
    assert response.status_code == 403
    assert "consultation is not open" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_too_long_comment_keeps_the_text(client, auth, article, create_user):
    auth.login(create_user())
    body = "ә" * 5001
    response = client.post(post_url(article), data={"stance": "support", "body": body, "client_token": "t"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Field cannot be longer than 5000 characters." in html
    assert body in html  # the typed text is still in the form
    assert db.session.scalar(select(func.count(Comment.id))) == 0


def test_text_round_trips_byte_for_byte(client, auth, app, article, create_user):
    app.config["PREMODERATION"] = False
    auth.login(create_user())
    body = "Заңның 10-бабы: «он бес күн» — мало 👍🏽 مرحبا بالعالم שלום\nвторая строка"
    client.post(post_url(article), data={"stance": "neutral", "body": body, "client_token": "rt"})
    stored = db.session.scalar(select(Comment.body))
    assert stored.encode("utf-8") == body.encode("utf-8")
    html = client.get(section_url(article)).get_data(as_text=True)
    assert "мало 👍🏽 مرحبا بالعالم שלום" in html
    api = client.get(f"/api/v1/sections/{article.id}/comments").json
    assert api["items"][0]["body"] == body


def test_retried_post_creates_one_comment(client, auth, article, create_user):
    auth.login(create_user())
    data = {"stance": "support", "body": "Поддерживаю.", "client_token": "retry-1"}
    first = client.post(post_url(article), data=data)
    second = client.post(post_url(article), data=data)
    assert first.location == second.location
    assert db.session.scalar(select(func.count(Comment.id))) == 1


def test_proposed_wording_is_shown_as_a_diff(client, app, auth, article, create_user):
    app.config["PREMODERATION"] = False
    auth.login(create_user())
    original = article.body_ru or ""
    wording = original.replace("пятнадцати", "десяти") or "Новый текст статьи."
    client.post(
        post_url(article),
        data={"stance": "amend", "body": "Короче.", "proposed_wording": wording, "lang": "ru", "client_token": "p"},
    )
    html = client.get(section_url(article, "ru")).get_data(as_text=True)
    assert "Предлагаемая редакция" in html
    assert "<ins>" in html


def test_stance_counts_and_sorting(client, article, create_comment, create_user):
    from app.comments.reactions import vote

    quiet = create_comment(article, body="Первый", stance="support")
    popular = create_comment(article, body="Второй", stance="oppose")
    create_comment(article, body="Третий", stance="oppose")
    for _ in range(3):
        vote(popular, user=create_user(), value=1)
    vote(quiet, user=create_user(), value=-1)
    db.session.commit()
    html = client.get(section_url(article)).get_data(as_text=True)
    assert re.search(r"Supports: <strong>1</strong>", html) and re.search(r"Opposes: <strong>2</strong>", html)
    newest = client.get(section_url(article) + "?sort=newest").get_data(as_text=True)
    assert newest.index("Третий") < newest.index("Второй") < newest.index("Первый")
    agreed = client.get(section_url(article) + "?sort=agreed").get_data(as_text=True)
    assert agreed.index("Второй") < agreed.index("Третий") < agreed.index("Первый")


def test_vote_buttons_work_without_javascript(client, auth, article, create_comment, create_user):
    comment = create_comment(article)
    auth.login(create_user())
    client.post(f"/en/comments/{comment.id}/vote", data={"value": "1"})
    db.session.refresh(comment)
    assert comment.agree_count == 1
    html = client.get(section_url(article)).get_data(as_text=True)
    assert 'aria-pressed="true"' in html


def test_reply_and_flag(client, app, auth, article, create_comment, create_user):
    app.config["PREMODERATION"] = False
    comment = create_comment(article)
    auth.login(create_user())
    client.post(post_url(article), data={"parent_id": str(comment.id), "body": "Согласен с вами.", "client_token": "r"})
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == comment.id))
    assert reply is not None and reply.depth == 1
    html = client.get(section_url(article)).get_data(as_text=True)
    assert html.index("Согласен с вами.") > html.index(f'id="c{comment.id}"')
    assert client.get(f"/en/comments/{comment.id}/flag").status_code == 200
    response = client.post(f"/en/comments/{comment.id}/flag", data={"reason": "spam"}, follow_redirects=True)
    assert "The moderators will look at this comment." in response.get_data(as_text=True)


def test_load_more_in_batches(client, app, article, create_user):
    app.config["COMMENTS_BATCH"] = 5
    bulk_comments(article, create_user(), 12)
    first = client.get(section_url(article)).get_data(as_text=True)
    assert first.count('class="comment comment-approved"') == 5
    assert "offset=5" in first
    fragment = client.get(section_url(article) + "?offset=10&fragment=1").get_data(as_text=True)
    assert fragment.count('class="comment comment-approved"') == 2 and "<html" not in fragment
    assert "Load more comments" not in fragment


def bulk_comments(
    section, author, n: int, body: str = "Комментарий номер {n}: срок нужно обсудить ещё раз.", prefix: str = "bulk"
) -> None:
    now = utcnow()
    rows = [
        {
            "law_id": section.version.law_id,
            "section_id": section.id,
            "author_id": author.id,
            "depth": 0,
            "stance": ("support", "oppose", "neutral", "amend")[i % 4],
            "body": body.format(n=i),
            "body_html": f"<p>{body.format(n=i)}</p>",
            "lang": "ru",
            "lang_detected": "ru",
            "state": "approved",
            "client_token": f"{prefix}-{i}",
            "agree_count": i % 7,
            "disagree_count": i % 3,
            "score": (i % 7) / 10,
            "created_at": now,
            "updated_at": now,
            "published_at": now,
        }
        for i in range(n)
    ]
    db.session.execute(insert(Comment), rows)
    db.session.commit()


@pytest.mark.parametrize("sort", ["newest", "agreed"])
def test_section_page_queries_do_not_grow_with_comments(client, auth, article, create_user, count_queries, sort):
    viewer = create_user()
    author = create_user()
    auth.login(viewer)
    url = section_url(article) + f"?sort={sort}"
    bulk_comments(article, author, 10)
    client.get(url)
    db.session.remove()
    with count_queries() as few:
        client.get(url)
    bulk_comments(article, author, 10_000, prefix="more")
    db.session.remove()  # the test's own reads must not be counted as the page's
    with count_queries() as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert len(response.data) < 200 * 1024


def test_law_page_shows_comment_counts(client, article, create_comment):
    create_comment(article)
    create_comment(article)
    html = client.get(f"/en/laws/{article.version.law.slug}/").get_data(as_text=True)
    assert "2 comments" in html
    assert f"/en/laws/{article.version.law.slug}/sections/{article.id}/" in html


def test_my_comments_shows_states_and_reasons(client, auth, article, create_user):
    from app.comments.services import post_comment, reject_comment

    user = create_user()
    comment = post_comment(author=user, section=article, body="Не по теме.", stance="neutral", client_token="m").comment
    reject_comment(comment, reason="off_topic", note="Речь о другом законе.")
    db.session.commit()
    auth.login(user)
    html = client.get("/en/my/comments").get_data(as_text=True)
    assert "Rejected" in html and "not about this draft" in html and "Речь о другом законе." in html
    html = client.get("/ru/my/comments").get_data(as_text=True)
    assert "Речь о другом законе." in html


def test_my_comments_empty_state(client, auth, create_user):
    auth.login(create_user())
    assert "You have not commented yet." in client.get("/en/my/comments").get_data(as_text=True)


def test_withdraw_from_my_comments(client, auth, article, create_comment):
    comment = create_comment(article)
    auth.login(comment.author)
    client.post(f"/en/comments/{comment.id}/withdraw")
    db.session.refresh(comment)
    assert comment.state == "withdrawn"
    assert "Ещё" not in client.get(section_url(article)).get_data(as_text=True)
