"""The moderation workspace: who may enter, decisions, bulk, campaigns, flags, appeals, suspensions, audit."""

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from app.comments.models import Comment
from app.comments.reactions import flag
from app.comments.services import CommentError, post_comment
from app.db import utcnow
from app.extensions import db
from app.moderation.appeals import file_appeal
from app.moderation.decisions import decide
from app.moderation.errors import ModerationError
from app.moderation.models import Appeal, ModerationAction
from tests.conftest import DEFAULT_PASSWORD

WORKSPACE_GETS = [
    "/en/moderation/",
    "/en/moderation/pending",
    "/en/moderation/flagged",
    "/en/moderation/appeals",
    "/en/moderation/campaigns",
    "/en/moderation/audit",
    "/en/moderation/comments/{comment}",
    "/en/moderation/pending/groups",
]
WORKSPACE_POSTS = [
    "/en/moderation/comments/{comment}/decide",
    "/en/moderation/bulk",
    "/en/moderation/campaigns/1/decide",
    "/en/moderation/users/{author}/suspend",
    "/en/moderation/users/{author}/unsuspend",
    "/en/moderation/appeals/1/decide",
    "/en/moderation/pending/groups/decide",
]
# What a moderator or admin gets for each, with an empty form where it is a POST.
STAFF_ANSWERS = {
    "/en/moderation/": 302,  # to the pending queue
    **dict.fromkeys(WORKSPACE_GETS[1:], 200),
    "/en/moderation/comments/{comment}/decide": 400,  # no action, no version: not a decision
    "/en/moderation/bulk": 400,
    "/en/moderation/campaigns/1/decide": 404,  # there is no campaign
    "/en/moderation/users/{author}/suspend": 302,  # back to the queue, told to give a reason; nobody suspended
    "/en/moderation/users/{author}/unsuspend": 302,  # back to the queue, told the author is not suspended
    "/en/moderation/appeals/1/decide": 404,  # there is no appeal
    "/en/moderation/pending/groups/decide": 400,  # no action: not a decision
}


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, "login"), ("citizen", 403), ("editor", 403), ("mp", 403), ("moderator", "ok"), ("admin", "ok")],
)
def test_access_matrix(client, create_user, article, create_comment, role, expected):
    comment = create_comment(article, state="pending")
    if role:
        user = create_user(role=role)
        client.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    for template in WORKSPACE_GETS + WORKSPACE_POSTS:
        url = template.format(comment=comment.id, author=comment.author_id)
        response = client.post(url, data={}) if template in WORKSPACE_POSTS else client.get(url)
        if expected == "login":
            assert response.status_code == 302 and "/auth/login" in response.location, url
        elif expected == 403:
            assert response.status_code == 403, url
        else:
            assert response.status_code == STAFF_ANSWERS[template], url
    db.session.refresh(comment.author)
    assert not comment.author.is_suspended


def test_pending_queue_shows_context_oldest_first(client, as_moderator, article, create_comment, create_user):
    author = create_user()
    first = create_comment(article, author=author, body="Первый комментарий, мой ИИН 900101300007.", state="pending")
    create_comment(article, author=author, body="Одобренный ранее.", state="approved")
    second = create_comment(article, body="Второй комментарий.", state="pending")
    html = client.get("/en/moderation/pending").get_data(as_text=True)
    assert html.index(f"#{first.id}") < html.index(f"#{second.id}")
    assert "approved 1, rejected 0" in html  # the author's record
    assert "an IIN" in html  # the screening hint
    assert 'Pending <span class="badge">2</span>' in html
    html = client.get("/en/moderation/pending?hint=iin").get_data(as_text=True)
    assert f"#{first.id}" in html and f"#{second.id}" not in html
    html = client.get("/en/moderation/pending?lang=en").get_data(as_text=True)
    assert "This queue is empty." in html


