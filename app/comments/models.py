"""Comments on sections of a draft law, their history, votes and flags."""

import math
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.auth.models import User
    from app.laws.models import Law, Section


class Stance(StrEnum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    NEUTRAL = "neutral"
    AMEND = "amend"  # proposes new wording


class CommentState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    HIDDEN = "hidden"
    WITHDRAWN = "withdrawn"


class FlagReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class Channel(StrEnum):
    """Where a comment came from: this site's form, or another channel whose comments were imported."""

    WEB = "web"
    PORTAL = "portal"  # another consultation portal
    LETTER = "letter"
    HEARING = "hearing"
    E_OTINISH = "e-otinish"
    OTHER = "other"


CHANNELS = tuple(c.value for c in Channel)

# Reasons a moderator gives for a rejection; the author sees the reason's label in their language.
REJECTION_REASONS = ("spam", "offensive", "off_topic", "personal_data", "duplicate", "other")

STANCES = tuple(s.value for s in Stance)
STATES = tuple(s.value for s in CommentState)
FLAG_REASONS = tuple(r.value for r in FlagReason)
# Threads are at most three levels deep: a comment, a reply, a reply to the reply.
MAX_DEPTH = 2
WILSON_Z = 1.96


def _active(user) -> bool:
    """A signed-in user whose account is not suspended."""
    return bool(user and user.is_authenticated and not user.is_suspended)


def wilson_lower_bound(agree: int, disagree: int) -> float:
    """Return the lower bound of the 95% Wilson interval for the share of agree votes."""
    n = agree + disagree
    if n == 0:
        return 0.0
    p = agree / n
    z2 = WILSON_Z * WILSON_Z
    centre = p + z2 / (2 * n)
    margin = WILSON_Z * math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)
    return (centre - margin) / (1 + z2 / n)


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(f"stance IN {STANCES!r}", name="stance"),
        CheckConstraint(f"state IN {STATES!r}", name="state"),
        CheckConstraint("lang IN ('kk', 'ru', 'en')", name="lang"),
        CheckConstraint(f"depth >= 0 AND depth <= {MAX_DEPTH}", name="depth"),
        # A retried or double-submitted form carries the same token: one comment, not two.
        UniqueConstraint("author_id", "client_token"),
        # The sender's registration number of an imported comment: one comment per number and draft.
        UniqueConstraint("law_id", "ref"),
        CheckConstraint(f"channel IN {CHANNELS!r}", name="channel"),
        # The section page: approved top-level comments of a section, newest or best first.
        Index("ix_comments_section_state_created", "section_id", "state", "created_at"),
        Index("ix_comments_section_state_score", "section_id", "state", "score"),
        Index("ix_comments_author_created", "author_id", "created_at"),
        Index("ix_comments_law_state", "law_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"))
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    depth: Mapped[int] = mapped_column(SmallInteger, default=0)
    stance: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    # Rendered once on write: Markdown → HTML → allow-list sanitizer. Never built from user text at read time.
    body_html: Mapped[str] = mapped_column(Text)
    proposed_wording: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2))
    lang_detected: Mapped[str] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(16), default=CommentState.PENDING.value)
    rejection_reason: Mapped[str | None] = mapped_column(String(32))
    rejection_note: Mapped[str | None] = mapped_column(Text)
    client_token: Mapped[str] = mapped_column(String(64))
    agree_count: Mapped[int] = mapped_column(Integer, default=0)
    disagree_count: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Published with personal data masked: the original text stays here, shown to moderators only.
    original_body: Mapped[str | None] = mapped_column(Text)
    original_wording: Mapped[str | None] = mapped_column(Text)
    masked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Raised by every change of what the comment says (text, proposed wording, language, stance). A moderator's
    # decision carries the version they read and is refused if it moved, so nobody approves unread text.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    channel: Mapped[str] = mapped_column(String(16), default=Channel.WEB.value, server_default=Channel.WEB.value)
    ref: Mapped[str | None] = mapped_column(String(64))
    # When another channel received it (a letter's date); web comments are received when created.
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped["User"] = relationship()
    section: Mapped["Section"] = relationship()
    law: Mapped["Law"] = relationship()
    parent: Mapped["Comment | None"] = relationship(remote_side="Comment.id", foreign_keys=[parent_id])
    revisions: Mapped[list["CommentRevision"]] = relationship(
        back_populates="comment", order_by="CommentRevision.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.state} on section {self.section_id}>"

    @property
    def is_public(self) -> bool:
        return self.state == CommentState.APPROVED

    def is_visible_to(self, user) -> bool:
        """Approved comments are public; the author also sees their own in any state."""
        if self.is_public:
            return True
        return bool(user and user.is_authenticated and user.id == self.author_id)

    def can_edit(self, user) -> bool:
        """The author may change a comment while it waits for moderation and the consultation is open."""
        return (
            self.state == CommentState.PENDING
            and bool(user and user.is_authenticated and user.id == self.author_id)
            # A suspended author may not post, so may not change what waits in the queue either.
            and not user.is_suspended
            and self.law.is_open_for_comments()
        )

    def can_withdraw(self, user) -> bool:
        return self.state in (CommentState.PENDING, CommentState.APPROVED) and bool(
            user and user.is_authenticated and user.id == self.author_id
        )

    def can_vote(self, user) -> bool:
        """Signed-in users vote on others' published comments."""
        return self.is_public and _active(user) and user.email_confirmed and user.id != self.author_id

    def can_flag(self, user) -> bool:
        """Confirmed, active users report others' published comments (throw-away accounts cannot)."""
        return self.is_public and _active(user) and user.email_confirmed and user.id != self.author_id

    def can_reply(self, user) -> bool:
        return (
            self.is_public
            and self.depth < MAX_DEPTH
            and _active(user)
            and user.email_confirmed
            and self.law.is_open_for_comments()
        )


class CommentRevision(db.Model):
    """What a comment said before an edit or a withdrawal: nothing a citizen wrote is lost."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    stance: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    proposed_wording: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="revisions")


class Vote(db.Model):
    __tablename__ = "comment_votes"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"), CheckConstraint("value IN (-1, 1)", name="value"))

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Flag(db.Model):
    __tablename__ = "comment_flags"
    __table_args__ = (
        UniqueConstraint("comment_id", "user_id"),
        CheckConstraint(f"reason IN {FLAG_REASONS!r}", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
