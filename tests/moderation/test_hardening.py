"""Issue 8: the attacks on moderation, replayed. Each test runs the attack as reported and checks it fails.

1. Throw-away accounts flagging a published comment back to review.
2. A suspended moderator who keeps deciding, lifts its own suspension, or is reinstated by a peer.
3. An author who edits a comment between the moderator reading it and approving it.
"""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.comments.models import Comment, Flag
from app.comments.reactions import flag
from app.comments.services import CommentError, edit_comment, post_comment, set_language
from app.db import utcnow
from app.extensions import db
from app.moderation.decisions import decide, decide_campaign
from app.moderation.errors import CampaignChangedError, CommentChangedError, ModerationError
from app.moderation.models import ModerationAction
from app.moderation.suspensions import suspend, unsuspend
from tests.conftest import DEFAULT_PASSWORD

SPAM = "КУПИТЕ ДЕШЁВЫЕ ЧАСЫ на сайте spam.example — скидки 90%!"


def login(app, user):
    """A separate browser session for one user."""
    client = app.test_client()
    response = client.post("/en/auth/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def section_url(comment):
    return f"/en/laws/{comment.law.slug}/sections/{comment.section_id}/"


def audit_rows(action=None):
    query = select(ModerationAction).order_by(ModerationAction.id)
    if action:
        query = query.where(ModerationAction.action == action)
    return db.session.scalars(query).all()


# --- 1. flags ---------------------------------------------------------------------------------------------


def test_three_new_accounts_flagging_no_longer_hide_a_published_comment(app, article, create_comment, create_user):
    comment = create_comment(article, body="Срок обжалования в 15 дней слишком мал.")
    for _ in range(3):
        # Registered a minute ago, e-mail confirmed: what a script makes in a loop.
        throwaway = create_user(created_at=utcnow() - timedelta(minutes=1))
        response = login(app, throwaway).post(f"/en/comments/{comment.id}/flag", data={"reason": "spam"})
        assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.state == "approved"
    assert audit_rows("review_requested") == []
    anonymous = app.test_client()
    assert "Срок обжалования в 15 дней слишком мал." in anonymous.get(section_url(comment)).get_data(as_text=True)
    api = anonymous.get(f"/api/v1/sections/{article.id}/comments").get_data(as_text=True)
    assert "Срок обжалования в 15 дней слишком мал." in api
    # The reports are kept for the moderators all the same.
    assert db.session.scalar(select(func.count(Flag.id)).where(Flag.comment_id == comment.id)) == 3


def test_an_unconfirmed_account_cannot_flag_and_is_told_why(app, article, create_comment, create_user):
    comment = create_comment(article)
    unconfirmed = create_user(confirmed=False, created_at=utcnow() - timedelta(days=30))
    client = login(app, unconfirmed)
    html = client.get(section_url(comment)).get_data(as_text=True)
    assert "Confirm your e-mail address to report comments." in html
    assert f"/en/comments/{comment.id}/flag" not in html
    page = client.get(f"/en/comments/{comment.id}/flag")
    assert page.status_code == 403
    assert "Confirm your e-mail address before reporting a comment." in page.get_data(as_text=True)
    assert 'name="reason"' not in page.get_data(as_text=True)
    posted = client.post(f"/en/comments/{comment.id}/flag", data={"reason": "spam"})
    assert posted.status_code == 403
    assert db.session.scalar(select(func.count(Flag.id))) == 0
    with pytest.raises(CommentError, match="Confirm your e-mail"):
        flag(comment, user=unconfirmed, reason="spam")


def test_established_accounts_still_send_a_comment_back_and_the_audit_names_them(article, create_comment, create_user):
    comment = create_comment(article)
    young = create_user(created_at=utcnow() - timedelta(hours=2))
    flag(comment, user=young, reason="spam")
    old = [create_user(created_at=utcnow() - timedelta(days=90)) for _ in range(3)]
    for user in old[:2]:
        flag(comment, user=user, reason="spam")
    assert comment.state == "approved"  # two that count and one that does not: below the threshold of three
    flag(comment, user=old[2], reason="offensive")
    db.session.commit()
    assert comment.state == "pending"
    (row,) = audit_rows("review_requested")
    assert row.actor_id is None
    flag_ids = db.session.scalars(select(Flag.id).where(Flag.user_id.in_([u.id for u in old])).order_by(Flag.id))
    for flag_id, user in zip(flag_ids, old, strict=True):
        assert f"#{flag_id} (user #{user.id})" in row.note
    assert f"user #{young.id})" not in row.note


def test_the_minimum_account_age_is_configurable(app, article, create_comment, create_user):
    app.config["FLAG_MIN_ACCOUNT_AGE_HOURS"] = 1
    comment = create_comment(article)
    for _ in range(3):
        flag(comment, user=create_user(created_at=utcnow() - timedelta(hours=2)), reason="spam")
    db.session.commit()
    assert comment.state == "pending"


def test_moderators_see_who_flagged_how_old_the_account_was_and_whether_it_counted(
    client, as_moderator, article, create_comment, create_user
):
    comment = create_comment(article, body="Комментарий с флагами.")
    flag(comment, user=create_user(display_name="Fresh Account", created_at=utcnow() - timedelta(hours=3)),
         reason="spam")  # fmt: skip
    flag(comment, user=create_user(display_name="Old Account", created_at=utcnow() - timedelta(days=400)),
         reason="offensive")  # fmt: skip
    db.session.commit()
    for url in ("/en/moderation/flagged", f"/en/moderation/comments/{comment.id}"):
        html = client.get(url).get_data(as_text=True)
        fresh = re.search(r"<li>Fresh Account[^\n]*</li>", html)
        old = re.search(r"<li>Old Account[^\n]*</li>", html)
        assert fresh and old, url
        assert "3 hours old when reporting" in fresh.group(0)
        assert "does not count: the account was too new when it reported" in fresh.group(0)
        assert "1 year old when reporting" in old.group(0)
        assert "counts toward the automatic review" in old.group(0)


# --- 2. suspensions ---------------------------------------------------------------------------------------


@pytest.fixture
def admin(create_user):
    return create_user(role="admin")


def test_a_suspended_moderator_can_no_longer_decide(app, article, create_comment, create_user, admin):
    moderator = create_user(role="moderator")
    comment = create_comment(article, state="pending")
    client = login(app, moderator)
    suspend(moderator, actor=admin, reason="Approved spam for money.")
    db.session.commit()
    response = client.post(
        f"/en/moderation/comments/{comment.id}/decide", data={"action": "approve", "version": comment.version}
    )
    assert response.status_code == 403
    assert "Your account is suspended" in response.get_data(as_text=True)
    db.session.refresh(comment)
    assert comment.state == "pending"
    assert audit_rows("approve") == []
    with pytest.raises(ModerationError, match="suspended"):
        decide(comment, actor=moderator, action="approve", seen_version=comment.version)


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("moderator", "/en/moderation/pending"),
        ("moderator", "/en/moderation/flagged"),
        ("moderator", "/en/moderation/audit"),
        ("admin", "/en/moderation/pending"),
        ("admin", "/en/admin/users"),
        ("editor", "/en/editor/"),
    ],
)
def test_a_suspended_staff_member_gets_a_403_page_that_says_why(app, create_user, create_agency, admin, role, url):
    extra = {"agency_id": create_agency().id} if role == "editor" else {}
    member = create_user(role=role, **extra)
    client = login(app, member)
    assert client.get(url).status_code == 200
    suspend(member, actor=admin, reason="Under investigation.")
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 403
    assert "Your account is suspended, so you cannot use this page." in response.get_data(as_text=True)
    assert not member.has_role(role)


