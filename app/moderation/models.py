"""Moderation: the audit trail, screening hints, campaigns and appeals."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    event,
    false,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.auth.models import User
    from app.comments.models import Comment

ACTIONS = (
    "approve", "reject", "hide", "restore", "publish_masked", "suspend", "unsuspend",
    "appeal_upheld", "appeal_overturned", "flags_dismissed", "review_requested", "ungroup",
)  # fmt: skip


class ModerationAction(db.Model):
    """One moderation action: who, when, what, why, and the state before and after. Rows are never changed."""

    __tablename__ = "moderation_actions"
    __table_args__ = (
        CheckConstraint(f"action IN {ACTIONS!r}", name="action"),
        Index("ix_moderation_actions_comment_created", "comment_id", "created_at"),
        Index("ix_moderation_actions_actor_created", "actor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None when the system acted (a comment that reached the flag threshold went back to review).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(24), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # the account acted upon
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    state_before: Mapped[str | None] = mapped_column(String(16))
    state_after: Mapped[str | None] = mapped_column(String(16))
    bulk_id: Mapped[str | None] = mapped_column(String(32), index=True)  # rows written by one bulk decision
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor: Mapped["User | None"] = relationship(foreign_keys=[actor_id])
    user: Mapped["User | None"] = relationship(foreign_keys=[user_id])
    comment: Mapped["Comment | None"] = relationship()

    def __repr__(self) -> str:
        return f"<ModerationAction {self.action} comment={self.comment_id} by={self.actor_id}>"


@event.listens_for(Session, "before_flush")
def _audit_is_append_only(session, _flush_context, _instances) -> None:
    # The audit trail is evidence: no code path may rewrite or remove it.
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, ModerationAction) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("moderation_actions is append-only")


class CommentScreening(db.Model):
    """Automatic hints computed when a comment is written or changed; never a verdict."""

    __tablename__ = "comment_screenings"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), primary_key=True)
    links: Mapped[int] = mapped_column(SmallInteger, default=0)
    profanity: Mapped[bool] = mapped_column(Boolean, default=False)
    iin: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[bool] = mapped_column(Boolean, default=False)
    hints: Mapped[str] = mapped_column(String(64), default="")  # comma-separated codes, for display and filters
    words: Mapped[str | None] = mapped_column(String(500))  # the matched insult words, for the moderator

    @property
    def hint_list(self) -> list[str]:
        return [hint for hint in self.hints.split(",") if hint]

    @property
    def personal_data(self) -> bool:
        # Passport, ID-card and bank-card numbers have no column of their own: they are codes in `hints`.
        return self.iin or self.phone or self.email or bool({"passport", "id_card", "bank_card"} & set(self.hint_list))


class Campaign(db.Model):
    """Identical or near-identical comments on one draft, decided together and counted as one text ×N."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"), index=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    # "campaign": large and standing out on its draft, decided in bulk and counted ×N; "similar": look-alikes shown
    # together but decided one by one, since people who share an opinion write it in similar words.
    kind: Mapped[str] = mapped_column(String(16), default="similar", server_default="similar")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_campaign(self) -> bool:
        return self.kind == "campaign"


class CommentFingerprint(db.Model):
    """A comment's MinHash signature and campaign, so a new comment finds its look-alikes by index."""

    __tablename__ = "comment_fingerprints"

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"), index=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    # A moderator took the comment out of its group: it joins no group again, whatever it resembles.
    excluded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    campaign: Mapped[Campaign | None] = relationship()


class CommentBand(db.Model):
    """One LSH band hash of a signature: comments sharing a band are candidates for the same campaign."""

    __tablename__ = "comment_bands"
    # A bucket's groups are found by seeking this index, one step per group, however large a campaign grows.
    __table_args__ = (Index("ix_comment_bands_lookup", "law_id", "band", "hash", "campaign_id"),)

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), primary_key=True)
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"))
    hash: Mapped[int] = mapped_column(BigInteger)
    # The comment's group, copied from its fingerprint (app.moderation.campaigns keeps the two equal). No foreign key:
    # a copy the fingerprint is the truth of, rewritten before a merged campaign's row is deleted.
    campaign_id: Mapped[int | None] = mapped_column(Integer)


class Appeal(db.Model):
    """An author's one appeal against a rejection."""

    __tablename__ = "appeals"
    __table_args__ = (CheckConstraint("state IN ('open', 'upheld', 'overturned')", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), unique=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    comment: Mapped["Comment"] = relationship()
    author: Mapped["User"] = relationship(foreign_keys=[author_id])
