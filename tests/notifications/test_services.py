"""Who is notified of what, in which language, and when the e-mail leaves."""

import pytest
from sqlalchemy import func, select

from app.comments.services import approve_comment, post_comment, reject_comment
from app.extensions import db
from app.mail import outbox
from app.notifications import optouts, services
from app.notifications.models import EmailOptOut, Follow, Notification


def notifications_of(user) -> list[tuple[str, int | None]]:
    rows = db.session.execute(
        select(Notification.kind, Notification.comment_id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id)
    )
    return [tuple(row) for row in rows]


def mail_to(user) -> list:
    return [message for message in outbox() if message.to == user.email]


# --- following ---------------------------------------------------------------------------------------------------


def test_follow_is_idempotent_and_unfollow_undoes_it(app, waste_law, create_user):
    user = create_user()
    assert services.follow(user, waste_law) is True
    assert services.follow(user, waste_law) is False
    db.session.commit()
    assert services.is_following(user, waste_law)
    assert services.unfollow(user, waste_law) is True
    assert services.unfollow(user, waste_law) is False
    db.session.commit()
    assert not services.is_following(user, waste_law)


def test_commenting_follows_the_draft(app, article, create_user):
    user = create_user()
    post_comment(author=user, section=article, body="Срок следует сократить.", stance="support", client_token="t")
    post_comment(author=user, section=article, body="И ещё одно.", stance="support", client_token="u")
    db.session.commit()
    assert db.session.scalar(select(func.count(Follow.id)).where(Follow.user_id == user.id)) == 1


