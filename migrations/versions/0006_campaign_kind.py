"""Campaigns and similar comments: a look-alike group's kind, a comment taken out of its group.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 06:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_ACTIONS = (
    "action IN ('approve', 'reject', 'hide', 'restore', 'publish_masked', 'suspend', 'unsuspend', "
    "'appeal_upheld', 'appeal_overturned', 'flags_dismissed', 'review_requested')"
)
NEW_ACTIONS = OLD_ACTIONS[:-1] + ", 'ungroup')"


def _actions(check: str) -> None:
    # Autogenerate does not compare CHECK constraints: the new audit action is written here by hand.
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_moderation_actions_action'), type_='check')
        batch_op.create_check_constraint('action', check)


def upgrade():
    # Existing groups start as "similar": none is decided in bulk or counted ×N until `flask moderation campaigns`
    # (or the next comment on the draft) classifies them.
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='similar', nullable=False))
    with op.batch_alter_table('comment_fingerprints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('excluded', sa.Boolean(), server_default=sa.false(), nullable=False))
    _actions(NEW_ACTIONS)


def downgrade():
    _actions(OLD_ACTIONS)
    with op.batch_alter_table('comment_fingerprints', schema=None) as batch_op:
        batch_op.drop_column('excluded')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_column('kind')
