"""Campaigns against similar comments: a mass copy-paste stands out, people who agree in similar words do not."""

import random
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from app.auth.models import User
from app.comments.models import Comment
from app.comments.services import post_comment
from app.extensions import db
from app.laws.models import Section
from app.moderation.campaigns import campaign_kinds, densest, fingerprint_missing, regroup_law
from app.moderation.decisions import decide_campaign
from app.moderation.errors import ModerationError
from app.moderation.models import Campaign, CommentFingerprint, ModerationAction
from app.summaries.rows import load_rows
from tests.moderation.test_campaigns import (
    RU_BASE,
    RU_CITIES,
    RU_NAMES,
    RU_SYNONYMS,
    _free,
    campaign_copy,
    other_comment,
)

# Opinions many people hold and put in the same words: independent comments share them, whole or in part.
SHARED = {
    "ru": [
        "Считаю, что эта статья ухудшит положение пенсионеров.",
        "Нужно провести общественные слушания до принятия закона.",
        "Сроки вступления в силу слишком короткие для малого бизнеса.",
        "Формулировка нормы размыта и допускает злоупотребления.",
        "Предлагаю вернуть прежнюю редакцию этой статьи.",
        "Поддерживаю идею, но механизм реализации не продуман.",
        "Расходы бюджета на это нигде не посчитаны.",
        "Сельские жители окажутся в худшем положении, чем горожане.",
        "Надо предусмотреть переходный период не меньше года.",
        "Закон должен быть доступен на казахском и русском языках одновременно.",
    ],
    "kk": [
        "Бұл бап зейнеткерлердің жағдайын нашарлатады деп ойлаймын.",
        "Заң қабылданар алдында қоғамдық тыңдау өткізу керек.",
        "Шағын бизнес үшін күшіне ену мерзімі тым қысқа.",
        "Норманың тұжырымы бұлыңғыр, теріс пайдалануға жол береді.",
        "Осы баптың бұрынғы редакциясын қалдыруды ұсынамын.",
        "Идеяны қолдаймын, бірақ іске асыру тетігі ойластырылмаған.",
        "Бұған кететін бюджет шығыны ешбір жерде есептелмеген.",
        "Ауыл тұрғындары қала тұрғындарынан гөрі қиын жағдайда қалады.",
    ],
    "en": [
        "I think this article will make life harder for pensioners.",
        "Public hearings should be held before the law is passed.",
        "The transition period is far too short for small businesses.",
        "The wording of this rule is vague and invites abuse.",
        "I propose keeping the current version of this article.",
        "The budget cost of this has not been calculated anywhere.",
    ],
}
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def independent_comment(rng: random.Random) -> str:
    """One person's comment: one to three common opinions, and nothing, a few words or a paragraph of their own."""
    lang = rng.choice(["ru", "ru", "kk", "kk", "en"])
    parts = rng.sample(SHARED[lang], rng.choice([1, 2, 2, 3]))
    own = rng.random()
    if own >= 0.7:
        parts.append(other_comment(rng, lang))
    elif own >= 0.3:
        parts.append(" ".join(_free(rng, lang).split()[:4]))
    rng.shuffle(parts)
    return " ".join(parts)


def consultation(seed: int, independent: int = 1700, copies: int = 300) -> list[dict]:
    """Independent comments over three weeks, and one text pasted from `copies` accounts in an afternoon."""
    rng = random.Random(seed)
    rows = [
        {
            "kind": "independent",
            "body": independent_comment(rng),
            "at": START + timedelta(minutes=rng.randrange(21 * 24 * 60)),
        }
        for _ in range(independent)
    ]
    afternoon = START + timedelta(days=rng.randrange(1, 20), hours=5)  # 14:00
    rows += [
        {
            "kind": "campaign",
            "body": campaign_copy(rng, RU_BASE, RU_NAMES, RU_CITIES, RU_SYNONYMS),
            "at": afternoon + timedelta(minutes=rng.randrange(240)),
        }
        for _ in range(copies)
    ]
    rng.shuffle(rows)
    return rows


