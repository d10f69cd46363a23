"""Search: the index queue, and the PostgreSQL backend's documents with full-text indexes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 05:16:12.481504

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# The PostgreSQL backend matches these exact expressions (app/search/postgres_backend.py VECTORS), so the
# planner can use the indexes. SQLite keeps the table unused and gets none of this.
FTS_INDEXES = {
    "kk": "to_tsvector('simple', coalesce(stem_kk, ''))",
    "ru": "to_tsvector('russian', coalesce(text_ru, ''))",
    "en": "to_tsvector('english', coalesce(text_en, ''))",
}


def upgrade():
    op.create_table('search_documents',
    sa.Column('doc_id', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('law', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('date', sa.DateTime(), nullable=False),
    sa.Column('hash', sa.String(length=16), nullable=False),
    sa.Column('text_kk', sa.Text(), nullable=True),
    sa.Column('text_ru', sa.Text(), nullable=True),
    sa.Column('text_en', sa.Text(), nullable=True),
    sa.Column('stem_kk', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('doc_id', name=op.f('pk_search_documents'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_law'), ['law'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_type'), ['type'], unique=False)

    op.create_table('search_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('doc_id', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_queue'))
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for lang, vector in FTS_INDEXES.items():
            op.execute(f"CREATE INDEX ix_search_documents_fts_{lang} ON search_documents USING gin (({vector}))")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for lang in FTS_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS ix_search_documents_fts_{lang}")
    op.drop_table('search_queue')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_type'))
        batch_op.drop_index(batch_op.f('ix_search_documents_law'))

    op.drop_table('search_documents')
