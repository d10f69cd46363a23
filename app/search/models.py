"""The search queue: document ids changed by a transaction, written in that same transaction."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import UTCDateTime, utcnow
from app.extensions import db


class SearchQueueEntry(db.Model):
    """One document to look at again ("comment:12"): the writer upserts or deletes it by what the database says."""

    __tablename__ = "search_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SearchDocument(db.Model):
    """The PostgreSQL backend's copy of a searchable document (unused with Whoosh).

    Kazakh is stored already stemmed by our own stemmer (PostgreSQL has no Kazakh configuration); Russian and
    English are stemmed by PostgreSQL's own configurations at query time, through a GIN expression index
    created in the migration.
    """

    __tablename__ = "search_documents"

    doc_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(16), index=True)
    law: Mapped[str] = mapped_column(String(80), index=True)
    status: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str] = mapped_column(String(64))
    date: Mapped[datetime] = mapped_column(UTCDateTime())
    hash: Mapped[str] = mapped_column(String(16))
    text_kk: Mapped[str | None] = mapped_column(Text)
    text_ru: Mapped[str | None] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
    stem_kk: Mapped[str | None] = mapped_column(Text)
