"""The drafting agency's answers to comments, what they said before each correction, and which comments they cover."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.auth.models import User
    from app.comments.models import Comment
    from app.laws.models import Law, Section


class Decision(StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly_accepted"
    REJECTED = "rejected"
    NOT_APPLICABLE = "not_applicable"  # out of scope, a duplicate


DECISIONS = tuple(d.value for d in Decision)
# A refusal, whole or in part, must say why: the answer is what the citizen reads instead of a change.
NEEDS_REASONING = frozenset({Decision.REJECTED.value, Decision.PARTLY_ACCEPTED.value})
# Decisions that promise a change in the text, so an answer of these may be traced to the unit that changed.
PROMISES_CHANGE = frozenset({Decision.ACCEPTED.value, Decision.PARTLY_ACCEPTED.value})
REASONING_LANGS = ("kk", "ru", "en")


class Scope(StrEnum):
    """What the editor answered: one comment, comments they selected, a theme or a campaign, or a row of a table."""

    COMMENT = "comment"
    SELECTION = "selection"
    THEME = "theme"
    CAMPAIGN = "campaign"
    IMPORT = "import"


SCOPES = tuple(s.value for s in Scope)


class _Said:
    """What an answer says: a decision and its reasoning per language (the columns are on each model)."""

    def reasoning(self, lang: str) -> str:
        return getattr(self, f"reasoning_{lang}") or ""

    def reasoning_in(self, preferred: list[str]) -> tuple[str, str]:
        """Return (text, lang) of the reasoning in the first language of `preferred` that has one, else ("", "")."""
        for lang in (*preferred, *REASONING_LANGS):
            text = self.reasoning(lang)
            if text:
                return text, lang
        return "", ""

    @property
    def reasonings(self) -> dict[str, str]:
        return {lang: self.reasoning(lang) for lang in REASONING_LANGS if self.reasoning(lang)}


class Answer(_Said, db.Model):
    """One answer of the drafting agency; it reaches every comment linked to it (AnswerLink)."""

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint(f"decision IN {DECISIONS!r}", name="decision"),
        CheckConstraint(f"scope IN {SCOPES!r}", name="scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    reasoning_kk: Mapped[str | None] = mapped_column(Text)
    reasoning_ru: Mapped[str | None] = mapped_column(Text)
    reasoning_en: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(16))
    # The theme ("s12-t3") or campaign id of the snapshot the editor answered from, for the record.
    scope_ref: Mapped[str | None] = mapped_column(String(64))
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("summary_snapshots.id"))
    # The unit of a later version that changed because of this answer (accepted or partly accepted only).
    changed_section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    traced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by every correction: the page says "corrected on …"; what it said before is in AnswerRevision.
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    law: Mapped["Law"] = relationship()
    created_by: Mapped["User | None"] = relationship()
    changed_section: Mapped["Section | None"] = relationship()
    revisions: Mapped[list["AnswerRevision"]] = relationship(
        back_populates="answer", order_by="AnswerRevision.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Answer {self.id} {self.decision} law={self.law_id}>"

    @property
    def promises_change(self) -> bool:
        return self.decision in PROMISES_CHANGE


class AnswerRevision(_Said, db.Model):
    """What an answer said before a correction: nothing the agency told citizens is lost."""

    __tablename__ = "answer_revisions"
    __table_args__ = (CheckConstraint(f"decision IN {DECISIONS!r}", name="decision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"), index=True)
    decision: Mapped[str] = mapped_column(String(16))
    reasoning_kk: Mapped[str | None] = mapped_column(Text)
    reasoning_ru: Mapped[str | None] = mapped_column(Text)
    reasoning_en: Mapped[str | None] = mapped_column(Text)
    changed_section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"))
    # When that wording was given (the answer's creation or its previous correction), and when it was replaced.
    said_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    answer: Mapped[Answer] = relationship(back_populates="revisions")


class AnswerLink(db.Model):
    """That a comment is answered, and by which answer: one answer per comment, many comments per answer."""

    __tablename__ = "answer_links"
    __table_args__ = (Index("ix_answer_links_answer", "answer_id"),)

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id"))
    # When the comment was first answered: kept if a later answer (of its group) replaces the first, so the figures
    # measure how soon the agency answered, not when it last changed its mind.
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    answer: Mapped[Answer] = relationship()
    comment: Mapped["Comment"] = relationship()
