"""Campaign membership follows a comment's text: an edit takes it out of a campaign, into one, or dissolves one."""

import re

import pytest
from sqlalchemy import func, select

from app.comments.models import Comment, CommentRevision
from app.comments.services import edit_comment, set_language
from app.extensions import db
from app.moderation import campaigns
from app.moderation.campaigns import _fingerprint_text, fingerprint_comment, fingerprint_missing, regroup_law
from app.moderation.decisions import campaign_revisions, decide, decide_campaign
from app.moderation.errors import CampaignChangedError
from app.moderation.minhash import MIN_CAMPAIGN, group, signature
from app.moderation.models import Campaign, CommentBand, CommentFingerprint

TEXT = (
    "Я категорически против поправок в статью 47 о земельных участках. Эти изменения лишат простых людей "
    "права на землю и отдадут её крупным компаниям. Требуем оставить прежнюю редакцию закона."
)
# The same text with a word changed and one added: what a campaign's copies look like.
NEAR_COPY = TEXT.replace("прежнюю", "старую") + " Подписываюсь."
OTHER_TEXT = (
    "Штрафы за несортированные отходы надо вводить постепенно: сначала контейнеры во всех дворах, "
    "потом разъяснение жителям, и только через год наказание тем, кто всё равно не сортирует."
)
UNRELATED = "Срок рассмотрения жалоб в статье 10 стоит сократить до пятнадцати рабочих дней, как в соседних странах."

# A chain: X and Y are too different to be one campaign, but BRIDGE resembles both and so links them.
_CORE = (
    "поправки в статью 47 о земельных участках лишат простых людей права на землю, "
    "отдадут пастбища крупным компаниям, ударят по фермерам в аулах, "
    "и потому мы требуем обсудить закон заново"
)
X = "Я против: " + _CORE + " как жители Тараза."
BRIDGE = "Я против: " + _CORE + " на открытых слушаниях."
Y = "Наша семья возражает: " + _CORE + " на открытых слушаниях."


@pytest.fixture(autouse=True)
def small_campaigns(app):
    """Membership is tested on groups of a few comments; let them be campaigns (the size rule has its own tests)."""
    app.config["CAMPAIGN_MIN_SIZE"] = 2


def post(create_comment, article, body: str, n: int = 1) -> list[Comment]:
    return [create_comment(article, body=body, stance="oppose", state="pending") for _ in range(n)]


def campaign_of(comment: Comment) -> int | None:
    return db.session.scalar(select(CommentFingerprint.campaign_id).where(CommentFingerprint.comment_id == comment.id))


def members_of(campaign_id: int) -> set[int]:
    return set(
        db.session.scalars(select(CommentFingerprint.comment_id).where(CommentFingerprint.campaign_id == campaign_id))
    )


def assert_campaigns_consistent() -> None:
    """Every campaign row counts its members right, has at least MIN_CAMPAIGN of them, and none is orphaned."""
    counts = dict(
        db.session.execute(
            select(CommentFingerprint.campaign_id, func.count())
            .where(CommentFingerprint.campaign_id.is_not(None))
            .group_by(CommentFingerprint.campaign_id)
        ).all()
    )
    sizes = dict(db.session.execute(select(Campaign.id, Campaign.size)).all())
    assert sizes == counts
    assert all(size >= MIN_CAMPAIGN for size in sizes.values())
    # Look-alikes are found through the group each band row names: it must be its comment's, or a new copy would
    # miss the campaign (or find one that is gone).
    astray = db.session.execute(
        select(CommentBand.comment_id, CommentBand.campaign_id, CommentFingerprint.campaign_id)
        .join(CommentFingerprint, CommentFingerprint.comment_id == CommentBand.comment_id)
        .where(CommentBand.campaign_id.is_distinct_from(CommentFingerprint.campaign_id))
    ).all()
    assert astray == []


def edit(comment: Comment, body: str) -> Comment:
    edit_comment(comment, user=comment.author, body=body, stance=comment.stance, proposed_wording=None,
                 lang=comment.lang)  # fmt: skip
    db.session.commit()
    return comment