def test_a_suspended_moderator_cannot_lift_its_own_suspension(app, create_user, admin):
    moderator = create_user(role="moderator")
    client = login(app, moderator)
    suspend(moderator, actor=admin, reason="Approved spam for money.")
    db.session.commit()
    response = client.post(f"/en/moderation/users/{moderator.id}/unsuspend")
    assert response.status_code == 403
    db.session.refresh(moderator)
    assert moderator.is_suspended
    assert audit_rows("unsuspend") == []
    with pytest.raises(ModerationError):
        unsuspend(moderator, actor=moderator)


def test_nobody_lifts_their_own_suspension_even_through_the_service(create_user, admin):
    other_admin = create_user(role="admin")
    suspend(admin, actor=other_admin, reason="Test.")
    db.session.commit()
    with pytest.raises(ModerationError):
        unsuspend(admin, actor=admin)
    assert admin.is_suspended


def test_only_an_admin_lifts_the_suspension_of_a_moderator(app, article, create_comment, create_user, admin):
    suspended = create_user(role="moderator", display_name="Suspended Moderator")
    peer = create_user(role="moderator")
    # The peer finds the suspended moderator through one of their comments, as in the report.
    comment = create_comment(article, author=suspended, state="pending")
    suspend(suspended, actor=admin, reason="Approved spam for money.")
    db.session.commit()
    client = login(app, peer)
    html = client.get(f"/en/moderation/comments/{comment.id}").get_data(as_text=True)
    assert "Lift the suspension" not in html
    assert "Only an administrator can suspend or reinstate a moderator" in html
    client.post(f"/en/moderation/users/{suspended.id}/unsuspend", follow_redirects=True)
    db.session.refresh(suspended)
    assert suspended.is_suspended
    assert audit_rows("unsuspend") == []
    with pytest.raises(ModerationError, match="Only an administrator"):
        unsuspend(suspended, actor=peer)
    db.session.rollback()

    admin_client = login(app, admin)
    admin_client.post(f"/en/moderation/users/{suspended.id}/unsuspend")
    db.session.refresh(suspended)
    assert not suspended.is_suspended
    assert [(r.actor_id, r.user_id) for r in audit_rows("unsuspend")] == [(admin.id, suspended.id)]


