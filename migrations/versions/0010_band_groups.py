"""Look-alike buckets name their group: a new copy of a campaign finds it without reading every copy.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('comment_bands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('campaign_id', sa.Integer(), nullable=True))
        batch_op.drop_index('ix_comment_bands_lookup')
        batch_op.create_index('ix_comment_bands_lookup', ['law_id', 'band', 'hash', 'campaign_id'], unique=False)
    # Each band row takes its comment's group, as app.moderation.campaigns keeps it from now on.
    op.execute(
        "UPDATE comment_bands SET campaign_id = (SELECT f.campaign_id FROM comment_fingerprints f "
        "WHERE f.comment_id = comment_bands.comment_id)"
    )


def downgrade():
    with op.batch_alter_table('comment_bands', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_bands_lookup')
        batch_op.create_index('ix_comment_bands_lookup', ['law_id', 'band', 'hash'], unique=False)
        batch_op.drop_column('campaign_id')