def load(law, rows: list[dict], sections: list[Section], prefix: str) -> dict[int, str]:
    """Insert the comments, each by its own account, spread over the sections; their ids and kinds."""
    db.session.execute(
        insert(User),
        [
            {
                "email": f"{prefix}{i}@example.kz",
                "display_name": f"Voice {i}",
                "password_hash": "x",
                "role": "citizen",
                "locale": "ru",
                "session_token": uuid.uuid4().hex,
            }
            for i in range(len(rows))
        ],  # fmt: skip
    )
    authors = db.session.scalars(
        select(User.id).where(User.email.like(f"{prefix}%@example.kz")).order_by(User.id)
    ).all()
    db.session.execute(
        insert(Comment),
        [
            {
                "law_id": law.id,
                "section_id": sections[i % len(sections)].id,
                "author_id": author_id,
                "depth": 0,
                "stance": "oppose",
                "body": row["body"],
                "body_html": f"<p>{row['body']}</p>",
                "lang": "ru",
                "lang_detected": "ru",
                "state": "pending",
                "client_token": f"{prefix}-{i}",
                "agree_count": 0,
                "disagree_count": 0,
                "score": 0.0,
                "created_at": row["at"],
                "updated_at": row["at"],
            }
            for i, (author_id, row) in enumerate(zip(authors, rows, strict=True))
        ],  # fmt: skip
    )
    ids = db.session.scalars(select(Comment.id).where(Comment.client_token.like(f"{prefix}-%"))).all()
    by_token = dict(db.session.execute(select(Comment.client_token, Comment.id).where(Comment.id.in_(ids))).all())
    return {by_token[f"{prefix}-{i}"]: row["kind"] for i, row in enumerate(rows)}


def groups_of(law_id: int, kind: str) -> dict[int, set[int]]:
    members: dict[int, set[int]] = {}
    for campaign_id, comment_id in db.session.execute(
        select(Campaign.id, CommentFingerprint.comment_id)
        .join(CommentFingerprint, CommentFingerprint.campaign_id == Campaign.id)
        .where(Campaign.law_id == law_id, Campaign.kind == kind)
    ):
        members.setdefault(campaign_id, set()).add(comment_id)
    return members


@pytest.mark.parametrize("seed", [1, 2])
def test_a_pasted_campaign_is_one_campaign_and_agreeing_people_are_not(open_law, seed, capsys):
    sections = db.session.scalars(
        select(Section)
        .where(Section.version_id == open_law.latest_version.id, Section.key.like("article:%"))
        .order_by(Section.id)
        .limit(4)
    ).all()
    kinds = load(open_law, consultation(seed), sections, prefix=f"q{seed}-")
    fingerprint_missing(open_law.id)
    regroup_law(open_law.id)
    db.session.commit()

    campaigns = groups_of(open_law.id, "campaign")
    similar = groups_of(open_law.id, "similar")
    planted = {cid for cid, kind in kinds.items() if kind == "campaign"}
    independent = set(kinds) - planted
    in_campaigns = set().union(*campaigns.values()) if campaigns else set()
    grouped = set().union(*similar.values()) if similar else set()
    with capsys.disabled():
        print(
            f"\nseed {seed}: {len(campaigns)} campaign(s) {sorted(len(m) for m in campaigns.values())}, "
            f"recall {len(in_campaigns & planted)}/{len(planted)}, independent in campaigns "
            f"{len(in_campaigns & independent)}/{len(independent)}; {len(similar)} groups of similar comments "
            f"(largest {max((len(m) for m in similar.values()), default=0)}) holding {len(grouped & independent)} "
            "independent comments"
        )
    assert len(campaigns) == 1
    assert len(in_campaigns & planted) >= 295
    assert len(in_campaigns & independent) <= 0.02 * len(independent)
    # People who share an opinion do write alike: they are shown together, never decided as one campaign.
    assert similar


