"""Issue 12, item 8: the workspace as moderators use it. Dismissing flags, the unit's text on the item page,
rendered comments, filters and orders, the next item after a decision, and the pending queue cleared in groups."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from app.comments.models import Comment, Flag
from app.comments.reactions import flag
from app.comments.services import edit_comment, post_comment
from app.db import utcnow
from app.extensions import db
from app.laws.models import Section
from app.moderation.decisions import decide
from app.moderation.errors import CommentChangedError, ModerationError
from app.moderation.models import ModerationAction
from tests.conftest import DEFAULT_PASSWORD
from tests.moderation.test_hardening import make_campaign

SIMILAR_TEXT = (
    "Срок рассмотрения жалоб операторами в пятнадцать календарных дней слишком велик для жителей. Предлагаю "
    "сократить его до пяти рабочих дней и обязать операторов публиковать ответы на своих интернет-ресурсах."
)
OTHER_TEXT = (
    "Операторы должны размещать график вывоза не только на своих сайтах, но и на каждой контейнерной площадке, "
    "потому что пожилые жители района не пользуются интернетом и узнают о переносах слишком поздно."
)


def audit_rows(action=None):
    query = select(ModerationAction).order_by(ModerationAction.id)
    if action:
        query = query.where(ModerationAction.action == action)
    return db.session.scalars(query).all()


def ids_in(html: str) -> list[str]:
    return re.findall(r'name="ids" value="(\d+:\d+)"', html)


def shown(html: str, *comments) -> list[bool]:
    return [f"#{c.id}</strong>" in html for c in comments]


def flagged_comment(create_comment, create_user, article, flaggers: int = 2, **kwargs):
    """A published comment with open flags from established accounts (below the review threshold unless 3)."""
    comment = create_comment(article, **kwargs)
    for _ in range(flaggers):
        flag(comment, user=create_user(created_at=utcnow() - timedelta(days=30)), reason="offensive")
    db.session.commit()
    return comment


def open_flags(comment) -> int:
    return db.session.scalar(
        select(func.count(Flag.id)).where(Flag.comment_id == comment.id, Flag.resolved_at.is_(None))
    )


# --- keep published, dismiss flags -------------------------------------------------------------------------


def test_dismissing_flags_keeps_the_comment_published_and_is_audited(
    client, as_moderator, article, create_comment, create_user
):
    comment = flagged_comment(create_comment, create_user, article, body="Критика оператора, без оскорблений.")
    page = client.get(f"/en/moderation/comments/{comment.id}?queue=flagged").get_data(as_text=True)
    assert 'value="dismiss_flags"' in page and "Keep published, dismiss flags" in page
    response = client.post(
        f"/en/moderation/comments/{comment.id}/decide?queue=flagged",
        data={"action": "dismiss_flags", "version": comment.version, "note": "Критика допустима."},
    )
    assert response.status_code == 302
    db.session.refresh(comment)
    assert comment.state == "approved" and open_flags(comment) == 0
    (row,) = audit_rows()
    assert (row.action, row.actor_id, row.note, row.state_before, row.state_after, row.reason) == (
        "flags_dismissed", as_moderator.id, "Критика допустима.", "approved", "approved", None
    )  # fmt: skip
    assert "Критика оператора, без оскорблений." in client.get(
        f"/en/laws/{comment.law.slug}/sections/{article.id}/"
    ).get_data(as_text=True)
    assert "This queue is empty." in client.get("/en/moderation/flagged").get_data(as_text=True)


def test_bulk_approve_of_a_flagged_published_comment_explains_and_bulk_dismissal_works(
    client, as_moderator, article, create_comment, create_user
):
    comment = flagged_comment(create_comment, create_user, article)
    queue = client.get("/en/moderation/flagged").get_data(as_text=True)
    assert 'value="dismiss_flags"' in queue
    ticked = ids_in(queue)
    html = client.post(
        "/en/moderation/bulk", data={"ids": ticked, "action": "approve", "next": "/en/moderation/flagged"},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "already decided by someone else" not in html
    assert "This comment is already published. To keep it published and close its flags" in html
    assert open_flags(comment) == 2 and audit_rows() == []
    html = client.post(
        "/en/moderation/bulk", data={"ids": ticked, "action": "dismiss_flags", "next": "/en/moderation/flagged"},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "Decided: 1. Skipped: 0." in html
    db.session.refresh(comment)
    assert comment.state == "approved" and open_flags(comment) == 0
    (row,) = audit_rows("flags_dismissed")
    assert row.bulk_id and row.actor_id == as_moderator.id


def test_dismissing_flags_publishes_again_a_comment_the_flags_sent_back(
    article, create_comment, create_user, moderator
):
    comment = flagged_comment(create_comment, create_user, article, flaggers=3)
    assert comment.state == "pending"
    decide(comment, actor=moderator, action="dismiss_flags", seen_version=comment.version)
    db.session.commit()
    assert comment.state == "approved" and open_flags(comment) == 0
    assert audit_rows("flags_dismissed")[0].state_before == "pending"


def test_dismissal_is_refused_on_a_stale_version_and_without_open_flags(
    article, create_comment, create_user, moderator
):
    comment = flagged_comment(create_comment, create_user, article)
    with pytest.raises(CommentChangedError):
        decide(comment, actor=moderator, action="dismiss_flags", seen_version=comment.version + 1)
    db.session.rollback()
    assert open_flags(comment) == 2
    calm = create_comment(article)
    with pytest.raises(ModerationError, match="no open flags"):
        decide(calm, actor=moderator, action="dismiss_flags", seen_version=calm.version)
    db.session.rollback()
    assert audit_rows() == []


# --- the item page and the queue's rendering ---------------------------------------------------------------


def test_the_item_page_shows_the_whole_unit_in_the_moderators_language(client, as_moderator, article, create_comment):
    comment = create_comment(article, state="pending")
    ru = client.get(f"/ru/moderation/comments/{comment.id}").get_data(as_text=True)
    assert "Статья 10" in ru
    assert "размещать на своих интернет-ресурсах график вывоза и тарифы" in ru  # sub-point 1.3
    assert "в течение пятнадцати календарных дней" in ru  # point 2
    # The draft has no English text: it is shown in another language, and the page says so.
    en = client.get(f"/en/moderation/comments/{comment.id}").get_data(as_text=True)
    assert "This text is not available in your language yet. It is shown in" in en
    assert "он бес күнтізбелік күн ішінде қарайды" in en or "в течение пятнадцати календарных дней" in en


def test_queues_render_markdown_as_the_public_page_does(client, as_moderator, article, create_comment):
    create_comment(article, body="Срок **слишком мал** для жалоб.\n\n- первое\n- второе", state="pending")
    html = client.get("/en/moderation/pending").get_data(as_text=True)
    assert "<strong>слишком мал</strong>" in html and "<li>первое</li>" in html
    assert "**" not in html


def test_markup_in_a_comment_is_not_let_through(client, as_moderator, article, create_comment):
    create_comment(article, body='Смотрите <script>alert(1)</script> <img src=x onerror="alert(2)">', state="pending")
    html = client.get("/en/moderation/pending").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html


# --- filters and orders ------------------------------------------------------------------------------------


def test_the_unit_filter_takes_a_number_and_explains_a_bad_one(client, as_moderator, article, create_comment):
    point = db.session.scalar(select(Section).where(Section.parent_id == article.id, Section.number == "2"))
    article_9 = db.session.scalar(
        select(Section).where(Section.version_id == article.version_id, Section.key == "article:9")
    )
    on_article, on_point, elsewhere = (create_comment(s, state="pending") for s in (article, point, article_9))
    slug = article.version.law.slug
    html = client.get(f"/en/moderation/pending?law={slug}&unit=10").get_data(as_text=True)
    assert shown(html, on_article, on_point, elsewhere) == [True, True, False]
    html = client.get(f"/en/moderation/pending?law={slug}&unit=10.2").get_data(as_text=True)
    assert shown(html, on_article, on_point, elsewhere) == [False, True, False]
    response = client.get(f"/en/moderation/pending?law={slug}&unit=99.7")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The draft has no unit 99.7" in html and shown(html, on_article, on_point, elsewhere) == [True] * 3
    html = client.get("/en/moderation/pending?unit=10").get_data(as_text=True)
    assert "Choose a draft law to pick a unit by its number." in html
    assert "Section id" not in html


def test_each_filter_narrows_the_queue(client, as_moderator, article, create_comment, create_law_from):
    other_law = create_law_from([("ru", "air-quality.ru.txt"), ("kk", "air-quality.kk.txt")], slug="air-quality")
    other_law.opens_at, other_law.closes_at = utcnow() - timedelta(days=1), utcnow() + timedelta(days=5)
    other_section = db.session.scalar(
        select(Section).where(Section.version_id == other_law.latest_version.id, Section.kind == "article")
    )
    db.session.commit()
    plain = create_comment(article, body="Срок надо сократить.", stance="support", state="pending")
    opposing = create_comment(article, body="Я против этой статьи.", stance="oppose", state="pending")
    kazakh = create_comment(article, body="Мерзімді қысқарту керек.", lang="kk", state="pending")
    letter = create_comment(article, body="Письмо жителей района.", state="pending")
    letter.channel = "letter"
    with_iin = create_comment(article, body="Мой ИИН 900101300007, прошу учесть.", state="pending")
    on_other = create_comment(other_section, body="О качестве воздуха.", state="pending")
    db.session.commit()
    everyone = (plain, opposing, kazakh, letter, with_iin, on_other)
    expected = {
        "stance=oppose": [opposing],
        "lang=kk": [kazakh],
        "channel=letter": [letter],
        "hint=iin": [with_iin],
        "law=air-quality": [on_other],
        "hint=none&stance=support&lang=ru&channel=web&law=household-waste": [plain],
    }
    for query, wanted in expected.items():
        html = client.get(f"/en/moderation/pending?{query}").get_data(as_text=True)
        assert shown(html, *everyone) == [c in wanted for c in everyone], query
    # A value the queue does not know is ignored, never a 500.
    response = client.get("/en/moderation/pending?stance=angry&lang=xx&channel=fax&hint=nope&sort=random")
    assert response.status_code == 200 and shown(response.get_data(as_text=True), *everyone) == [True] * 6


def test_sort_orders_and_the_largest_group_first(client, as_moderator, article, create_comment, create_user):
    alone = create_comment(article, body="Отдельное мнение о статье.", state="pending")
    pair = [create_comment(article, body=OTHER_TEXT, stance="oppose", state="pending") for _ in range(2)]
    trio = [create_comment(article, body=SIMILAR_TEXT, stance="oppose", state="pending") for _ in range(3)]
    order = [alone, *pair, *trio]

    def positions(query):
        html = client.get(f"/en/moderation/pending?{query}").get_data(as_text=True)
        return sorted(order, key=lambda c: html.index(f"#{c.id}</strong>"))

    assert positions("") == order
    assert positions("sort=newest") == order[::-1]
    assert positions("sort=largest") == [*trio, *pair, alone]
    # The pager keeps the filters and the order.
    client.application.config["MODERATION_PER_PAGE"] = 2
    html = client.get("/en/moderation/pending?sort=largest&stance=oppose").get_data(as_text=True)
    assert "page=2" in html and "sort=largest" in html and "stance=oppose" in html


# --- the next item after a decision -----------------------------------------------------------------------


def test_a_decision_opens_the_next_item_of_the_same_queue_and_filters(client, as_moderator, article, create_comment):
    first = create_comment(article, stance="oppose", state="pending")
    skipped = create_comment(article, stance="support", state="pending")
    second = create_comment(article, stance="oppose", state="pending")
    queue = client.get("/en/moderation/pending?stance=oppose").get_data(as_text=True)
    link = re.search(rf'href="([^"]*/comments/{first.id}\?[^"]*)"', queue).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query) == {"queue": ["pending"], "stance": ["oppose"]}
    page = client.get(link).get_data(as_text=True)
    action = re.search(r'action="([^"]*/decide[^"]*)"', page).group(1).replace("&amp;", "&")
    response = client.post(action, data={"action": "approve", "version": first.version})
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert target.path == f"/en/moderation/comments/{second.id}"
    assert parse_qs(target.query) == {"queue": ["pending"], "stance": ["oppose"]}
    response = client.post(
        f"/en/moderation/comments/{second.id}/decide?queue=pending&stance=oppose",
        data={"action": "reject", "reason": "spam", "version": second.version},
    )
    assert urlsplit(response.location).path == "/en/moderation/pending"
    html = client.get(response.location).get_data(as_text=True)
    assert "No other comment in this queue matches your filters." in html
    db.session.refresh(skipped)
    assert skipped.state == "pending"
    response = client.post(
        f"/en/moderation/comments/{skipped.id}/decide?queue=pending",
        data={"action": "approve", "version": skipped.version},
        follow_redirects=True,
    )
    assert "Decision recorded. The queue is empty." in response.get_data(as_text=True)


# --- clearing the pending queue in groups ------------------------------------------------------------------


@pytest.fixture
def similar_group(app, article, create_user):
    """Twelve pending look-alike comments: a group of similar comments, not a campaign."""
    app.config["CAMPAIGN_MIN_SIZE"] = 50
    comments = [
        post_comment(
            author=create_user(), section=article, body=SIMILAR_TEXT, stance="oppose", client_token=f"similar{i}"
        ).comment  # fmt: skip
        for i in range(12)
    ]
    db.session.commit()
    return comments


def test_a_group_of_twelve_similar_comments_is_approved_in_one_post(client, as_moderator, article, similar_group,
                                                                    create_comment):  # fmt: skip
    alone = create_comment(article, body="Совсем другое мнение.", state="pending")
    page = client.get("/en/moderation/pending/groups").get_data(as_text=True)
    assert "13 comments are waiting for a decision." in page and "1 of them is in no group" in page
    assert "12 pending similar comments" in page
    ticked = ids_in(page)
    assert len(ticked) == 12
    response = client.post(
        "/en/moderation/pending/groups/decide",
        data={"ids": ticked, "action": "approve", "next": "/en/moderation/pending/groups"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Decided: 12. Skipped: 0." in html and "1 comment is waiting for a decision." in html
    rows = audit_rows("approve")
    assert len(rows) == 12 and len({row.bulk_id for row in rows}) == 1 and rows[0].bulk_id
    assert {row.comment_id for row in rows} == {c.id for c in similar_group}
    db.session.refresh(alone)
    assert alone.state == "pending"


def test_a_group_decision_is_refused_whole_when_one_comment_changed(client, as_moderator, similar_group):
    ticked = ids_in(client.get("/en/moderation/pending/groups").get_data(as_text=True))
    changed = similar_group[5]
    edit_comment(changed, user=changed.author, body=SIMILAR_TEXT + " Купите часы на spam.example!",
                 stance="oppose", proposed_wording=None, lang="ru")  # fmt: skip
    db.session.commit()
    response = client.post(
        "/en/moderation/pending/groups/decide",
        data={"ids": ticked, "action": "reject", "reason": "spam", "next": "/en/moderation/pending/groups"},
    )
    assert response.status_code == 409
    assert "1 comment of this group changed since you opened the page. Nothing was decided" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.state != "pending")) == 0
    assert audit_rows() == []


def test_comments_with_the_same_hints_group_and_personal_data_is_masked(client, as_moderator, article, create_comment):
    first = create_comment(article, body="Мой ИИН 900101300007, прошу учесть моё мнение о сроках.", state="pending")
    second = create_comment(article, body="Пишу о тарифах; ИИН 850505400127 для обратной связи.", state="pending")
    page = client.get("/en/moderation/pending/groups").get_data(as_text=True)
    assert "2 pending comments with the same screening hints" in page
    assert 'value="publish_masked"' in page and 'value="approve"' not in page
    client.post(
        "/en/moderation/pending/groups/decide",
        data={"ids": ids_in(page), "action": "publish_masked", "next": "/en/moderation/pending/groups"},
    )
    for comment in (first, second):
        db.session.refresh(comment)
        assert comment.state == "approved" and comment.masked_at is not None and "ИИН" in comment.body
        assert "900101300007" not in comment.body and "850505400127" not in comment.body


def test_a_campaign_in_the_groups_uses_the_campaign_decision(client, as_moderator, article, create_user):
    campaign, members = make_campaign(article, create_user)
    page = client.get("/en/moderation/pending/groups").get_data(as_text=True)
    assert "Campaign: 11 pending copies of one text" in page
    assert f"/en/moderation/campaigns/{campaign.id}/decide" in page and ids_in(page) == []
    revision = re.search(r'name="revision" value="([0-9a-f]+)"', page).group(1)
    html = client.post(
        f"/en/moderation/campaigns/{campaign.id}/decide",
        data={"action": "approve", "revision": revision, "next": "/en/moderation/pending/groups"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Decided: 11. Skipped: 0." in html and "No pending comments form a group." in html


def test_a_group_decision_needs_a_known_action_and_well_formed_ids(client, as_moderator, similar_group):
    ticked = ids_in(client.get("/en/moderation/pending/groups").get_data(as_text=True))
    hide = client.post("/en/moderation/pending/groups/decide", data={"ids": ticked, "action": "hide"})
    assert hide.status_code == 400
    bad = client.post("/en/moderation/pending/groups/decide", data={"ids": ["1:²"], "action": "approve"})
    assert bad.status_code == 400
    assert audit_rows() == []


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_group_forms_carry_csrf_and_a_post_without_it_is_refused(self, app, client, moderator, similar_group):
        page = client.get("/en/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = {"email": moderator.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
        assert client.post("/en/auth/login", data=data).status_code == 302
        page = client.get("/en/moderation/pending/groups").get_data(as_text=True)
        form = re.search(r'<form method="post" action="/en/moderation/pending/groups/decide">(.*?)</form>', page, re.S)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1)).group(1)
        data = {"ids": ids_in(page), "action": "approve", "next": "/en/moderation/pending/groups"}
        assert client.post("/en/moderation/pending/groups/decide", data=data).status_code == 400
        assert audit_rows() == []
        response = client.post("/en/moderation/pending/groups/decide", data={**data, "csrf_token": token})
        assert response.status_code == 302 and len(audit_rows("approve")) == 12