def test_an_admin_suspends_and_reinstates_a_moderator_from_the_user_page(app, create_user, admin):
    moderator = create_user(role="moderator")  # no comment of theirs to reach them through
    client = login(app, admin)
    page = client.get(f"/en/admin/users/{moderator.id}").get_data(as_text=True)
    assert "Suspend the account" in page
    back = f"/en/admin/users/{moderator.id}"
    response = client.post(f"/en/moderation/users/{moderator.id}/suspend", data={"reason": "Leak.", "next": back})
    assert response.status_code == 302 and response.location.endswith(back)
    db.session.refresh(moderator)
    assert moderator.is_suspended
    assert "Lift the suspension" in client.get(back).get_data(as_text=True)
    client.post(f"/en/moderation/users/{moderator.id}/unsuspend", data={"next": back})
    db.session.refresh(moderator)
    assert not moderator.is_suspended


@pytest.mark.parametrize("role", ["moderator", "editor", "mp", "admin"])
def test_a_moderator_cannot_suspend_staff(create_user, role):
    staff = create_user(role=role)
    moderator = create_user(role="moderator")
    with pytest.raises(ModerationError, match="Only an administrator"):
        suspend(staff, actor=moderator, reason="Test.")
    assert not staff.is_suspended


def test_a_moderator_still_suspends_and_reinstates_citizens(create_user):
    citizen, moderator = create_user(), create_user(role="moderator")
    suspend(citizen, actor=moderator, reason="Insults.")
    unsuspend(citizen, actor=moderator)
    db.session.commit()
    assert not citizen.is_suspended
    assert [r.action for r in audit_rows()] == ["suspend", "unsuspend"]


# --- 3. the text a moderator decides on -------------------------------------------------------------------