@pytest.mark.parametrize("text", ["Поддерживаю.", "Қолдаймын.", "I disagree.", "Согласен полностью!"])
def test_short_generic_comments_are_never_a_campaign(article, create_user, text):
    for n in range(50):
        post_comment(author=create_user(), section=article, body=text, stance="support", client_token=f"s{n}")
    db.session.commit()
    assert db.session.scalar(select(func.count(Campaign.id))) == 0
    assert regroup_law(article.version.law_id) == []


TEXT = (
    "Я категорически против поправок в статью 47 о земельных участках. Эти изменения лишат простых людей "
    "права на землю и отдадут её крупным компаниям. Требуем оставить прежнюю редакцию закона."
)


def post_copies(article, create_user, n: int, start: int = 0) -> list[Comment]:
    comments = [
        post_comment(author=create_user(), section=article, body=TEXT, stance="oppose", client_token=f"c{i}").comment
        for i in range(start, start + n)
    ]
    db.session.commit()
    return comments


def test_a_small_group_is_similar_comments_shown_but_not_decided_or_counted_as_one(
    client, as_moderator, article, create_user
):
    copies = post_copies(article, create_user, 4)
    group = db.session.scalar(select(Campaign))
    assert group.size == 4 and group.kind == "similar"
    with pytest.raises(ModerationError):
        decide_campaign(group, actor=as_moderator, action="approve", seen_revision="0" * 32)
    html = client.get("/en/moderation/campaigns").get_data(as_text=True)
    assert "Similar comments ×4" in html and "4 distinct authors" in html
    assert copies[0].author.display_name in html
    assert f"/en/moderation/campaigns/{group.id}/decide" not in html  # no bulk decision offered
    # The summary counts each of them as a comment of its own.
    for comment in copies:
        comment.state = "approved"
    db.session.commit()
    rows = load_rows(article.version.law, article.version)
    assert [row.campaign_id for row in rows] == [None] * 4


def test_a_group_becomes_a_campaign_when_it_reaches_the_minimum_size(client, as_moderator, article, create_user):
    post_copies(article, create_user, 9)
    assert db.session.scalar(select(Campaign.kind)) == "similar"
    post_copies(article, create_user, 1, start=9)
    campaign = db.session.scalar(select(Campaign))
    assert campaign.size == 10 and campaign.kind == "campaign"
    html = client.get("/en/moderation/campaigns").get_data(as_text=True)
    assert "One text ×10" in html and "10 distinct authors" in html and "a burst: 10 of the copies" in html


def test_a_moderator_takes_a_comment_out_of_a_campaign(client, as_moderator, article, create_user):
    copies = post_copies(article, create_user, 11)
    campaign = db.session.scalar(select(Campaign))
    assert campaign.kind == "campaign"
    html = client.get("/en/moderation/campaigns").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    data = {"csrf_token": token.group(1)} if token else {}
    for comment in copies[:2]:
        response = client.post(f"/en/moderation/comments/{comment.id}/ungroup", data=data, follow_redirects=True)
        assert "The comment is taken out of the group." in response.get_data(as_text=True)
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    # Nine left: below the campaign size, so no longer decided in bulk.
    assert campaign.size == 9 and campaign.kind == "similar"
    audit = db.session.scalars(select(ModerationAction).where(ModerationAction.action == "ungroup")).all()
    assert sorted(row.comment_id for row in audit) == sorted(c.id for c in copies[:2])
    assert {row.actor_id for row in audit} == {as_moderator.id}
    # Taken out for good: neither a regroup nor a new copy puts it back.
    regroup_law(article.version.law_id)
    post_copies(article, create_user, 1, start=11)
    kept_out = db.session.scalars(
        select(CommentFingerprint.campaign_id).where(CommentFingerprint.comment_id.in_([c.id for c in copies[:2]]))
    ).all()
    assert kept_out == [None, None]
    # A comment in no group cannot be taken out.
    client.post(f"/en/moderation/comments/{copies[0].id}/ungroup", data=data)
    assert db.session.scalar(select(func.count(ModerationAction.id))) == 2


