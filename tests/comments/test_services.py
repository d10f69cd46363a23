"""Posting, editing, withdrawing, voting and flagging comments."""

import pytest
from sqlalchemy import func, select

from app.comments.models import Comment, CommentRevision, Vote, wilson_lower_bound
from app.comments.reactions import flag, vote
from app.comments.services import (
    CommentError,
    approve_comment,
    edit_comment,
    post_comment,
    reject_comment,
    withdraw_comment,
)
from app.extensions import db


def post(section, author, **kwargs):
    values = {"body": "Срок следует сократить.", "stance": "support", "client_token": "t1"}
    values.update(kwargs)
    return post_comment(author=author, section=section, **values)


def test_a_new_comment_waits_for_moderation(article, create_user):
    result = post(article, create_user())
    db.session.commit()
    assert result.created and result.comment.state == "pending" and result.comment.published_at is None
    assert result.comment.lang == "ru" and result.comment.lang_detected == "ru"
    assert result.comment.law_id == article.version.law_id


def test_a_stored_comment_holds_what_the_database_holds_without_asking_it_again(article, create_user, count_queries):
    """A post's INSERT bypasses the ORM's flush: the object must still carry every stored value, defaults included."""
    result = post(article, create_user())
    comment = result.comment
    names = [column.key for column in Comment.__table__.columns]
    with count_queries() as statements:
        in_session = {name: getattr(comment, name) for name in names}
    assert statements == []  # nothing left to load: no column of the new comment was expired
    assert comment in db.session and not db.session.is_modified(comment)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Comment, comment.id)
    assert {name: getattr(stored, name) for name in names} == in_session
    # The columns the form does not set got their defaults, as a flush would have given them.
    assert (stored.version, stored.agree_count, stored.disagree_count, stored.score, stored.channel) == (
        1,
        0,
        0,
        0,
        "web",
    )
    assert stored.updated_at is not None and stored.depth == 0


def test_without_premoderation_it_is_published_at_once(app, article, create_user):
    app.config["PREMODERATION"] = False
    comment = post(article, create_user()).comment
    assert comment.state == "approved" and comment.published_at is not None and comment.reviewed_at is None


def test_same_token_creates_one_comment(article, create_user):
    user = create_user()
    first = post(article, user, client_token="same")
    db.session.commit()
    again = post(article, user, client_token="same", body="Другой текст")
    db.session.commit()
    assert not again.created and again.comment.id == first.comment.id
    assert db.session.scalar(select(func.count(Comment.id))) == 1


def test_language_is_detected_and_can_be_chosen(article, create_user):
    user = create_user()
    kk = post(article, user, body="Бұл баптың мерзімін қысқарту керек деп ойлаймын.", client_token="a").comment
    en = post(article, user, body="I think the deadline should be shorter.", client_token="b").comment
    chosen = post(article, user, body="OK", lang="kk", client_token="c").comment
    assert (kk.lang, en.lang, chosen.lang) == ("kk", "en", "kk")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"body": "   "}, "Write your comment"),
        ({"body": "x" * 5001}, "too long"),
        ({"stance": "maybe"}, "Choose whether"),
        ({"stance": "amend", "proposed_wording": ""}, "Write the wording"),
        ({"lang": "de"}, "Choose the language"),
    ],
)
def test_invalid_comments_are_refused(article, create_user, kwargs, message):
    with pytest.raises(CommentError, match=message):
        post(article, create_user(), **kwargs)


def test_outside_the_window_nobody_can_comment(article, create_user, open_law):
    open_law.status = "closed"
    with pytest.raises(CommentError, match="closed"):
        post(article, create_user())


def test_unconfirmed_users_cannot_comment(article, create_user):
    with pytest.raises(CommentError, match="Confirm your e-mail"):
        post(article, create_user(confirmed=False))


def test_rate_limit_counts_in_the_database(app, article, create_user):
    app.config["COMMENT_RATE_PER_MINUTE"] = 3
    user = create_user()
    for n in range(3):
        post(article, user, client_token=f"t{n}")
    with pytest.raises(CommentError) as caught:
        post(article, user, client_token="t4")
    assert caught.value.status == 429
    post(article, create_user(), client_token="t4")  # someone else is not limited


def test_edit_keeps_history_and_is_only_for_pending(article, create_user):
    user = create_user()
    comment = post(article, user).comment
    edit_comment(comment, user=user, body="Новый текст", stance="oppose", proposed_wording=None, lang="ru")
    assert comment.body == "Новый текст" and comment.stance == "oppose"
    assert [r.body for r in comment.revisions] == ["Срок следует сократить."]
    approve_comment(comment)
    with pytest.raises(CommentError):
        edit_comment(comment, user=user, body="Ещё", stance="oppose", proposed_wording=None, lang="ru")


def test_withdraw_keeps_the_text(article, create_user):
    user = create_user()
    comment = post(article, user).comment
    withdraw_comment(comment, user=user)
    assert comment.state == "withdrawn" and comment.body == "Срок следует сократить."
    assert db.session.scalar(select(func.count(CommentRevision.id))) == 1
    with pytest.raises(CommentError):
        withdraw_comment(comment, user=create_user())


def test_votes_are_one_per_user_and_changeable(article, create_user, create_comment):
    comment = create_comment(article)
    voter = create_user()
    vote(comment, user=voter, value=1)
    vote(comment, user=voter, value=1)
    assert (comment.agree_count, comment.disagree_count) == (1, 0)
    vote(comment, user=voter, value=-1)
    assert (comment.agree_count, comment.disagree_count) == (0, 1)
    vote(comment, user=voter, value=0)
    assert (comment.agree_count, comment.disagree_count, comment.score) == (0, 0, 0.0)
    with pytest.raises(CommentError):
        vote(comment, user=comment.author, value=1)


def test_wilson_orders_many_agrees_above_one():
    assert wilson_lower_bound(90, 10) > wilson_lower_bound(1, 0) > wilson_lower_bound(0, 1)
    assert wilson_lower_bound(0, 0) == 0.0
    assert round(wilson_lower_bound(1, 0), 3) == 0.207


def test_flags_once_per_user(article, create_user, create_comment):
    comment = create_comment(article)
    reporter = create_user()
    flag(comment, user=reporter, reason="spam")
    with pytest.raises(CommentError, match="already reported"):
        flag(comment, user=reporter, reason="offensive")
    with pytest.raises(CommentError):
        flag(comment, user=create_user(), reason="nonsense")


def test_replies_nest_three_levels_deep(app, article, create_user, create_comment):
    app.config["PREMODERATION"] = False
    root = create_comment(article)
    reply = post(article, create_user(), parent=root, client_token="r1").comment
    reply2 = post(article, create_user(), parent=reply, client_token="r2").comment
    assert (reply.depth, reply2.depth, reply2.root_id) == (1, 2, root.id)
    with pytest.raises(CommentError):
        post(article, create_user(), parent=reply2, client_token="r3")


def test_reject_needs_a_policy_reason(article, create_user):
    comment = post(article, create_user()).comment
    with pytest.raises(CommentError):
        reject_comment(comment, reason="because")
    reject_comment(comment, reason="off_topic", note="Речь о другом законе.")
    assert comment.state == "rejected"
    with pytest.raises(CommentError, match="already been decided"):
        approve_comment(comment)


def test_votes_table_has_one_row_per_user(article, create_user, create_comment):
    comment = create_comment(article)
    voter = create_user()
    for value in (1, -1, 1):
        vote(comment, user=voter, value=value)
    assert db.session.scalar(select(func.count(Vote.id))) == 1