def test_decisions_and_their_audit(client, as_moderator, article, create_comment):
    comment = create_comment(article, state="pending")
    client.post(
        f"/en/moderation/comments/{comment.id}/decide",
        data={"action": "reject", "reason": "off_topic", "note": "Не о законе.", "version": comment.version},
    )
    db.session.refresh(comment)
    assert comment.state == "rejected" and comment.rejection_reason == "off_topic"
    row = db.session.scalar(select(ModerationAction))
    assert (row.actor_id, row.action, row.state_before, row.state_after, row.reason) == (
        as_moderator.id, "reject", "pending", "rejected", "off_topic"
    )  # fmt: skip
    response = client.post(
        f"/en/moderation/comments/{comment.id}/decide",
        data={"action": "approve", "version": comment.version},
        follow_redirects=True,
    )
    assert "already decided" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ModerationAction.id))) == 1


def test_reject_needs_a_reason_and_other_needs_a_note(article, create_comment, moderator):
    comment = create_comment(article, state="pending")
    with pytest.raises(ModerationError):
        decide(comment, actor=moderator, action="reject", seen_version=comment.version)
    with pytest.raises(ModerationError, match="note"):
        decide(comment, actor=moderator, action="reject", seen_version=comment.version, reason="other")


def test_a_moderator_never_decides_on_their_own_comment(article, create_comment, moderator):
    own = create_comment(article, author=moderator, state="pending")
    with pytest.raises(ModerationError, match="your own comment"):
        decide(own, actor=moderator, action="approve", seen_version=own.version)


def test_hide_and_restore(client, as_moderator, article, create_comment):
    comment = create_comment(article)
    client.post(
        f"/en/moderation/comments/{comment.id}/decide",
        data={"action": "hide", "reason": "offensive", "version": comment.version},
    )
    db.session.refresh(comment)
    assert comment.state == "hidden"
    assert comment.body not in client.get(f"/en/laws/{comment.law.slug}/sections/{article.id}/").get_data(as_text=True)
    client.post(f"/en/moderation/comments/{comment.id}/decide", data={"action": "restore", "version": comment.version})
    db.session.refresh(comment)
    assert comment.state == "approved"


def test_publish_masked_hides_the_iin_everywhere_but_from_moderators(
    client, app, as_moderator, article, create_comment
):
    iin = "900101300007"
    comment = create_comment(article, body=f"Мой ИИН {iin}, телефон +7 701 123 45 67. Срок мал.", state="pending")
    client.post(
        f"/en/moderation/comments/{comment.id}/decide", data={"action": "publish_masked", "version": comment.version}
    )
    db.session.refresh(comment)
    assert comment.state == "approved" and iin not in comment.body and iin in comment.original_body
    assert "Срок мал." in comment.body
    assert iin in client.get(f"/en/moderation/comments/{comment.id}").get_data(as_text=True)
    client.post("/en/auth/logout")
    slug = comment.law.slug
    for url in [
        f"/en/laws/{slug}/sections/{article.id}/",
        f"/ru/laws/{slug}/sections/{article.id}/",
        f"/api/v1/sections/{article.id}/comments",
        f"/api/v1/laws/{slug}/comments",
        f"/api/v1/laws/{slug}/comments?format=csv",
    ]:
        body = client.get(url).get_data(as_text=True)
        assert "Срок мал." in body, url
        assert iin not in body and "701 123 45 67" not in body, url


def test_bulk_decision_skips_what_it_cannot_decide(client, as_moderator, article, create_comment):
    pending = [create_comment(article, state="pending") for _ in range(3)]
    own = create_comment(article, author=as_moderator, state="pending")
    ids = [f"{c.id}:{c.version}" for c in [*pending, own]]
    response = client.post("/en/moderation/bulk", data={"ids": ids, "action": "approve"}, follow_redirects=True)
    assert "Decided: 3. Skipped: 1." in response.get_data(as_text=True)
    rows = db.session.scalars(select(ModerationAction)).all()
    assert len(rows) == 3 and len({r.bulk_id for r in rows}) == 1


def test_flag_threshold_sends_a_comment_back_to_review(app, article, create_comment, create_user):
    comment = create_comment(article)
    week_old = utcnow() - timedelta(days=7)
    for _ in range(2):
        flag(comment, user=create_user(created_at=week_old), reason="spam")
    assert comment.state == "approved"
    flag(comment, user=create_user(created_at=week_old), reason="offensive")
    db.session.commit()
    assert comment.state == "pending"
    row = db.session.scalar(select(ModerationAction))
    assert row.action == "review_requested" and row.actor_id is None


