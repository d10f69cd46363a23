"""Summaries for parliament, comments from other channels, notifications for MPs.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 05:45:25.794876

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('new_version', 'reply', 'approved', 'rejected', 'answered')"
NEW_KINDS = "kind IN ('new_version', 'reply', 'approved', 'rejected', 'answered', 'consultation_opened', 'consultation_closed', 'summary_submitted')"
CHANNELS = "channel IN ('web', 'portal', 'letter', 'hearing', 'e-otinish', 'other')"


def _kinds(check: str) -> None:
    # Autogenerate does not compare CHECK constraints: the new notification kinds are written here by hand.
    for table in ("notifications", "email_opt_outs"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f"ck_{table}_kind"), type_="check")
            batch_op.create_check_constraint("kind", check)


def upgrade():
    op.create_table('summary_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('built_at', sa.DateTime(), nullable=False),
    sa.Column('built_by_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=True),
    sa.Column('edits', sa.JSON(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.CheckConstraint("status IN ('built', 'submitted')", name=op.f('ck_summary_snapshots_status')),
    sa.ForeignKeyConstraint(['built_by_id'], ['users.id'], name=op.f('fk_summary_snapshots_built_by_id_users')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_summary_snapshots_committee_id_committees')),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_summary_snapshots_law_id_laws')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_summary_snapshots_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['law_versions.id'], name=op.f('fk_summary_snapshots_version_id_law_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_snapshots')),
    sa.UniqueConstraint('law_id', 'number', name=op.f('uq_summary_snapshots_law_id_number'))
    )
    with op.batch_alter_table('summary_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_snapshots_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_summary_snapshots_law_id'), ['law_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_summary_snapshots_version_id'), ['version_id'], unique=False)

    op.create_table('summary_builds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('progress', sa.SmallInteger(), nullable=False),
    sa.Column('step', sa.String(length=32), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('snapshot_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_summary_builds_state')),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name=op.f('ck_summary_builds_progress')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_summary_builds_created_by_id_users')),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_summary_builds_law_id_laws')),
    sa.ForeignKeyConstraint(['snapshot_id'], ['summary_snapshots.id'], name=op.f('fk_summary_builds_snapshot_id_summary_snapshots')),
    sa.ForeignKeyConstraint(['version_id'], ['law_versions.id'], name=op.f('fk_summary_builds_version_id_law_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_builds'))
    )
    with op.batch_alter_table('summary_builds', schema=None) as batch_op:
        batch_op.create_index('ix_summary_builds_law_created', ['law_id', 'created_at'], unique=False)

    op.create_table('summary_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['summary_snapshots.id'], name=op.f('fk_summary_reads_snapshot_id_summary_snapshots')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_summary_reads_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_reads')),
    sa.UniqueConstraint('user_id', 'snapshot_id', name=op.f('uq_summary_reads_user_id_snapshot_id'))
    )
    with op.batch_alter_table('summary_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_summary_reads_snapshot_id'), ['snapshot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_summary_reads_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='web', nullable=False))
        batch_op.add_column(sa.Column('ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('received_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_comments_law_id_ref'), ['law_id', 'ref'])

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_snapshot_id_summary_snapshots'), 'summary_snapshots', ['snapshot_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external', sa.Boolean(), server_default=sa.false(), nullable=False))


    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_check_constraint("channel", CHANNELS)
    # Web comments are received when they are written; summaries and burst detection read one column for all.
    op.execute("UPDATE comments SET received_at = created_at WHERE received_at IS NULL")
    _kinds(NEW_KINDS)

def downgrade():
    _kinds(OLD_KINDS)
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_comments_channel"), type_="check")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('external')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_snapshot_id_summary_snapshots'), type_='foreignkey')
        batch_op.drop_column('snapshot_id')

    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_comments_law_id_ref'), type_='unique')
        batch_op.drop_column('received_at')
        batch_op.drop_column('ref')
        batch_op.drop_column('channel')

    with op.batch_alter_table('summary_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_reads_user_id'))
        batch_op.drop_index(batch_op.f('ix_summary_reads_snapshot_id'))

    op.drop_table('summary_reads')
    with op.batch_alter_table('summary_builds', schema=None) as batch_op:
        batch_op.drop_index('ix_summary_builds_law_created')

    op.drop_table('summary_builds')
    with op.batch_alter_table('summary_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_summary_snapshots_version_id'))
        batch_op.drop_index(batch_op.f('ix_summary_snapshots_law_id'))
        batch_op.drop_index(batch_op.f('ix_summary_snapshots_committee_id'))

    op.drop_table('summary_snapshots')
