"""Campaigns end to end: 300 near-identical comments among 3,000 others, grouped and decided at once."""

import random
import re

from sqlalchemy import func, select

from app.comments.models import Comment
from app.comments.services import post_comment
from app.extensions import db
from app.moderation.models import Campaign, CommentFingerprint, ModerationAction
from tests.moderation.test_campaigns import RU_BASE, RU_CITIES, RU_NAMES, RU_SYNONYMS, campaign_copy, other_comment
from tests.moderation.test_workspace import bulk_pending


def test_planted_campaign_is_grouped_exactly_and_decided_in_one_go(client, runner, as_moderator, article):
    rng = random.Random(7)
    texts = [("other", other_comment(rng, rng.choice(["ru", "kk", "en"]))) for _ in range(3000)]
    texts += [("campaign", campaign_copy(rng, RU_BASE, RU_NAMES, RU_CITIES, RU_SYNONYMS)) for _ in range(300)]
    rng.shuffle(texts)
    bulk_pending((article.version.law_id, article.id), len(texts), texts=[text for _, text in texts], prefix="camp")
    planted = {
        comment_id
        for comment_id, body in db.session.execute(select(Comment.id, Comment.body))
        if body in {text for kind, text in texts if kind == "campaign"}
    }
    assert len(planted) == 300

    result = runner.invoke(args=["moderation", "campaigns", "--law", article.version.law.slug])
    assert result.exit_code == 0, result.output
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.size.desc())).all()
    assert campaigns and campaigns[0].size == 300
    assert all(c.size <= 3 for c in campaigns[1:])  # no second mass campaign invented from the others
    members = set(
        db.session.scalars(
            select(CommentFingerprint.comment_id).where(CommentFingerprint.campaign_id == campaigns[0].id)
        )
    )
    assert members == planted  # no outsider, no member missed

    html = client.get("/en/moderation/campaigns").get_data(as_text=True)
    assert "One text ×300" in html
    revision = re.search(r'name="revision" value="([0-9a-f]+)"', html).group(1)
    response = client.post(
        f"/en/moderation/campaigns/{campaigns[0].id}/decide",
        data={"action": "reject", "reason": "spam", "revision": revision},
        follow_redirects=True,
    )
    assert "Decided: 300. Skipped: 0." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ModerationAction.id)).where(ModerationAction.action == "reject")) == 300
    assert db.session.scalar(select(func.count(Comment.id)).where(Comment.state == "rejected")) == 300


def test_new_comments_join_their_campaign_as_they_arrive(article, create_user):
    rng = random.Random(3)
    ids = []
    for n in range(5):
        text = campaign_copy(rng, RU_BASE, RU_NAMES, RU_CITIES, RU_SYNONYMS)
        ids.append(
            post_comment(
                author=create_user(), section=article, body=text, stance="oppose", client_token=f"c{n}"
            ).comment.id
        )
    post_comment(
        author=create_user(),
        section=article,
        body="Совсем другое мнение о сроках рассмотрения жалоб.",
        stance="support",
        client_token="x",
    )
    db.session.commit()
    campaign = db.session.scalar(select(Campaign))
    assert campaign is not None and campaign.size == 5
    members = set(
        db.session.scalars(select(CommentFingerprint.comment_id).where(CommentFingerprint.campaign_id == campaign.id))
    )
    assert members == set(ids)
