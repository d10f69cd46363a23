"""Draft laws, their versions and sections."""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import UTCDateTime, utcnow
from app.extensions import db
from app.organisations.models import Agency, Committee

if TYPE_CHECKING:
    from app.auth.models import User

LANGS = ("kk", "ru", "en")


class LawStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    SUMMARY_SENT = "summary_sent"
    ADOPTED = "adopted"
    WITHDRAWN = "withdrawn"


STATUS_VALUES = tuple(status.value for status in LawStatus)

# Which status may follow which: the consultation only moves forward, and may be withdrawn before adoption.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("open", "withdrawn"),
    "open": ("closed", "withdrawn"),
    "closed": ("summary_sent", "open", "withdrawn"),
    "summary_sent": ("adopted", "withdrawn"),
    "adopted": (),
    "withdrawn": (),
}

# Statuses a draft reaches only through another action, never by choosing them: "summary sent" is what submitting
# a summary to the committee does (app/summaries/review.py), so the status always has a submitted summary behind it.
ACTION_ONLY_STATUSES = frozenset({LawStatus.SUMMARY_SENT.value})

SECTION_KINDS = ("preamble", "section", "chapter", "article", "point", "subpoint")


class Law(db.Model):
    __tablename__ = "laws"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUS_VALUES!r}", name="status"),
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="window"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_kk: Mapped[str | None] = mapped_column(String(500))
    title_ru: Mapped[str | None] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))
    description_kk: Mapped[str | None] = mapped_column(Text)
    description_ru: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("committees.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=LawStatus.DRAFT.value, index=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
    committee: Mapped[Committee | None] = relationship()
    created_by: Mapped["User | None"] = relationship()
    versions: Mapped[list["LawVersion"]] = relationship(
        back_populates="law", order_by="LawVersion.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Law {self.slug} {self.status}>"

    @property
    def latest_version(self) -> "LawVersion | None":
        return self.versions[-1] if self.versions else None

    def version(self, number: int) -> "LawVersion | None":
        """Return the version with this number, or None."""
        return next((v for v in self.versions if v.number == number), None)

    def searchable_text(self, lang: str) -> str:
        """Return title and description in one language, one per line: what search indexes and quotes in snippets."""
        return "\n".join(filter(None, [getattr(self, f"title_{lang}"), getattr(self, f"description_{lang}")]))

    def is_open_for_comments(self, now: datetime | None = None) -> bool:
        """Return True while the consultation window is open."""
        now = now or utcnow()
        if self.status != LawStatus.OPEN or self.opens_at is None or self.closes_at is None:
            return False
        return self.opens_at <= now < self.closes_at

    @hybrid_property
    def is_public(self) -> bool:
        """Return True unless the law is a draft still in preparation; on the class, the same test in SQL."""
        return self.status != LawStatus.DRAFT

    def is_visible_to(self, user) -> bool:
        """Drafts not yet opened are visible only to their agency's editors and to admins."""
        # app/laws/access.py's visible_laws_condition is this rule in SQL: change both together.
        return self.is_public or self.can_edit(user)

    def can_edit(self, user) -> bool:
        """Editors of the drafting agency and admins may change the draft."""
        if user is None or not user.is_authenticated:
            return False
        if user.is_admin:
            return True
        # has_role, not role ==: a suspended editor keeps the role but loses its powers.
        return user.has_role("editor") and user.agency_id is not None and user.agency_id == self.agency_id


class LawVersion(db.Model):
    __tablename__ = "law_versions"
    __table_args__ = (UniqueConstraint("law_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    languages: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    law: Mapped[Law] = relationship(back_populates="versions")
    sections: Mapped[list["Section"]] = relationship(
        back_populates="version", order_by="Section.position", cascade="all, delete-orphan"
    )
    sources: Mapped[list["VersionSource"]] = relationship(back_populates="version", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<LawVersion {self.law_id} v{self.number}>"

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    def has_language(self, lang: str) -> bool:
        return lang in self.language_list


class VersionSource(db.Model):
    """The text exactly as imported, kept so that any parse can be checked and redone."""

    __tablename__ = "version_sources"
    __table_args__ = (UniqueConstraint("version_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("law_versions.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(2))
    filename: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    version: Mapped[LawVersion] = relationship(back_populates="sources")


class SectionIdentity(db.Model):
    """What stays the same when an article is edited or renumbered between versions."""

    __tablename__ = "section_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Section(db.Model):
    __tablename__ = "sections"
    __table_args__ = (
        CheckConstraint(f"kind IN {SECTION_KINDS!r}", name="kind"),
        UniqueConstraint("version_id", "position"),
        UniqueConstraint("version_id", "key"),
        Index("ix_sections_identity_version", "identity_id", "version_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("law_versions.id", ondelete="CASCADE"))
    identity_id: Mapped[int] = mapped_column(ForeignKey("section_identities.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    depth: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(32), default="")
    key: Mapped[str] = mapped_column(String(200))
    heading_kk: Mapped[str | None] = mapped_column(Text)
    heading_ru: Mapped[str | None] = mapped_column(Text)
    heading_en: Mapped[str | None] = mapped_column(Text)
    body_kk: Mapped[str | None] = mapped_column(Text)
    body_ru: Mapped[str | None] = mapped_column(Text)
    body_en: Mapped[str | None] = mapped_column(Text)

    version: Mapped[LawVersion] = relationship(back_populates="sections")
    identity: Mapped[SectionIdentity] = relationship()
    parent: Mapped["Section | None"] = relationship(remote_side="Section.id", back_populates="children")
    children: Mapped[list["Section"]] = relationship(back_populates="parent", order_by="Section.position")

    def __repr__(self) -> str:
        return f"<Section {self.key} v{self.version_id}>"

    @property
    def anchor(self) -> str:
        """Return an HTML id that is the same in every language and stable across versions."""
        return self.key.replace(":", "-").replace("/", "--")

    def text(self, lang: str) -> str:
        """Return heading and body in one language, for diffs and similarity."""
        heading = getattr(self, f"heading_{lang}") or ""
        body = getattr(self, f"body_{lang}") or ""
        return f"{heading}\n{body}".strip()

    def searchable_text(self, lang: str) -> str:
        """Return heading and body in one language, one per line: what search indexes and quotes in snippets."""
        # Not text(): unstripped, as the index has always had it; a change would make every indexed hash stale.
        return "\n".join(filter(None, [getattr(self, f"heading_{lang}"), getattr(self, f"body_{lang}")]))
