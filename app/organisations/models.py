"""Drafting agencies and parliamentary committees: the organisations users and draft laws belong to."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db


class NamedOrganisation:
    """Columns shared by agencies and committees: a slug and a name in each language."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.slug}>"


# No relationships back to users or laws: those point here one way, so this module depends on nothing else.
class Agency(NamedOrganisation, db.Model):
    __tablename__ = "agencies"


class Committee(NamedOrganisation, db.Model):
    __tablename__ = "committees"
