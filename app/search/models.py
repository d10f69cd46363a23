"""The search queue: document ids changed by a transaction, written in that same transaction."""

from datetime import datetime

from sqlalchemy import DDL, String, Text, event
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
    English are stemmed by PostgreSQL's own configurations. On PostgreSQL each language's tsvector is a stored
    generated column with a GIN index (VECTOR_COLUMNS, migration 0008): ranking reads it instead of parsing
    every matching text again. They are not mapped: SQLite has no tsvector, and nothing writes them.
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


# name -> expression of the stored columns "vector_<name>" (PostgreSQL only; migration 0008 has a frozen copy).
# "exact" holds the words as written in every language, for ranking exact forms (no index: it never selects).
VECTOR_COLUMNS = {
    "kk": "to_tsvector('simple'::regconfig, coalesce(stem_kk, ''))",
    "ru": "to_tsvector('russian'::regconfig, coalesce(text_ru, ''))",
    "en": "to_tsvector('english'::regconfig, coalesce(text_en, ''))",
    "exact": "to_tsvector('simple'::regconfig, coalesce(text_kk, '') || ' ' || coalesce(text_ru, '') || ' '"
    " || coalesce(text_en, ''))",
}
VECTOR_DDL = (
    *(
        f"ALTER TABLE search_documents ADD COLUMN vector_{name} tsvector GENERATED ALWAYS AS ({expression}) STORED"
        for name, expression in VECTOR_COLUMNS.items()
    ),
    *(
        f"CREATE INDEX ix_search_documents_fts_{name} ON search_documents USING gin (vector_{name})"
        for name in ("kk", "ru", "en")
    ),
)

# create_all (tests, benchmarks) builds what the migrations build.
for _ddl in VECTOR_DDL:
    event.listen(SearchDocument.__table__, "after_create", DDL(_ddl).execute_if(dialect="postgresql"))