def test_flagged_queue_most_flagged_first(client, as_moderator, article, create_comment, create_user):
    once, twice = create_comment(article, body="Один флаг"), create_comment(article, body="Два флага")
    flag(once, user=create_user(), reason="spam")
    for _ in range(2):
        flag(twice, user=create_user(), reason="spam")
    db.session.commit()
    html = client.get("/en/moderation/flagged").get_data(as_text=True)
    assert html.index("Два флага") < html.index("Один флаг")


def test_suspended_author_cannot_comment_but_pending_stays(client, as_moderator, article, create_comment):
    comment = create_comment(article, state="pending")
    client.post(f"/en/moderation/users/{comment.author_id}/suspend", data={"reason": "Оскорбления"})
    db.session.refresh(comment.author)
    assert comment.author.is_suspended
    assert comment.state == "pending"
    with pytest.raises(CommentError, match="suspended"):
        post_comment(author=comment.author, section=article, body="Ещё", stance="support", client_token="x")
    client.post(f"/en/moderation/users/{comment.author_id}/unsuspend")
    db.session.refresh(comment.author)
    assert not comment.author.is_suspended
    actions = db.session.scalars(select(ModerationAction.action).order_by(ModerationAction.id)).all()
    assert actions == ["suspend", "unsuspend"]


def test_appeal_once_and_another_moderator_decides(article, create_comment, create_user, moderator):
    comment = create_comment(article, state="pending")
    decide(comment, actor=moderator, action="reject", seen_version=comment.version, reason="spam")
    appeal = file_appeal(comment, author=comment.author, text="Это не спам, а мнение.")
    db.session.commit()
    with pytest.raises(ModerationError, match="already appealed"):
        file_appeal(comment, author=comment.author, text="Ещё раз")
    from app.moderation.appeals import decide_appeal

    with pytest.raises(ModerationError, match="Another moderator"):
        decide_appeal(appeal, actor=moderator, overturn=True)
    decide_appeal(appeal, actor=create_user(role="moderator"), overturn=True, note="Мнение допустимо.")
    db.session.commit()
    assert comment.state == "approved" and db.session.get(Appeal, appeal.id).state == "overturned"


def test_appeal_page_for_the_author(client, auth, article, create_comment, moderator):
    comment = create_comment(article, state="pending")
    decide(comment, actor=moderator, action="reject", seen_version=comment.version, reason="duplicate")
    db.session.commit()
    auth.login(comment.author)
    assert "Appeal this decision" in client.get("/en/my/comments").get_data(as_text=True)
    client.post(f"/en/comments/{comment.id}/appeal", data={"text": "Это другой текст."})
    html = client.get(f"/en/comments/{comment.id}/appeal").get_data(as_text=True)
    assert "Your appeal is waiting for a moderator." in html


def test_audit_rows_cannot_be_changed(article, create_comment, moderator):
    comment = create_comment(article, state="pending")
    decide(comment, actor=moderator, action="approve", seen_version=comment.version)
    db.session.commit()
    row = db.session.scalar(select(ModerationAction))
    row.note = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(ModerationAction)))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_audit_page_filters(client, as_moderator, article, create_comment):
    a, b = create_comment(article, state="pending"), create_comment(article, state="pending")
    client.post(f"/en/moderation/comments/{a.id}/decide", data={"action": "approve", "version": a.version})
    client.post(
        f"/en/moderation/comments/{b.id}/decide", data={"action": "reject", "reason": "spam", "version": b.version}
    )
    html = client.get("/en/moderation/audit?action=reject").get_data(as_text=True)
    assert f"#{b.id}" in html and f"#{a.id}</a>" not in html


