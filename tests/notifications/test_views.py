"""Pages: following drafts, the notifications list, unsubscribing from an e-mail link."""

import re

import pytest
from flask import render_template_string
from flask_login import login_user
from sqlalchemy import func, select

from app.extensions import db
from app.laws.importing import publish_version
from app.mail import outbox
from app.notifications import optouts, services
from app.notifications.models import EmailOptOut, Follow, Notification
from tests.conftest import DEFAULT_PASSWORD, csrf_token_from, demo_text

FOLLOW_BUTTON = '{% include "notifications/_follow_button.html" %}'
NAV_LINK = '<ul>{% include "notifications/_nav_link.html" %}</ul>'


def follows(user) -> int:
    return db.session.scalar(select(func.count(Follow.id)).where(Follow.user_id == user.id))


def publish_v3(law):
    """Publish a version the way the editor does: inside a POST request, committed once."""
    return publish_version(law, lang="ru", text=demo_text("waste.v2.ru.txt"))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/en/notifications/"),
        ("post", "/en/notifications/read"),
        ("post", "/en/notifications/laws/household-waste/follow"),
        ("post", "/en/notifications/laws/household-waste/unfollow"),
    ],
)
def test_visitors_are_sent_to_log_in(client, waste_law, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert "/en/auth/login" in response.location


def test_follow_and_unfollow(client, auth, waste_law, create_user):
    user = create_user()
    auth.login(user)
    response = client.post(f"/en/notifications/laws/{waste_law.slug}/follow")
    assert response.status_code == 302 and response.location.endswith(f"/en/laws/{waste_law.slug}/")
    assert follows(user) == 1
    assert "You follow this draft" in client.get(response.location).get_data(as_text=True)
    client.post(f"/en/notifications/laws/{waste_law.slug}/follow")  # a double click
    assert follows(user) == 1
    response = client.post(f"/en/notifications/laws/{waste_law.slug}/unfollow", follow_redirects=True)
    assert "You no longer follow this draft" in response.get_data(as_text=True)
    assert follows(user) == 0


def test_following_an_unknown_or_hidden_draft_is_404(client, auth, create_user, create_law_from):
    draft = create_law_from([("ru", "air-quality.ru.txt")], status="draft")
    auth.login(create_user())
    assert client.post("/en/notifications/laws/no-such-law/follow").status_code == 404
    assert client.post(f"/en/notifications/laws/{draft.slug}/follow").status_code == 404


def render_as(app, user, template: str, path: str = "/en/", **context) -> str:
    """Render a partial as it renders inside a page requested by `user` (None: a visitor)."""
    with app.test_request_context(path):
        app.preprocess_request()  # takes the language from the URL, as a real request does
        if user is not None:
            login_user(user)
        return render_template_string(template, **context)


def test_follow_button_for_each_kind_of_visitor(app, waste_law, create_user):
    html = render_as(app, None, FOLLOW_BUTTON, f"/en/laws/{waste_law.slug}/?v=1", law=waste_law)
    assert "Log in to follow this draft" in html
    assert "/en/auth/login?next=/en/laws/household-waste/?v%3D1" in html
    user = create_user()
    html = render_as(app, user, FOLLOW_BUTTON, law=waste_law)
    assert "Follow this draft" in html and 'name="csrf_token"' in html
    assert f'action="/en/notifications/laws/{waste_law.slug}/follow"' in html
    services.follow(user, waste_law)
    db.session.commit()
    html = render_as(app, user, FOLLOW_BUTTON, law=waste_law)
    assert "Stop following" in html
    assert f'action="/en/notifications/laws/{waste_law.slug}/unfollow"' in html


def test_notifications_page_empty_state(client, auth, create_user):
    auth.login(create_user())
    html = client.get("/en/notifications/").get_data(as_text=True)
    assert "No notifications yet" in html


def test_notifications_page_lists_and_marks_read(app, client, auth, waste_law, create_user):
    user = create_user()
    services.follow(user, waste_law)
    db.session.commit()
    auth.login(user)
    with app.test_request_context("/en/", method="POST"):
        publish_v3(waste_law)
        db.session.commit()
    html = client.get("/en/notifications/").get_data(as_text=True)
    assert "Version 3 of «" in html
    assert 'href="/en/laws/household-waste/diff/2/3/"' in html
    assert 'class="card notification unread"' in html
    assert "You have 1 unread notification." in html
    response = client.post("/en/notifications/read")
    assert response.status_code == 302 and response.location.endswith("/en/notifications/")
    html = client.get("/en/notifications/").get_data(as_text=True)
    assert "Version 3 of «" in html and "unread" not in html
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.read_at.is_(None))) == 0