def test_an_edit_into_another_text_takes_the_comment_out_of_its_campaign(client, as_moderator, article, create_comment):
    copies = post(create_comment, article, TEXT, 4)
    campaign_id = campaign_of(copies[0])
    assert campaign_id is not None and members_of(campaign_id) == {c.id for c in copies}
    stale = campaign_revisions([campaign_id])[campaign_id]

    edit(copies[3], UNRELATED)

    assert campaign_of(copies[3]) is None
    assert members_of(campaign_id) == {c.id for c in copies[:3]}
    assert db.session.get(Campaign, campaign_id).size == 3
    assert_campaigns_consistent()
    # The page loaded before the edit showed four comments: deciding from it is refused.
    with pytest.raises(CampaignChangedError):
        decide_campaign(db.session.get(Campaign, campaign_id), actor=as_moderator, action="reject", reason="spam",
                        seen_revision=stale)  # fmt: skip
    db.session.rollback()

    html = client.get("/en/moderation/campaigns").get_data(as_text=True)
    assert "One text ×3" in html
    revision = re.search(r'name="revision" value="([0-9a-f]+)"', html).group(1)
    response = client.post(
        f"/en/moderation/campaigns/{campaign_id}/decide",
        data={"action": "reject", "reason": "spam", "revision": revision},
        follow_redirects=True,
    )
    assert "Decided: 3. Skipped: 0." in response.get_data(as_text=True)
    states = dict(db.session.execute(select(Comment.id, Comment.state)).all())
    assert [states[c.id] for c in copies] == ["rejected", "rejected", "rejected", "pending"]


def test_an_edit_into_a_near_copy_joins_the_campaign(article, create_comment, moderator):
    copies = post(create_comment, article, TEXT, 3)
    (loner,) = post(create_comment, article, UNRELATED)
    campaign_id = campaign_of(copies[0])
    assert campaign_of(loner) is None
    assert group({1: signature(TEXT), 2: signature(NEAR_COPY)}) == [[1, 2]]

    edit(loner, NEAR_COPY)

    assert members_of(campaign_id) == {c.id for c in [*copies, loner]}
    assert db.session.get(Campaign, campaign_id).size == 4
    assert_campaigns_consistent()
    revision = campaign_revisions([campaign_id])[campaign_id]
    result = decide_campaign(db.session.get(Campaign, campaign_id), actor=moderator, action="approve",
                             seen_revision=revision)  # fmt: skip
    assert sorted(result.done) == sorted(c.id for c in [*copies, loner])


def test_an_edit_moves_a_comment_from_one_campaign_to_another(article, create_comment):
    first = post(create_comment, article, TEXT, 3)
    second = post(create_comment, article, OTHER_TEXT, 2)
    first_id, second_id = campaign_of(first[0]), campaign_of(second[0])
    assert first_id != second_id

    edit(first[2], OTHER_TEXT)

    assert members_of(first_id) == {c.id for c in first[:2]}
    assert members_of(second_id) == {c.id for c in [*second, first[2]]}
    assert (db.session.get(Campaign, first_id).size, db.session.get(Campaign, second_id).size) == (2, 3)
    assert_campaigns_consistent()


@pytest.mark.parametrize("new_text", [UNRELATED, "Согласен."], ids=["other text", "too short to group"])
def test_a_campaign_that_falls_below_the_minimum_dissolves(client, as_moderator, article, create_comment, new_text):
    copies = post(create_comment, article, TEXT, MIN_CAMPAIGN)
    campaign_id = campaign_of(copies[0])
    assert db.session.get(Campaign, campaign_id).size == MIN_CAMPAIGN
    html = client.get("/en/moderation/campaigns").get_data(as_text=True)
    revision = re.search(r'name="revision" value="([0-9a-f]+)"', html).group(1)

    edit(copies[0], new_text)

    # The campaign row is derived data and goes; the comments, and what the edited one said before, stay.
    assert db.session.get(Campaign, campaign_id) is None
    assert [campaign_of(c) for c in copies] == [None] * MIN_CAMPAIGN
    assert db.session.scalar(select(func.count(Comment.id))) == MIN_CAMPAIGN
    assert db.session.scalar(select(CommentRevision.body).where(CommentRevision.comment_id == copies[0].id)) == TEXT
    assert_campaigns_consistent()
    # A decision from the page loaded before the edit finds no campaign and decides nothing.
    response = client.post(
        f"/en/moderation/campaigns/{campaign_id}/decide", data={"action": "approve", "revision": revision}
    )
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.state == "pending")) == MIN_CAMPAIGN


