"""Summaries of a consultation: snapshots of what the approved comments say, the jobs that build them, who read them."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.auth.models import User
    from app.laws.models import Law, LawVersion


class SnapshotStatus(StrEnum):
    BUILT = "built"
    SUBMITTED = "submitted"  # sent to parliament: frozen


class BuildState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


SNAPSHOT_STATUSES = tuple(s.value for s in SnapshotStatus)
BUILD_STATES = tuple(s.value for s in BuildState)


class SummarySnapshot(db.Model):
    """What the approved comments on one version said when it was built; frozen once submitted to parliament."""

    __tablename__ = "summary_snapshots"
    __table_args__ = (
        UniqueConstraint("law_id", "number"),
        CheckConstraint(f"status IN {SNAPSHOT_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("law_versions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3… per law
    status: Mapped[str] = mapped_column(String(16), default=SnapshotStatus.BUILT.value)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    built_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The document every reader uses (pages, API, exports); its shape is described in app/summaries/builder.py.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    introduction: Mapped[str | None] = mapped_column(Text)  # the editor's own words
    # {"<section id>/<field>": "edited prose"}: the editor's overrides of extractive prose, never of figures.
    edits: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    # sha256 hex of the canonical JSON of data + introduction + edits, set at submission.
    content_hash: Mapped[str | None] = mapped_column(String(64))

    law: Mapped["Law"] = relationship()
    version: Mapped["LawVersion"] = relationship()
    built_by: Mapped["User | None"] = relationship(foreign_keys=[built_by_id])
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])

    def __repr__(self) -> str:
        return f"<SummarySnapshot law={self.law_id} #{self.number} {self.status}>"

    @property
    def is_submitted(self) -> bool:
        return self.status == SnapshotStatus.SUBMITTED


@event.listens_for(Session, "before_flush")
def _submitted_snapshots_are_frozen(session, _flush_context, _instances) -> None:
    # What parliament received must stay what it received: no code path may change or remove it.
    for obj in (*session.dirty, *session.deleted):
        if not isinstance(obj, SummarySnapshot):
            continue
        if obj not in session.deleted and not session.is_modified(obj):
            continue
        # committed_state holds the loaded value of each changed attribute; an unchanged status is the current one.
        status_before = inspect(obj).committed_state.get("status", obj.status)
        if status_before == SnapshotStatus.SUBMITTED:
            raise RuntimeError(f"summary snapshot {obj.id} was submitted and cannot be changed")


class SummaryBuild(db.Model):
    """One run of the summary builder: queued, running (with progress), done with its snapshot, or failed."""

    __tablename__ = "summary_builds"
    __table_args__ = (
        CheckConstraint(f"state IN {BUILD_STATES!r}", name="state"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        Index("ix_summary_builds_law_created", "law_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("law_versions.id"))
    state: Mapped[str] = mapped_column(String(16), default=BuildState.QUEUED.value)
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    step: Mapped[str] = mapped_column(String(32), default="queued")  # a key: queued, loading, counting, themes…
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("summary_snapshots.id"))

    law: Mapped["Law"] = relationship()
    version: Mapped["LawVersion"] = relationship()
    created_by: Mapped["User | None"] = relationship()
    snapshot: Mapped[SummarySnapshot | None] = relationship()

    def __repr__(self) -> str:
        return f"<SummaryBuild {self.id} law={self.law_id} {self.state} {self.progress}%>"

    @property
    def is_finished(self) -> bool:
        return self.state in (BuildState.DONE, BuildState.FAILED)


class SummaryRead(db.Model):
    """That a user (an MP) opened a snapshot, and when first."""

    __tablename__ = "summary_reads"
    __table_args__ = (UniqueConstraint("user_id", "snapshot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("summary_snapshots.id"), index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
