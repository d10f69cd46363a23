"""Summary snapshots: build one from a version's approved comments; refuse to change one sent to parliament."""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.errors import UserError
from app.extensions import db
from app.laws.models import Law, LawVersion
from app.summaries.builder import Progress, build_summary
from app.summaries.models import SnapshotStatus, SummarySnapshot

logger = logging.getLogger(__name__)

# Two builds of one law finishing at the same moment (PostgreSQL) may pick the same number: the loser takes the next.
NUMBER_ATTEMPTS = 5


class SummaryError(UserError):
    """A refused action on a summary, with a translated message."""


class SnapshotSubmittedError(SummaryError):
    """The snapshot was submitted to parliament: what was sent stays as it was sent."""

    def __init__(self) -> None:
        super().__init__(
            _l("This summary was submitted to parliament and can no longer be changed. Build a new one instead."),
            status=409,
        )


def check_can_change(snapshot: SummarySnapshot) -> None:
    """Refuse any change to a submitted snapshot (the database listener is the last line, this is the first)."""
    if snapshot.is_submitted:
        raise SnapshotSubmittedError()


def check_version(law: Law, version: LawVersion) -> None:
    """Refuse a version that belongs to another law."""
    if version.law_id != law.id:
        raise SummaryError(_l("This version belongs to another draft law."), status=404)


def save_snapshot(law: Law, version: LawVersion, user, data: dict) -> SummarySnapshot:
    """Store a built summary document as the law's next snapshot (status 'built'); flush, never commit."""
    check_version(law, version)
    built_at = utcnow()
    latest = select(func.max(SummarySnapshot.number)).where(SummarySnapshot.law_id == law.id)
    for _attempt in range(NUMBER_ATTEMPTS):
        number = (db.session.scalar(latest) or 0) + 1
        document = {**data, "snapshot": number, "status": SnapshotStatus.BUILT.value, "built_at": built_at.isoformat()}
        snapshot = SummarySnapshot(
            law_id=law.id,
            version_id=version.id,
            number=number,
            status=SnapshotStatus.BUILT.value,
            built_at=built_at,
            built_by_id=getattr(user, "id", None),
            data=document,
            edits={},
            committee_id=law.committee_id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(snapshot)
        except IntegrityError:
            logger.info("snapshot number %s of law %s taken meanwhile; trying the next", number, law.slug)
            continue
        logger.info("summary snapshot %s of %s v%s built", number, law.slug, version.number)
        return snapshot
    raise RuntimeError(f"no free snapshot number for law {law.slug} after {NUMBER_ATTEMPTS} attempts")


def create_snapshot(law: Law, version: LawVersion, user, progress: Progress | None = None) -> SummarySnapshot:
    """Build the summary of a version's approved comments as a new snapshot with status 'built'."""
    check_version(law, version)
    data = build_summary(law, version, progress) if progress else build_summary(law, version)
    return save_snapshot(law, version, user, data)
