"""What the answering pages show, read from the rows: the due day, the counts, the comments left to answer, the
themes and campaigns of a draft with how much of each is answered."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.answers import calendar
from app.answers.models import AnswerLink
from app.answers.services import latest_snapshot
from app.comments.models import Comment, CommentState
from app.db import utcnow
from app.extensions import db
from app.laws.models import Law
from app.moderation.models import Campaign, CommentFingerprint
from app.summaries.models import SummarySnapshot
from app.summaries.presenting import unit_heading


@dataclass(frozen=True)
class Deadline:
    """When answers are due and how many working days are left (negative: overdue by that many)."""

    due: date | None
    working_days: int
    left: int = 0

    @property
    def overdue(self) -> bool:
        return self.left < 0


def deadline(law: Law) -> Deadline:
    """The due day of the draft's answers, counted in working days from today where the agencies work."""
    working_days = current_app.config["ANSWER_WORKING_DAYS"]
    due = calendar.due_date(law.closes_at)
    if due is None:
        return Deadline(None, working_days)
    today = calendar.local_date(utcnow())
    return Deadline(due, working_days, calendar.working_days_between(today, due, calendar.holidays()))


@dataclass(frozen=True)
class Counts:
    published: int
    answered: int

    @property
    def unanswered(self) -> int:
        return self.published - self.answered


def _published(law: Law) -> Select:
    return select(Comment).where(Comment.law_id == law.id, Comment.state == CommentState.APPROVED)


def counts(law: Law) -> Counts:
    """Published comments on the draft, and how many of them have an answer."""
    published = _published(law).with_only_columns(func.count(Comment.id))
    answered = published.join(AnswerLink, AnswerLink.comment_id == Comment.id)
    return Counts(db.session.scalar(published) or 0, db.session.scalar(answered) or 0)


def unanswered_query(law: Law) -> Select:
    """Published comments without an answer, the longest waiting first."""
    return (
        _published(law)
        .outerjoin(AnswerLink, AnswerLink.comment_id == Comment.id)
        .where(AnswerLink.comment_id.is_(None))
        .order_by(func.coalesce(Comment.received_at, Comment.created_at), Comment.id)
        .options(selectinload(Comment.author), selectinload(Comment.section))
    )


def answered_query(law: Law) -> Select:
    """Published comments with an answer, the latest answered first."""
    return (
        _published(law)
        .join(AnswerLink, AnswerLink.comment_id == Comment.id)
        .order_by(AnswerLink.answered_at.desc(), Comment.id.desc())
        .options(selectinload(Comment.author), selectinload(Comment.section))
    )


def covered(answer_id: int) -> int:
    """How many comments an answer reaches."""
    return db.session.scalar(select(func.count()).where(AnswerLink.answer_id == answer_id)) or 0


# --- groups -----------------------------------------------------------------------------------------------------


@dataclass
class ThemeRow:
    theme: dict
    published: int
    answered: int


@dataclass
class UnitThemes:
    heading: str
    title: str
    title_lang: str | None  # None: the builder's title, in the language it found first
    themes: list[ThemeRow]


def _answered_ids(law: Law) -> set[int]:
    query = select(AnswerLink.comment_id).join(Comment, Comment.id == AnswerLink.comment_id)
    return set(db.session.scalars(query.where(Comment.law_id == law.id, Comment.state == CommentState.APPROVED)))


def snapshot_units(law: Law, snapshot: SummarySnapshot, lang: str) -> list[UnitThemes]:
    """The snapshot's units that have themes, in document order, each theme with its published and answered counts."""
    # Two queries for the whole draft, not one per theme: a theme may have been hidden or answered since the build.
    published = set(db.session.scalars(_published(law).with_only_columns(Comment.id)))
    answered = _answered_ids(law)
    units = []
    for section in snapshot.data.get("sections") or []:
        themes = section.get("themes") or []
        if not themes:
            continue
        rows = []
        for theme in themes:
            ids = set(theme.get("comment_ids") or ()) & published
            rows.append(ThemeRow(theme, len(ids), len(ids & answered)))
        own = (section.get("titles") or {}).get(lang)
        title, title_lang = (own, lang) if own else (section.get("title") or "", None)
        units.append(UnitThemes(unit_heading(section, lang), title, title_lang, rows))
    return units


@dataclass
class CampaignRow:
    campaign: Campaign
    published: int
    authors: int
    answered: int
    sample: Comment | None


def campaign_rows(law: Law) -> list[CampaignRow]:
    """The draft's campaigns with published members, largest first: members, distinct authors, answered, a sample."""
    facts = db.session.execute(
        select(
            CommentFingerprint.campaign_id,
            func.count(Comment.id),
            func.count(func.distinct(Comment.author_id)),
            func.count(AnswerLink.comment_id),
            func.min(Comment.id),
        )
        .join(Comment, Comment.id == CommentFingerprint.comment_id)
        .join(Campaign, Campaign.id == CommentFingerprint.campaign_id)
        .outerjoin(AnswerLink, AnswerLink.comment_id == Comment.id)
        .where(Campaign.law_id == law.id, Campaign.kind == "campaign", Comment.state == CommentState.APPROVED)
        .group_by(CommentFingerprint.campaign_id)
    ).all()
    if not facts:
        return []
    campaigns = {c.id: c for c in db.session.scalars(select(Campaign).where(Campaign.id.in_([f[0] for f in facts])))}
    samples = {c.id: c for c in db.session.scalars(select(Comment).where(Comment.id.in_([f[4] for f in facts])))}
    rows = [
        CampaignRow(campaigns[campaign_id], published, authors, answered, samples.get(first))
        for campaign_id, published, authors, answered, first in facts
    ]
    rows.sort(key=lambda row: (-row.published, row.campaign.id))
    return rows


def snapshot_by_number(law: Law, number: int | None) -> SummarySnapshot | None:
    """The draft's summary of that number, or its latest when no number is given."""
    if number is None:
        return latest_snapshot(law)
    return db.session.scalar(
        select(SummarySnapshot).where(SummarySnapshot.law_id == law.id, SummarySnapshot.number == number)
    )
