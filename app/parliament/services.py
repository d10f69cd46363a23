"""What an MP's workspace lists: summaries sent to their committee, its open consultations, public drafts.

An MP works for one committee (User.committee); admins see every committee's. Any MP may read any submitted summary
of a public draft (read-only); only summaries sent to their own committee are listed as unread for them.
"""

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.laws.access import public_laws_condition
from app.laws.models import Law, LawStatus
from app.summaries import review
from app.summaries.models import SnapshotStatus, SummaryRead, SummarySnapshot

SCOPES = ("committee", "all")


def sees_all_committees(user) -> bool:
    return user.is_admin


def is_own_committee(user, committee_id: int | None) -> bool:
    """True if the committee is the user's (for an admin, every committee is)."""
    return sees_all_committees(user) or (user.committee_id is not None and committee_id == user.committee_id)


def _submitted_conditions(user) -> list:
    conditions = [SummarySnapshot.status == SnapshotStatus.SUBMITTED, public_laws_condition()]
    if not sees_all_committees(user):
        conditions.append(SummarySnapshot.committee_id == (user.committee_id or -1))
    return conditions


def submitted_summaries(user) -> Select:
    """Summaries sent to the user's committee (every committee for admins), newest first."""
    return (
        select(SummarySnapshot)
        .join(Law, Law.id == SummarySnapshot.law_id)
        .where(*_submitted_conditions(user))
        .order_by(SummarySnapshot.submitted_at.desc(), SummarySnapshot.id.desc())
        .options(selectinload(SummarySnapshot.law).selectinload(Law.committee))
    )


def unread_count(user) -> int:
    """How many summaries sent to the user's committee they have not opened."""
    read = select(SummaryRead.id).where(SummaryRead.user_id == user.id, SummaryRead.snapshot_id == SummarySnapshot.id)
    return db.session.scalar(
        select(func.count(SummarySnapshot.id))
        .join(Law, Law.id == SummarySnapshot.law_id)
        .where(*_submitted_conditions(user), ~read.exists())
    )


def open_consultations(user) -> list[Law]:
    """The committee's drafts open for comments now, closing soonest first."""
    query = (
        select(Law)
        .where(public_laws_condition(), Law.status == LawStatus.OPEN)
        .options(selectinload(Law.agency))
        .order_by(Law.closes_at.is_(None), Law.closes_at, Law.id)
    )
    if not sees_all_committees(user):
        query = query.where(Law.committee_id == (user.committee_id or -1))
    return list(db.session.scalars(query))


def drafts(user, scope: str) -> Select:
    """Public drafts: the committee's, or all of them; recently changed first."""
    query = select(Law).where(public_laws_condition()).options(selectinload(Law.committee))
    if scope == "committee" and not sees_all_committees(user):
        query = query.where(Law.committee_id == (user.committee_id or -1))
    return query.order_by(Law.updated_at.desc(), Law.id.desc())


def latest_submitted(law_ids: list[int]) -> dict[int, int]:
    """{law id: number of its newest submitted summary} for these laws, in one query."""
    if not law_ids:
        return {}
    rows = db.session.execute(
        select(SummarySnapshot.law_id, func.max(SummarySnapshot.number))
        .where(SummarySnapshot.law_id.in_(law_ids), SummarySnapshot.status == SnapshotStatus.SUBMITTED)
        .group_by(SummarySnapshot.law_id)
    )
    return dict(rows.all())


def get_submitted_or_404(law: Law, number: int) -> SummarySnapshot:
    """A submitted summary of a draft; a summary not (yet) sent does not exist for Parliament."""
    snapshot = review.get_snapshot(law, number)
    if snapshot is None or not snapshot.is_submitted:
        abort(404)
    return snapshot
