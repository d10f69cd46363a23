"""Who follows which draft, what each user was notified of, and which e-mails they asked not to receive."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.auth.models import User
    from app.comments.models import Comment
    from app.laws.models import Law, LawVersion
    from app.summaries.models import SummarySnapshot


class NotificationKind(StrEnum):
    NEW_VERSION = "new_version"  # a draft the user follows has a new version
    REPLY = "reply"  # someone replied to the user's comment
    APPROVED = "approved"  # a moderator published the user's comment
    REJECTED = "rejected"  # a moderator rejected the user's comment
    ANSWERED = "answered"  # the drafting agency answered the user's comment
    # To the MPs of a draft's responsible committee:
    CONSULTATION_OPENED = "consultation_opened"  # the consultation on a draft of their committee opened
    CONSULTATION_CLOSED = "consultation_closed"  # ... and closed
    SUMMARY_SUBMITTED = "summary_submitted"  # the drafting agency sent the committee a summary


NOTIFICATION_KINDS = tuple(kind.value for kind in NotificationKind)


class Follow(db.Model):
    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "law_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Followers of one draft are read in one query when a version is published.
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped["User"] = relationship()
    law: Mapped["Law"] = relationship()

    def __repr__(self) -> str:
        return f"<Follow user {self.user_id} law {self.law_id}>"


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint(f"kind IN {NOTIFICATION_KINDS!r}", name="kind"),
        # The unread badge on every page counts a user's rows with read_at NULL.
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),
        # The notifications page: a user's rows, newest first.
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    law_id: Mapped[int | None] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("law_versions.id", ondelete="CASCADE"))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("summary_snapshots.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped["User"] = relationship()
    law: Mapped["Law | None"] = relationship()
    comment: Mapped["Comment | None"] = relationship()
    version: Mapped["LawVersion | None"] = relationship()
    snapshot: Mapped["SummarySnapshot | None"] = relationship()

    def __repr__(self) -> str:
        state = "unread" if self.read_at is None else "read"
        return f"<Notification {self.id} {self.kind} for user {self.user_id} {state}>"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class EmailOptOut(db.Model):
    """An e-mail the user asked not to receive: one kind for one draft, or one kind for every draft (law_id NULL).

    The in-app notification is still created; only the e-mail is skipped.
    """

    __tablename__ = "email_opt_outs"
    __table_args__ = (
        CheckConstraint(f"kind IN {NOTIFICATION_KINDS!r}", name="kind"),
        UniqueConstraint("user_id", "kind", "law_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    law_id: Mapped[int | None] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        scope = f"law {self.law_id}" if self.law_id else "all laws"
        return f"<EmailOptOut user {self.user_id} {self.kind} {scope}>"