def test_public_figures_and_policy(client, article, create_comment, moderator):
    for reason in ("spam", "spam", "offensive"):
        comment = create_comment(article, state="pending")
        decide(comment, actor=moderator, action="reject", seen_version=comment.version, reason=reason)
    create_comment(article)
    db.session.commit()
    html = client.get(f"/en/laws/{article.version.law.slug}/moderation").get_data(as_text=True)
    assert "Comments received</dt><dd>4</dd>" in html.replace("\n", "")
    assert "Spam or advertising</a></td><td>2</td>" in html
    assert "Median time to a decision" in html
    assert "Disagreeing with the draft" in client.get("/en/moderation-policy").get_data(as_text=True)


def test_stats_command(runner, article, create_comment):
    create_comment(article, state="pending")
    result = runner.invoke(args=["moderation", "stats"])
    assert result.exit_code == 0 and "pending: 1" in result.output and "oldest pending:" in result.output


def test_two_concurrent_decisions_leave_one(app, article, create_comment, create_user):
    comment = create_comment(article, state="pending")
    clients = []
    for _ in range(2):
        moderator = create_user(role="moderator")
        client = app.test_client()
        client.post("/en/auth/login", data={"email": moderator.email, "password": DEFAULT_PASSWORD})
        clients.append(client)
    url = f"/en/moderation/comments/{comment.id}/decide"
    forms = [{"action": "approve", "version": 1}, {"action": "reject", "reason": "spam", "version": 1}]
    db.session.remove()
    barrier = threading.Barrier(2)

    def worker(client, data):
        barrier.wait()
        client.post(url, data=data)

    threads = [threading.Thread(target=worker, args=pair) for pair in zip(clients, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert db.session.scalar(select(func.count(ModerationAction.id))) == 1
    state = db.session.scalar(select(Comment.state))
    action = db.session.scalar(select(ModerationAction.action))
    assert (state, action) in {("approved", "approve"), ("rejected", "reject")}


def bulk_pending(section_ids: tuple[int, int], n: int, texts=None, prefix: str = "p") -> None:
    """Insert many pending comments by distinct authors quickly; section_ids is (law id, section id)."""
    law_id, section_id = section_ids
    from app.auth.models import User

    now = utcnow()
    users = [{"email": f"{prefix}{i}@example.kz", "display_name": f"Voice {i}", "password_hash": "x", "role": "citizen",
              "locale": "ru", "session_token": uuid.uuid4().hex} for i in range(n)]  # fmt: skip
    db.session.execute(insert(User), users)
    ids = db.session.scalars(select(User.id).where(User.email.like(f"{prefix}%@example.kz")).order_by(User.id)).all()
    rows = []
    for i, author_id in enumerate(ids):
        body = texts[i] if texts else f"Комментарий {prefix} {i}: срок нужно обсудить."
        rows.append(
            {
                "law_id": law_id, "section_id": section_id, "author_id": author_id, "depth": 0, "stance": "oppose",
                "body": body, "body_html": f"<p>{body}</p>", "lang": "ru", "lang_detected": "ru", "state": "pending",
                "client_token": f"{prefix}-{i}", "agree_count": 0, "disagree_count": 0, "score": 0.0,
                "created_at": now, "updated_at": now,
            }
        )  # fmt: skip
    db.session.execute(insert(Comment), rows)
    db.session.commit()


def test_pending_queue_queries_do_not_grow(client, as_moderator, article, count_queries):
    ids = (article.version.law_id, article.id)
    bulk_pending(ids, 10, prefix="few")
    client.get("/en/moderation/pending")
    db.session.remove()
    with count_queries() as few:
        client.get("/en/moderation/pending")
    bulk_pending(ids, 10_000, prefix="many")
    db.session.remove()
    with count_queries() as many:
        response = client.get("/en/moderation/pending")
    assert response.status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("lang", "before", "after"), [("ru", "Ожидает модерации", "Отклонён"), ("en", "Awaiting moderation", "Rejected")]
)
def test_the_audit_log_names_states_in_the_page_language(
    client, as_moderator, article, create_comment, lang, before, after
):
    comment = create_comment(article, state="pending")
    client.post(
        f"/en/moderation/comments/{comment.id}/decide",
        data={"action": "reject", "reason": "spam", "version": comment.version},
    )
    html = client.get(f"/{lang}/moderation/audit").get_data(as_text=True)
    assert f"{before} → {after}" in html and "pending → rejected" not in html