def test_notifications_page_is_paginated_newest_first(app, client, auth, waste_law, create_user):
    app.config["NOTIFICATIONS_PER_PAGE"] = 2
    user = create_user()
    for _ in range(3):
        services.notify(user, "new_version", version=waste_law.versions[0])
    services.notify(user, "new_version", version=waste_law.versions[1])
    db.session.commit()
    auth.login(user)
    first = client.get("/en/notifications/").get_data(as_text=True)
    assert "Version 2 of «" in first and "Page 1 of 2" in first
    second = client.get("/en/notifications/?page=2").get_data(as_text=True)
    assert second.count("Version 1 of «") == 2
    assert 'href="/en/laws/household-waste/"' in second  # version 1 links to the law itself


def test_nav_link_shows_the_unread_count(app, waste_law, create_user, count_queries):
    user = create_user()
    services.notify(user, "new_version", version=waste_law.versions[1])
    services.notify(user, "new_version", version=waste_law.versions[1])
    db.session.commit()
    assert render_as(app, None, NAV_LINK).strip() == "<ul></ul>"
    with count_queries() as statements:
        html = render_as(app, user, NAV_LINK + NAV_LINK)
    counts = [s for s in statements if "count" in s and "notifications" in s]
    assert len(counts) == 1  # one query, however often the link is shown
    assert '<span class="badge" aria-hidden="true">2</span>' in html
    assert "(2 unread)" in html
    assert 'href="/en/notifications/"' in html


def test_unsubscribe_from_new_versions(app, client, waste_law, create_user):
    user = create_user(locale="ru")
    services.follow(user, waste_law)
    db.session.commit()
    with app.test_request_context("/en/", method="POST"):
        publish_v3(waste_law)
        db.session.commit()
    (message,) = outbox()
    path = re.search(r"http://localhost(/ru/notifications/unsubscribe/\S+)\s*$", message.body).group(1)

    page = client.get(path)
    assert page.status_code == 200
    assert 'method="post"' in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EmailOptOut.id))) == 0  # a GET never writes

    done = client.post(path)
    assert done.status_code == 200
    assert db.session.scalar(select(func.count(EmailOptOut.id))) == 1
    assert client.post(path).status_code == 200  # twice is harmless
    assert db.session.scalar(select(func.count(EmailOptOut.id))) == 1

    with app.test_request_context("/en/", method="POST"):
        publish_version(waste_law, lang="ru", text=demo_text("waste.v1.ru.txt"))
        db.session.commit()
    assert len(outbox()) == 1  # no second e-mail
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)).all()
    assert kinds == ["new_version", "new_version"]  # still notified in the app
    assert services.is_following(user, waste_law)


def test_unsubscribe_page_in_english(client, waste_law, create_user):
    user = create_user()
    token = optouts.make_unsubscribe_token(user, "new_version", waste_law.id)
    html = client.get(f"/en/notifications/unsubscribe/{token}").get_data(as_text=True)
    assert "Stop e-mails about new versions of «" in html
    assert user.email in html
    html = client.post(f"/en/notifications/unsubscribe/{token}").get_data(as_text=True)
    assert "We will no longer e-mail you about new versions of «" in html


def test_unsubscribe_from_replies(client, create_user):
    user = create_user()
    token = optouts.make_unsubscribe_token(user, "reply", None)
    assert "replies to your comments" in client.get(f"/en/notifications/unsubscribe/{token}").get_data(as_text=True)
    assert "e-mails like this one" in client.post(f"/en/notifications/unsubscribe/{token}").get_data(as_text=True)
    assert optouts.is_opted_out(user, "reply")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_link_is_refused(app, client, waste_law, create_user, method):
    token = optouts.make_unsubscribe_token(create_user(), "new_version", waste_law.id)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for bad in (tampered, "nope", "a" * 600):
        response = getattr(client, method)(f"/en/notifications/unsubscribe/{bad}")
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EmailOptOut.id))) == 0


