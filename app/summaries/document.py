"""A snapshot as readers get it: who may read which one, and its JSON document (the API and the JSON export alike).

Submitted snapshots are public: they are what parliament received and what the open-data API publishes. A snapshot
that was built but not submitted is the agency's working copy: only editors of the drafting agency and admins
(Law.can_edit) may read it, and everyone else is told it does not exist.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.i18n import localized
from app.laws.models import Law
from app.summaries.models import SnapshotStatus, SummarySnapshot
from app.summaries.signals import summary_document_read
from app.template_helpers import local_datetime


def _iso(moment: datetime | None) -> str | None:
    # The same form as the builder's built_at, so the document's two dates read alike.
    return moment.isoformat() if moment else None


def snapshot_document(snapshot: SummarySnapshot) -> dict:
    """The snapshot's data with the editor's introduction and edits, its submission and its content hash."""
    return {
        **snapshot.data,
        # The row is the truth about the snapshot's number and status (the data says what they were when built).
        "snapshot": snapshot.number,
        "status": snapshot.status,
        "introduction": snapshot.introduction,
        "edits": dict(snapshot.edits or {}),
        "submitted_at": _iso(snapshot.submitted_at),
        "content_hash": snapshot.content_hash,
    }


def published_document(snapshot: SummarySnapshot) -> dict:
    """The document as the API and the JSON export give it: snapshot_document plus what is read live (answers)."""
    document = snapshot_document(snapshot)
    summary_document_read.send(snapshot, document=document)
    return document


def can_read(snapshot: SummarySnapshot, user) -> bool:
    """Anyone who may see the draft reads a submitted snapshot; a built one is for the agency's editors and admins."""
    law = snapshot.law
    if snapshot.is_submitted:
        return law.is_visible_to(user)
    return law.can_edit(user)


def latest_snapshot(law: Law, submitted_only: bool = False) -> SummarySnapshot | None:
    """The law's newest snapshot (or newest submitted one)."""
    query = select(SummarySnapshot).where(SummarySnapshot.law_id == law.id)
    if submitted_only:
        query = query.where(SummarySnapshot.status == SnapshotStatus.SUBMITTED.value)
    return db.session.scalar(query.order_by(SummarySnapshot.number.desc()).limit(1))


def title_of(snapshot: SummarySnapshot, lang: str) -> str:
    """The law's title in `lang`, or in the first language it has."""
    return localized(snapshot.law, "title", lang)[0] or snapshot.law.slug


def status_text(snapshot: SummarySnapshot) -> str:
    """Whether the snapshot went to parliament, and when, in the current locale."""
    if snapshot.is_submitted:
        return _("Submitted to parliament on %(date)s", date=local_datetime(snapshot.submitted_at))
    return _("Not submitted: a working copy of the drafting agency, which may still change")
