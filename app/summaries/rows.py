"""The approved comments a summary is built from: loaded as plain rows in one query, counted, and grouped by campaign.

Used by app/summaries/builder.py, which describes what counts and how.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from sqlalchemy import select

from app.comments.models import CHANNELS, STANCES, Comment, CommentState
from app.extensions import db
from app.laws.models import LANGS, Law, LawVersion, Section
from app.moderation.models import Campaign, CommentFingerprint


@dataclass(slots=True)
class Row:
    """One approved comment, as loaded (plain values: no ORM objects for 100,000 rows)."""

    id: int
    section_id: int
    author_id: int
    stance: str
    lang: str
    channel: str
    score: float
    body: str
    wording: str | None
    at: datetime  # received (imported) or created
    campaign_id: int | None


@dataclass
class Group:
    """A comment on its own, or the members of one campaign within some set of comments."""

    rows: list[Row]
    campaign_id: int | None = None

    @cached_property
    def lead(self) -> Row:
        """The member that speaks for the group: the best scored, the earliest among equals."""
        return min(self.rows, key=lambda r: (-r.score, r.at, r.id))

    @property
    def size(self) -> int:
        return len(self.rows)

    @cached_property
    def authors(self) -> int:
        return len({r.author_id for r in self.rows})

    @cached_property
    def stance(self) -> str:
        counts = Counter(r.stance for r in self.rows)
        return min(counts, key=lambda s: (-counts[s], STANCES.index(s)))


def load_rows(law: Law, version: LawVersion) -> list[Row]:
    """The version's approved comments with their campaign, in one query."""
    query = (
        select(
            Comment.id,
            Comment.section_id,
            Comment.author_id,
            Comment.stance,
            Comment.lang,
            Comment.channel,
            Comment.score,
            Comment.body,
            Comment.proposed_wording,
            Comment.received_at,
            Comment.created_at,
            Campaign.id,
        )
        .join(Section, Section.id == Comment.section_id)
        .outerjoin(CommentFingerprint, CommentFingerprint.comment_id == Comment.id)
        # Only a campaign counts as one text ×N; "similar comments" are independent voices, each counted alone.
        .outerjoin(Campaign, (Campaign.id == CommentFingerprint.campaign_id) & (Campaign.kind == "campaign"))
        .where(Comment.law_id == law.id, Section.version_id == version.id, Comment.state == CommentState.APPROVED)
        .order_by(Comment.id)
    )
    return [
        Row(cid, sid, author, stance, lang, channel, score or 0.0, body, wording, received or created, campaign)
        for cid, sid, author, stance, lang, channel, score, body, wording, received, created, campaign in (
            db.session.execute(query)
        )
    ]


def count_rows(rows: list[Row]) -> dict:
    by_stance = dict.fromkeys(STANCES, 0)
    by_language = dict.fromkeys(LANGS, 0)
    by_channel = dict.fromkeys(CHANNELS, 0)
    for row in rows:
        by_stance[row.stance] += 1
        by_language[row.lang] += 1
        by_channel[row.channel] += 1
    return {
        "comments": len(rows),
        "authors": len({r.author_id for r in rows}),
        "by_stance": by_stance,
        "by_language": by_language,
        "by_channel": by_channel,
    }


def group_rows(rows: list[Row], campaigns: set[int], key: Callable[[Row], object] | None = None) -> list[Group]:
    """Comments as groups: each campaign (of `campaigns`) once, every other comment alone; in order of first member."""
    by_campaign: dict[object, Group] = {}
    groups = []
    for row in rows:
        if row.campaign_id in campaigns:
            group_key = (row.campaign_id, key(row) if key else None)
            group = by_campaign.get(group_key)
            if group is None:
                group = by_campaign[group_key] = Group([], row.campaign_id)
                groups.append(group)
            group.rows.append(row)
        else:
            groups.append(Group([row]))
    return groups