def version_in(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def test_approving_after_the_author_swapped_in_spam_is_refused_and_shows_the_new_text(
    app, client, as_moderator, article, create_comment
):
    comment = create_comment(article, body="Предлагаю продлить срок до 30 дней.", state="pending")
    page = client.get(f"/en/moderation/comments/{comment.id}").get_data(as_text=True)
    seen = version_in(page)
    author = login(app, comment.author)
    edited = author.post(f"/en/comments/{comment.id}/edit", data={"body": SPAM, "stance": "support", "lang": "ru"})
    assert edited.status_code == 302
    response = client.post(f"/en/moderation/comments/{comment.id}/decide", data={"action": "approve", "version": seen})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "This comment changed since you opened it." in html
    assert "spam.example" in html  # the page shows what the comment says now
    db.session.refresh(comment)
    assert comment.state == "pending"
    assert audit_rows() == []
    # Deciding on what is now shown works: the refusal is about staleness, not about the comment.
    retry = client.post(
        f"/en/moderation/comments/{comment.id}/decide",
        data={"action": "reject", "reason": "spam", "version": version_in(html)},
    )
    assert retry.status_code == 302
    db.session.refresh(comment)
    assert comment.state == "rejected"


def test_a_decision_without_the_version_read_is_refused(client, as_moderator, article, create_comment):
    comment = create_comment(article, state="pending")
    response = client.post(f"/en/moderation/comments/{comment.id}/decide", data={"action": "approve"})
    assert response.status_code == 400
    db.session.refresh(comment)
    assert comment.state == "pending"


def test_decide_refuses_a_stale_version(article, create_comment, moderator):
    comment = create_comment(article, state="pending")
    seen = comment.version
    edit_comment(comment, user=comment.author, body=SPAM, stance="support", proposed_wording=None, lang="ru")
    db.session.commit()
    with pytest.raises(CommentChangedError):
        decide(comment, actor=moderator, action="approve", seen_version=seen)


def test_bulk_approval_is_refused_whole_when_one_comment_changed(app, client, as_moderator, article, create_comment):
    comments = [create_comment(article, body=f"Нормальный комментарий {n}.", state="pending") for n in range(3)]
    queue = client.get("/en/moderation/pending").get_data(as_text=True)
    ticked = re.findall(r'name="ids" value="(\d+:\d+)"', queue)
    assert len(ticked) == 3
    author = login(app, comments[1].author)
    author.post(f"/en/comments/{comments[1].id}/edit", data={"body": SPAM, "stance": "support", "lang": "ru"})
    response = client.post("/en/moderation/bulk", data={"ids": ticked, "action": "approve"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "1 selected comment changed since you opened the queue. Nothing was decided" in html
    assert "spam.example" in html
    # Shown again: the unchanged ones ticked, the changed one waiting to be read.
    assert re.search(rf'value="{comments[0].id}:\d+" checked', html)
    assert re.search(rf'value="{comments[1].id}:\d+">', html)
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.state == "approved")) == 0
    assert audit_rows() == []


CAMPAIGN_TEXT = (
    "Я категорически против поправок в статью 47 о земельных участках. Эти изменения лишат простых людей "
    "права на землю и отдадут её крупным компаниям. Требуем оставить прежнюю редакцию закона."
)


def make_campaign(article, create_user, n: int = 11):
    # One more than CAMPAIGN_MIN_SIZE: still a campaign after one copy is edited away from it.
    from app.moderation.models import Campaign

    members = [
        post_comment(
            author=create_user(), section=article, body=CAMPAIGN_TEXT, stance="oppose", client_token=f"camp{i}"
        ).comment  # fmt: skip
        for i in range(n)
    ]
    db.session.commit()
    campaign = db.session.scalar(select(Campaign))
    assert campaign is not None and campaign.size == n and campaign.is_campaign
    return campaign, members


def campaign_revision_in(html: str) -> str:
    return re.search(r'name="revision" value="([0-9a-f]+)"', html).group(1)


@pytest.mark.parametrize("change", ["edited", "joined"])
def test_a_campaign_decision_is_refused_when_the_campaign_changed(client, as_moderator, article, create_user, change):
    campaign, members = make_campaign(article, create_user)
    revision = campaign_revision_in(client.get("/en/moderation/campaigns").get_data(as_text=True))
    if change == "edited":
        edit_comment(members[0], user=members[0].author, body=CAMPAIGN_TEXT + " " + SPAM, stance="oppose",
                     proposed_wording=None, lang="ru")  # fmt: skip
    else:
        post_comment(author=create_user(), section=article, body=CAMPAIGN_TEXT, stance="oppose", client_token="late")
    db.session.commit()
    response = client.post(
        f"/en/moderation/campaigns/{campaign.id}/decide", data={"action": "approve", "revision": revision}
    )
    assert response.status_code == 409
    assert "This campaign changed since you opened it" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.state == "approved")) == 0
    assert audit_rows() == []
    # The page shown again carries the new revision, and deciding on it works.
    fresh = campaign_revision_in(response.get_data(as_text=True))
    assert fresh != revision
    again = client.post(
        f"/en/moderation/campaigns/{campaign.id}/decide",
        data={"action": "reject", "reason": "spam", "revision": fresh},
        follow_redirects=True,
    )
    assert "Skipped: 0." in again.get_data(as_text=True)


def test_decide_campaign_refuses_a_stale_revision(article, create_user, moderator):
    campaign, members = make_campaign(article, create_user)
    with pytest.raises(CampaignChangedError):
        decide_campaign(campaign, actor=moderator, action="approve", seen_revision="0" * 32)


def test_the_version_rises_with_every_change_of_what_the_comment_says(article, create_comment):
    comment = create_comment(article, body="Первый текст.", state="pending")
    assert comment.version == 1
    edit_comment(comment, user=comment.author, body="Первый текст.", stance=comment.stance, proposed_wording=None,
                 lang=comment.lang)  # fmt: skip
    assert comment.version == 1  # saved unchanged: nothing for a moderator to read again
    edit_comment(comment, user=comment.author, body="Второй текст.", stance=comment.stance, proposed_wording=None,
                 lang=comment.lang)  # fmt: skip
    assert comment.version == 2
    edit_comment(comment, user=comment.author, body="Второй текст.", stance="amend", proposed_wording="Новая норма.",
                 lang=comment.lang)  # fmt: skip
    assert comment.version == 3
    set_language(comment, user=comment.author, lang="kk" if comment.lang != "kk" else "en")
    assert comment.version == 4
    db.session.commit()


def test_a_suspended_author_cannot_change_a_comment_waiting_in_the_queue(app, article, create_user):
    author = create_user()
    comment = post_comment(
        author=author, section=article, body="Текст, который прочтёт модератор.", stance="oppose", client_token="t1"
    ).comment
    db.session.commit()
    client = login(app, author)
    suspend(author, actor=create_user(role="moderator"), reason="spam")
    db.session.commit()
    assert client.get(f"/en/comments/{comment.id}/edit").status_code == 403
    response = client.post(f"/en/comments/{comment.id}/edit", data={"body": SPAM, "stance": "oppose"})
    assert response.status_code == 403
    db.session.refresh(comment)
    assert comment.body == "Текст, который прочтёт модератор."