def test_a_followers_post_asks_once_before_it_is_stored(app, article, create_user):
    """The follow check runs before the write lock (comment_preparing): under it a follower's post reads no more."""
    from sqlalchemy import event

    follower, newcomer = create_user(), create_user()
    services.follow(follower, article.version.law)
    db.session.commit()
    statements: list[str] = []

    def listener(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        post_comment(
            author=follower, section=article, body="Срок следует сократить.", stance="support", client_token="f"
        )
        asked = [n for n, sql in enumerate(statements) if sql.startswith("SELECT follows.id")]
        stored = next(n for n, sql in enumerate(statements) if sql.startswith("INSERT INTO comments"))
        assert len(asked) == 1 and asked[0] < stored
        post_comment(author=newcomer, section=article, body="Срок следует продлить.", stance="oppose", client_token="n")
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    db.session.commit()
    assert services.is_following(newcomer, article.version.law)
    assert db.session.scalar(select(func.count(Follow.id)).where(Follow.user_id == follower.id)) == 1


# --- new versions ------------------------------------------------------------------------------------------------


def test_new_version_notifies_each_follower_once_in_their_language(
    app, in_request, waste_law, create_user, publish, count_queries
):
    ru, kk, en = create_user(locale="ru"), create_user(locale="kk"), create_user(locale="en")
    bystander = create_user()
    for user in (ru, kk, en):
        services.follow(user, waste_law)
    db.session.commit()
    with count_queries() as statements:
        version = publish(waste_law)
    assert sum(" follows" in s for s in statements) == 1  # one query for all followers
    assert outbox() == []  # not before the commit
    db.session.commit()
    for user in (ru, kk, en):
        assert notifications_of(user) == [("new_version", None)]
        (message,) = mail_to(user)
        assert f"/{user.locale}/laws/household-waste/diff/2/3/" in message.body
        assert f"/{user.locale}/notifications/unsubscribe/" in message.body.splitlines()[-1]
    assert notifications_of(bystander) == [] and mail_to(bystander) == []
    assert version.number == 3


def test_english_mail_reads_well(app, in_request, waste_law, create_user, publish):
    user = create_user(locale="en", display_name="Aigerim")
    services.follow(user, waste_law)
    publish(waste_law)
    db.session.commit()
    (message,) = mail_to(user)
    assert message.subject.startswith("New version of «")
    assert message.body.startswith("Hello Aigerim,")
    assert "Version 3 of «" in message.body
    assert "because you follow this draft" in message.body


def test_a_rolled_back_version_emails_nobody(app, in_request, waste_law, create_user, publish):
    user = create_user()
    services.follow(user, waste_law)
    db.session.commit()
    publish(waste_law)
    db.session.rollback()
    db.session.commit()
    assert outbox() == []
    assert notifications_of(user) == []


def test_unconfirmed_addresses_get_no_mail(app, in_request, waste_law, create_user, publish):
    user = create_user(confirmed=False)
    services.follow(user, waste_law)
    publish(waste_law)
    db.session.commit()
    assert notifications_of(user) == [("new_version", None)]
    assert outbox() == []


def test_outside_a_request_mail_links_start_with_base_url(app, waste_law, create_user, publish):
    # A CLI import has no request, and so no Host header: the site's address comes from BASE_URL.
    app.config["BASE_URL"] = "https://kenes.example.kz"
    user = create_user(locale="ru")
    services.follow(user, waste_law)
    publish(waste_law)
    db.session.commit()
    assert notifications_of(user) == [("new_version", None)]
    (message,) = mail_to(user)
    links = [word for word in message.body.split() if "://" in word]
    assert len(links) == 2
    assert links[0].startswith(f"https://kenes.example.kz/ru/laws/{waste_law.slug}")
    assert links[1].startswith("https://kenes.example.kz/ru/notifications/unsubscribe/")


def test_opted_out_followers_are_notified_in_the_app_only(
    app, in_request, waste_law, create_law_from, create_user, publish
):
    other_law = create_law_from([("ru", "air-quality.ru.txt")])
    user = create_user()
    services.follow(user, waste_law)
    services.follow(user, other_law)
    optouts.opt_out(user, "new_version", waste_law)
    publish(waste_law)
    publish(other_law, "air-quality.ru.txt")
    db.session.commit()
    assert [kind for kind, _ in notifications_of(user)] == ["new_version", "new_version"]
    (message,) = mail_to(user)
    assert other_law.slug in message.body


# --- comments ----------------------------------------------------------------------------------------------------


@pytest.fixture
def no_premoderation(app):
    app.config["PREMODERATION"] = False


def test_a_reply_notifies_the_parent_author(app, in_request, no_premoderation, article, create_user):
    parent_author, replier = create_user(locale="ru"), create_user()
    parent = post_comment(
        author=parent_author, section=article, body="Срок слишком длинный.", stance="oppose", client_token="p"
    )
    db.session.commit()
    reply = post_comment(
        author=replier, section=article, body="Согласен.", stance="support", client_token="r", parent=parent.comment
    ).comment
    db.session.commit()
    assert notifications_of(parent_author) == [("reply", reply.id)]
    assert notifications_of(replier) == []  # published at once: no "approved"
    (message,) = mail_to(parent_author)
    assert f"/ru/comments/{reply.id}" in message.body


def test_replying_to_oneself_notifies_nobody(app, in_request, no_premoderation, article, create_user):
    author = create_user()
    parent = post_comment(
        author=author, section=article, body="Срок слишком длинный.", stance="oppose", client_token="p"
    )
    post_comment(
        author=author, section=article, body="Дополню.", stance="support", client_token="r", parent=parent.comment
    )
    db.session.commit()
    assert notifications_of(author) == []
    assert outbox() == []


def test_approval_notifies_the_author_and_the_parent_author(app, in_request, article, create_comment, create_user):
    parent = create_comment(article)
    replier = create_user(locale="en")
    reply = post_comment(
        author=replier, section=article, body="Согласен.", stance="support", client_token="r", parent=parent
    ).comment
    db.session.commit()
    assert notifications_of(replier) == [] and notifications_of(parent.author) == [("approved", parent.id)]
    approve_comment(reply)
    db.session.commit()
    assert notifications_of(replier) == [("approved", reply.id)]
    assert notifications_of(parent.author) == [("approved", parent.id), ("reply", reply.id)]
    assert len(mail_to(replier)) == 1 and "was published" in mail_to(replier)[0].body


def test_rejection_notifies_the_author_with_the_reason(app, in_request, article, create_user):
    author = create_user(locale="en")
    comment = post_comment(
        author=author, section=article, body="Купите наши окна!", stance="neutral", client_token="s"
    ).comment
    reject_comment(comment, reason="spam")
    db.session.commit()
    assert notifications_of(author) == [("rejected", comment.id)]
    (message,) = mail_to(author)
    assert "Reason: spam or advertising." in message.body
    assert "/en/my/comments" in message.body


def test_reply_opt_out_stops_reply_mail_for_every_draft(app, in_request, no_premoderation, article, create_user):
    parent_author = create_user()
    parent = post_comment(
        author=parent_author, section=article, body="Срок слишком длинный.", stance="oppose", client_token="p"
    )
    optouts.opt_out(parent_author, "reply")
    post_comment(
        author=create_user(),
        section=article,
        body="Согласен.",
        stance="support",
        client_token="r",
        parent=parent.comment,
    )
    db.session.commit()
    assert [kind for kind, _ in notifications_of(parent_author)] == ["reply"]
    assert outbox() == []


def test_notify_refuses_an_unknown_kind(app, create_user):
    with pytest.raises(ValueError, match="unknown notification kind"):
        services.notify(create_user(), "birthday")


# --- reading -----------------------------------------------------------------------------------------------------


def test_unread_count_and_mark_read(app, in_request, waste_law, create_user, publish):
    user, other = create_user(), create_user()
    for follower in (user, other):
        services.follow(follower, waste_law)
    publish(waste_law)
    publish(waste_law, "waste.v1.ru.txt")
    db.session.commit()
    assert services.unread_count(user) == 2
    first, second = (n.id for n in services.notifications_page(user, 1).items)
    assert services.mark_read(user, [second]) == 1
    assert services.unread_count(user) == 1
    assert services.mark_read(other, [first]) == 0  # not theirs
    assert services.mark_read(user) == 1
    assert services.unread_count(user) == 0 and services.unread_count(other) == 2


def test_opt_out_is_idempotent(app, waste_law, create_user):
    user = create_user()
    assert optouts.opt_out(user, "new_version", waste_law) is True
    assert optouts.opt_out(user, "new_version", waste_law) is False
    assert optouts.opt_out(user, "reply") is True
    assert optouts.opt_out(user, "reply") is False
    db.session.commit()
    assert db.session.scalar(select(func.count(EmailOptOut.id))) == 2
    assert optouts.is_opted_out(user, "new_version", waste_law) and optouts.is_opted_out(user, "reply", waste_law)
    assert not optouts.is_opted_out(user, "new_version")
