"""Put generated comments on a draft in bulk (Core inserts, executemany): for tests and bench/summaries.py."""

import random
import uuid
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import insert, select

from app.auth.models import User
from app.comments.models import CHANNELS, Comment
from app.db import utcnow
from app.extensions import db
from app.laws.models import Law, LawVersion, Section
from app.laws.numbering import sections_by_number_path
from app.moderation.models import Campaign, CommentFingerprint
from tests.summaries.corpus import GeneratedComment

BATCH = 5000


def make_authors(count: int, prefix: str | None = None, external_share: float = 0.1) -> list[int]:
    """Insert `count` citizen accounts (some of them imported, external authors) and return their ids."""
    prefix = prefix or uuid.uuid4().hex[:8]
    now = utcnow()
    rows = [
        {
            "email": f"{prefix}-{n}@example.kz",
            "display_name": f"Author {n}",
            "password_hash": "!",
            "role": "citizen",
            "locale": "kk",
            "session_token": f"{prefix}-{n}-{uuid.uuid4().hex}",
            "email_confirmed_at": now,
            "created_at": now,
            "external": n % 10 < external_share * 10,
        }
        for n in range(count)
    ]
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(User), rows[start : start + BATCH])
    return list(db.session.scalars(select(User.id).where(User.email.like(f"{prefix}-%")).order_by(User.id)))


def insert_comments(
    law: Law,
    version: LawVersion,
    comments: Iterable[GeneratedComment],
    authors: list[int],
    *,
    state: str = "approved",
    seed: int = 1,
    campaign_of: dict[int, int] | None = None,
    distinct_authors: bool = False,
) -> list[int]:
    """Insert comments on the sections their numbers name; return the new ids in order.

    Channel, score and time are drawn at random (seeded), and so is the author unless `distinct_authors` (the n-th
    comment by the n-th author); `campaign_of` maps an index in `comments` to a Campaign id, recorded as the
    comment's fingerprint.
    """
    rng = random.Random(seed)
    in_version = db.session.scalars(select(Section).where(Section.version_id == version.id))
    sections = sections_by_number_path(in_version, kinds=("article", "point", "subpoint"))
    now = utcnow()
    rows = []
    for n, item in enumerate(comments):
        created = now - timedelta(minutes=rng.randint(1, 60 * 24 * 20))
        channel = "web" if rng.random() < 0.7 else rng.choice(CHANNELS)
        rows.append(
            {
                "law_id": law.id,
                # A point the article does not have: the comment goes on the article.
                "section_id": (sections.get(item.number) or sections[item.number.split(".")[0]]).id,
                "author_id": authors[n % len(authors)] if distinct_authors else rng.choice(authors),
                "depth": 0,
                "stance": item.stance,
                "body": item.body,
                "body_html": f"<p>{item.body}</p>",
                "proposed_wording": item.proposed_wording,
                "lang": item.lang,
                "lang_detected": item.lang,
                "state": state,
                "client_token": uuid.uuid4().hex,
                "agree_count": 0,
                "disagree_count": 0,
                "score": round(rng.random(), 4),
                "created_at": created,
                "updated_at": created,
                "published_at": created if state == "approved" else None,
                "version": 1,
                "channel": channel,
                "received_at": created - timedelta(days=1) if channel != "web" else None,
            }
        )
    first = (db.session.scalar(select(Comment.id).order_by(Comment.id.desc()).limit(1)) or 0) + 1
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(Comment), rows[start : start + BATCH])
    ids = list(db.session.scalars(select(Comment.id).where(Comment.id >= first).order_by(Comment.id)))
    if campaign_of:
        db.session.execute(
            insert(CommentFingerprint),
            [
                {"comment_id": ids[n], "law_id": law.id, "signature": b"", "campaign_id": campaign_id}
                for n, campaign_id in campaign_of.items()
            ],
        )
    return ids


def make_campaign(law: Law, size: int) -> int:
    """A Campaign row (as moderation's grouping would leave it) and its id."""
    campaign = Campaign(law_id=law.id, size=size, kind="campaign")
    db.session.add(campaign)
    db.session.flush()
    return campaign.id