def test_a_link_for_a_deleted_account_is_refused(app, client, create_user):
    with app.test_request_context("/en/"):
        from app.auth import tokens

        token = tokens.make_token(optouts.UNSUBSCRIBE_SALT, {"uid": 999_999, "kind": "reply", "law": None})
        wrong_kind = tokens.make_token(optouts.UNSUBSCRIBE_SALT, {"uid": create_user().id, "kind": "spam", "law": None})
    assert client.get(f"/en/notifications/unsubscribe/{token}").status_code == 400
    assert client.get(f"/en/notifications/unsubscribe/{wrong_kind}").status_code == 400


def test_an_expired_unsubscribe_link_says_so(app, client, create_user):
    token = optouts.make_unsubscribe_token(create_user(), "reply", None)
    app.config["UNSUBSCRIBE_TOKEN_MAX_AGE"] = -1
    response = client.get(f"/en/notifications/unsubscribe/{token}")
    assert response.status_code == 400
    assert "too old" in response.get_data(as_text=True)


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_every_form_carries_a_token_and_posts_without_one_are_refused(self, app, client, waste_law, create_user):
        user = create_user()
        services.notify(user, "new_version", version=waste_law.versions[1])
        db.session.commit()
        token = optouts.make_unsubscribe_token(user, "new_version", waste_law.id)
        unsubscribe = client.get(f"/en/notifications/unsubscribe/{token}").get_data(as_text=True)
        assert client.post(f"/en/notifications/unsubscribe/{token}").status_code == 400
        response = client.post(
            f"/en/notifications/unsubscribe/{token}", data={"csrf_token": csrf_token_from(unsubscribe)}
        )
        assert response.status_code == 200 and optouts.is_opted_out(user, "new_version", waste_law)

        login_page = client.get("/en/auth/login").get_data(as_text=True)
        client.post(
            "/en/auth/login",
            data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf_token_from(login_page)},
        )
        page = client.get("/en/notifications/").get_data(as_text=True)
        assert 'name="csrf_token"' in page.split('action="/en/notifications/read"')[1].split("</form>")[0]
        assert client.post("/en/notifications/read").status_code == 400
        assert client.post(f"/en/notifications/laws/{waste_law.slug}/follow").status_code == 400
        assert follows(user) == 0
        data = {"csrf_token": csrf_token_from(page)}
        assert client.post(f"/en/notifications/laws/{waste_law.slug}/follow", data=data).status_code == 302
        assert follows(user) == 1
        assert client.post("/en/notifications/read", data=data).status_code == 302
        assert services.unread_count(user) == 0


def test_each_kind_links_to_its_page_without_extra_queries(
    app, client, auth, article, create_comment, create_user, count_queries
):
    from app.comments.services import reject_comment

    user = create_user()
    auth.login(user)
    client.get("/en/notifications/")

    def page_queries() -> tuple[int, str]:
        with count_queries() as statements:
            html = client.get("/en/notifications/").get_data(as_text=True)
        return len(statements), html

    mine = create_comment(article, author=user)  # approved by a moderator
    before, _html = page_queries()
    for _ in range(3):
        create_comment(article, parent=mine)  # replies by three other people
    rejected = create_comment(article, author=user, state="pending")
    reject_comment(rejected, reason="off_topic")
    services.notify(user, "answered", comment=mine)
    db.session.commit()
    after, html = page_queries()
    assert after == before
    assert html.count(f'href="/en/comments/{mine.id}"') == 1  # approved
    assert html.count(f'href="/en/comments/{mine.id}/answer"') == 1  # answered: the comment, its answer, the change
    assert html.count("replied to your comment on «") == 3
    assert "Reason: not about this draft." in html and 'href="/en/my/comments"' in html
    assert "The drafting agency answered your comment" in html
