"""Search: stored tsvector columns for the PostgreSQL backend, ranked without re-parsing every matching text.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 11:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


# Frozen copy of app/search/models.py VECTOR_COLUMNS (a migration must not change when the app does).
# PostgreSQL only: SQLite keeps search_documents unused and gets none of this.
VECTOR_COLUMNS = {
    "kk": "to_tsvector('simple'::regconfig, coalesce(stem_kk, ''))",
    "ru": "to_tsvector('russian'::regconfig, coalesce(text_ru, ''))",
    "en": "to_tsvector('english'::regconfig, coalesce(text_en, ''))",
    "exact": "to_tsvector('simple'::regconfig, coalesce(text_kk, '') || ' ' || coalesce(text_ru, '') || ' '"
    " || coalesce(text_en, ''))",
}
INDEXED = ("kk", "ru", "en")  # "exact" only ranks, it never selects
OLD_INDEXES = {
    "kk": "to_tsvector('simple', coalesce(stem_kk, ''))",
    "ru": "to_tsvector('russian', coalesce(text_ru, ''))",
    "en": "to_tsvector('english', coalesce(text_en, ''))",
}


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXED:
        op.execute(f"DROP INDEX IF EXISTS ix_search_documents_fts_{name}")
    for name, expression in VECTOR_COLUMNS.items():
        op.execute(
            f"ALTER TABLE search_documents ADD COLUMN vector_{name} tsvector"
            f" GENERATED ALWAYS AS ({expression}) STORED"
        )
    for name in INDEXED:
        op.execute(f"CREATE INDEX ix_search_documents_fts_{name} ON search_documents USING gin (vector_{name})")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXED:
        op.execute(f"DROP INDEX IF EXISTS ix_search_documents_fts_{name}")
    for name in VECTOR_COLUMNS:
        op.execute(f"ALTER TABLE search_documents DROP COLUMN vector_{name}")
    for name, expression in OLD_INDEXES.items():
        op.execute(f"CREATE INDEX ix_search_documents_fts_{name} ON search_documents USING gin (({expression}))")