def test_a_bridging_comment_merges_campaigns_and_its_edit_splits_them_again(article, create_comment):
    signatures = {"x": signature(X), "bridge": signature(BRIDGE), "y": signature(Y)}
    assert group({1: signatures["x"], 2: signatures["y"]}) == []  # the chain holds only through the bridge
    assert group({1: signatures["x"], 2: signatures["bridge"], 3: signatures["y"]}) == [[1, 2, 3]]
    xs = post(create_comment, article, X, 2)
    ys = post(create_comment, article, Y, 2)
    x_id, y_id = campaign_of(xs[0]), campaign_of(ys[0])
    assert x_id != y_id

    (bridge,) = post(create_comment, article, BRIDGE)

    assert members_of(x_id) == {c.id for c in [*xs, *ys, bridge]}
    assert db.session.get(Campaign, y_id) is None  # merged: no empty row left showing its old size
    assert_campaigns_consistent()

    edit(bridge, UNRELATED)

    assert campaign_of(bridge) is None
    assert members_of(x_id) == {c.id for c in xs}  # the larger part (first by id on a tie) keeps the campaign
    assert members_of(campaign_of(ys[0])) == {c.id for c in ys}
    assert campaign_of(ys[0]) != x_id
    assert_campaigns_consistent()


def test_a_language_change_keeps_the_campaign_but_refuses_a_stale_decision(article, create_comment, moderator):
    copies = post(create_comment, article, TEXT, 3)
    campaign_id = campaign_of(copies[0])
    stale = campaign_revisions([campaign_id])[campaign_id]

    set_language(copies[0], user=copies[0].author, lang="kk")
    db.session.commit()

    assert members_of(campaign_id) == {c.id for c in copies}
    assert db.session.get(Campaign, campaign_id).size == 3
    with pytest.raises(CampaignChangedError):
        decide_campaign(db.session.get(Campaign, campaign_id), actor=moderator, action="approve", seen_revision=stale)


def test_incremental_membership_matches_a_regroup_from_scratch(runner, article, create_comment):
    copies = post(create_comment, article, TEXT, 4)
    others = post(create_comment, article, OTHER_TEXT, 2)
    edit(copies[3], OTHER_TEXT)
    edit(others[0], NEAR_COPY)
    incremental = {frozenset(members_of(cid)) for cid in db.session.scalars(select(Campaign.id))}

    result = runner.invoke(args=["moderation", "campaigns", "--law", article.version.law.slug])
    assert result.exit_code == 0, result.output

    regrouped = {frozenset(members_of(cid)) for cid in db.session.scalars(select(Campaign.id))}
    assert (
        regrouped
        == incremental
        == {
            frozenset(c.id for c in [*copies[:3], others[0]]),
            frozenset(c.id for c in [copies[3], others[1]]),
        }
    )
    assert_campaigns_consistent()


def test_the_web_path_and_the_regroup_path_fingerprint_the_same_text(article, create_comment, moderator, monkeypatch):
    (comment,) = [
        create_comment(article, body=TEXT + " Звоните: +7 701 234 5678.", stance="amend", state="pending",
                       proposed_wording="Статью 47 оставить в действующей редакции без изменений.")
    ]  # fmt: skip
    comment_id, law_id = comment.id, comment.law_id
    posted = db.session.get(CommentFingerprint, comment_id).signature
    assert posted and posted == signature(_fingerprint_text(comment))
    assert "Статью 47" in _fingerprint_text(comment)  # the proposed wording counts, on both paths

    decide(comment, actor=moderator, action="publish_masked", seen_version=comment.version)
    db.session.commit()
    assert "701 234" not in comment.body
    # Masking changes the public text, not the fingerprint text: the masked copy stays in its campaign.
    assert signature(_fingerprint_text(comment)) == posted

    calls = []
    original = campaigns._fingerprint_text
    monkeypatch.setattr(campaigns, "_fingerprint_text", lambda c: calls.append(c.id) or original(c))
    fingerprint_comment(comment)
    assert db.session.get(CommentFingerprint, comment.id).signature == posted
    db.session.execute(CommentBand.__table__.delete())
    db.session.execute(CommentFingerprint.__table__.delete())
    db.session.expunge_all()
    assert fingerprint_missing(law_id) == 1
    regroup_law(law_id)
    assert db.session.get(CommentFingerprint, comment_id).signature == posted
    assert calls == [comment_id, comment_id]  # one function, called by both paths