def test_campaign_kinds_pick_the_groups_above_the_first_leap_in_size():
    # A ladder of look-alike groups (2 ... 67) and a mass text far above it.
    assert campaign_kinds({1: 300, 2: 67, 3: 64, 4: 20, 5: 3, 6: 2}, min_size=10) == {1}
    # Two mass texts on one draft are both campaigns.
    assert campaign_kinds({1: 300, 2: 200, 3: 5, 4: 3}, min_size=10) == {1, 2}
    # Nothing stands out: all similar comments.
    assert campaign_kinds({1: 40, 2: 30, 3: 20, 4: 12, 5: 8, 6: 5, 7: 3, 8: 2}, min_size=10) == set()
    # Large enough and alone on its draft; too small however alone.
    assert campaign_kinds({1: 10}, min_size=10) == {1}
    assert campaign_kinds({1: 9}, min_size=10) == set()
    # A tenth of the draft's comments in one text is a campaign even where the ladder below it reaches far up.
    ladder = {1: 300, 2: 110, 3: 80, 4: 40, 5: 20, 6: 9, 7: 4, 8: 2}
    assert campaign_kinds(ladder, min_size=10) == set()
    assert campaign_kinds(ladder, min_size=10, comments=2000) == {1}


def test_densest_counts_the_most_arrivals_in_one_window():
    start = datetime(2026, 1, 1, 14, tzinfo=UTC)
    times = [start + timedelta(minutes=m) for m in range(0, 240, 10)] + [start + timedelta(days=d) for d in (2, 5)]
    assert densest(times) == 24
    assert densest([]) == 0
    assert densest([start, start + timedelta(hours=7)]) == 1


def campaigns_among(app, article, create_comment, sizes: list[int], body: str):
    """120 comments on the draft and look-alike groups of these sizes; a function that classifies them again and
    returns the sizes of those that are campaigns, and one that adds the 121st comment."""
    from app.moderation.campaigns import classify_law

    app.config.update(CAMPAIGN_MIN_SIZE=2, COMMENT_RATE_PER_MINUTE=1000, COMMENT_RATE_PER_DAY=1000)
    law_id = article.version.law_id
    for n in range(120):
        create_comment(article, body=f"{body} {n}", state="pending")
    groups = [Campaign(law_id=law_id, size=size) for size in sizes]
    db.session.add_all(groups)
    db.session.flush()

    def campaigns() -> list[int]:
        classify_law(law_id)
        db.session.flush()
        return sorted(group.size for group in groups if db.session.get(Campaign, group.id).kind == "campaign")

    return campaigns, lambda: create_comment(article, body=f"{body} 120", state="pending")


def test_a_group_is_a_campaign_by_its_share_of_the_draft_up_to_exactly_a_tenth(app, article, create_comment):
    """The draft's comments are counted only up to ten times its largest group: the tenth still falls where it did."""
    # A ladder with no leap in it (none is three times the next): only a share of the draft makes a campaign.
    campaigns, one_more = campaigns_among(app, article, create_comment, [12, 9, 7, 5, 4, 3, 2], "Отзыв")
    assert campaigns() == [12]  # 12 of 120 comments: a tenth
    one_more()
    assert campaigns() == []  # 12 of 121: less


def test_a_group_below_a_campaign_is_still_one_by_its_share(app, article, create_comment):
    """A group the ladder of sizes leaves out is still a campaign when it holds a tenth of the draft's comments."""
    # 40 stands out (more than three times 12); 12 does not, but is a tenth of 120 comments.
    campaigns, one_more = campaigns_among(app, article, create_comment, [40, 12, 2], "Пікір")
    assert campaigns() == [12, 40]
    one_more()
    assert campaigns() == [40]
