"""Comments, votes, flags, follows and notifications, moderation (audit, screening, campaigns, appeals), suspensions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 04:55:18.289460

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_campaigns_law_id_laws')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_law_id'), ['law_id'], unique=False)

    op.create_table('email_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('new_version', 'reply', 'approved', 'rejected', 'answered')", name=op.f('ck_email_opt_outs_kind')),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_email_opt_outs_law_id_laws'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_opt_outs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_opt_outs')),
    sa.UniqueConstraint('user_id', 'kind', 'law_id', name=op.f('uq_email_opt_outs_user_id_kind_law_id'))
    )
    with op.batch_alter_table('email_opt_outs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_opt_outs_law_id'), ['law_id'], unique=False)

    op.create_table('follows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_follows_law_id_laws'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_follows_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follows')),
    sa.UniqueConstraint('user_id', 'law_id', name=op.f('uq_follows_user_id_law_id'))
    )
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follows_law_id'), ['law_id'], unique=False)

    op.create_table('comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('root_id', sa.Integer(), nullable=True),
    sa.Column('depth', sa.SmallInteger(), nullable=False),
    sa.Column('stance', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('proposed_wording', sa.Text(), nullable=True),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('lang_detected', sa.String(length=2), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('rejection_reason', sa.String(length=32), nullable=True),
    sa.Column('rejection_note', sa.Text(), nullable=True),
    sa.Column('client_token', sa.String(length=64), nullable=False),
    sa.Column('agree_count', sa.Integer(), nullable=False),
    sa.Column('disagree_count', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('original_body', sa.Text(), nullable=True),
    sa.Column('original_wording', sa.Text(), nullable=True),
    sa.Column('masked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("lang IN ('kk', 'ru', 'en')", name=op.f('ck_comments_lang')),
    sa.CheckConstraint("stance IN ('support', 'oppose', 'neutral', 'amend')", name=op.f('ck_comments_stance')),
    sa.CheckConstraint("state IN ('pending', 'approved', 'rejected', 'hidden', 'withdrawn')", name=op.f('ck_comments_state')),
    sa.CheckConstraint('depth >= 0 AND depth <= 2', name=op.f('ck_comments_depth')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_comments_author_id_users')),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_comments_law_id_laws')),
    sa.ForeignKeyConstraint(['parent_id'], ['comments.id'], name=op.f('fk_comments_parent_id_comments')),
    sa.ForeignKeyConstraint(['root_id'], ['comments.id'], name=op.f('fk_comments_root_id_comments')),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], name=op.f('fk_comments_section_id_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments')),
    sa.UniqueConstraint('author_id', 'client_token', name=op.f('uq_comments_author_id_client_token'))
    )
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.create_index('ix_comments_author_created', ['author_id', 'created_at'], unique=False)
        batch_op.create_index('ix_comments_law_state', ['law_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comments_root_id'), ['root_id'], unique=False)
        batch_op.create_index('ix_comments_section_state_created', ['section_id', 'state', 'created_at'], unique=False)
        batch_op.create_index('ix_comments_section_state_score', ['section_id', 'state', 'score'], unique=False)

    op.create_table('appeals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("state IN ('open', 'upheld', 'overturned')", name=op.f('ck_appeals_state')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_appeals_author_id_users')),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_appeals_comment_id_comments')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_appeals_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appeals')),
    sa.UniqueConstraint('comment_id', name=op.f('uq_appeals_comment_id'))
    )
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appeals_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appeals_state'), ['state'], unique=False)

    op.create_table('comment_bands',
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('band', sa.SmallInteger(), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_bands_comment_id_comments')),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_comment_bands_law_id_laws')),
    sa.PrimaryKeyConstraint('comment_id', 'band', name=op.f('pk_comment_bands'))
    )
    with op.batch_alter_table('comment_bands', schema=None) as batch_op:
        batch_op.create_index('ix_comment_bands_lookup', ['law_id', 'band', 'hash'], unique=False)

    op.create_table('comment_fingerprints',
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_comment_fingerprints_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_fingerprints_comment_id_comments')),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_comment_fingerprints_law_id_laws')),
    sa.PrimaryKeyConstraint('comment_id', name=op.f('pk_comment_fingerprints'))
    )
    with op.batch_alter_table('comment_fingerprints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_fingerprints_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_fingerprints_law_id'), ['law_id'], unique=False)

    op.create_table('comment_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("reason IN ('spam', 'offensive', 'off_topic', 'personal_data', 'other')", name=op.f('ck_comment_flags_reason')),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_flags_comment_id_comments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_comment_flags_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_flags')),
    sa.UniqueConstraint('comment_id', 'user_id', name=op.f('uq_comment_flags_comment_id_user_id'))
    )
    with op.batch_alter_table('comment_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_flags_comment_id'), ['comment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comment_flags_user_id'), ['user_id'], unique=False)

    op.create_table('comment_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('stance', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('proposed_wording', sa.Text(), nullable=True),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_revisions_comment_id_comments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_revisions'))
    )
    with op.batch_alter_table('comment_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_revisions_comment_id'), ['comment_id'], unique=False)

    op.create_table('comment_screenings',
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('links', sa.SmallInteger(), nullable=False),
    sa.Column('profanity', sa.Boolean(), nullable=False),
    sa.Column('iin', sa.Boolean(), nullable=False),
    sa.Column('phone', sa.Boolean(), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('hints', sa.String(length=64), nullable=False),
    sa.Column('words', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_screenings_comment_id_comments')),
    sa.PrimaryKeyConstraint('comment_id', name=op.f('pk_comment_screenings'))
    )
    op.create_table('comment_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('value IN (-1, 1)', name=op.f('ck_comment_votes_value')),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_votes_comment_id_comments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_comment_votes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_votes')),
    sa.UniqueConstraint('comment_id', 'user_id', name=op.f('uq_comment_votes_comment_id_user_id'))
    )
    with op.batch_alter_table('comment_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_votes_user_id'), ['user_id'], unique=False)

    op.create_table('moderation_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('state_before', sa.String(length=16), nullable=True),
    sa.Column('state_after', sa.String(length=16), nullable=True),
    sa.Column('bulk_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action IN ('approve', 'reject', 'hide', 'restore', 'publish_masked', 'suspend', 'unsuspend', 'appeal_upheld', 'appeal_overturned', 'flags_dismissed', 'review_requested')", name=op.f('ck_moderation_actions_action')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_moderation_actions_actor_id_users')),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_moderation_actions_comment_id_comments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_moderation_actions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_actions'))
    )
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_moderation_actions_action'), ['action'], unique=False)
        batch_op.create_index('ix_moderation_actions_actor_created', ['actor_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_actions_bulk_id'), ['bulk_id'], unique=False)
        batch_op.create_index('ix_moderation_actions_comment_created', ['comment_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_actions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_moderation_actions_user_id'), ['user_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('new_version', 'reply', 'approved', 'rejected', 'answered')", name=op.f('ck_notifications_kind')),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_notifications_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_notifications_law_id_laws'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['law_versions.id'], name=op.f('fk_notifications_version_id_law_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_id_created_at', ['user_id', 'created_at'], unique=False)
        batch_op.create_index('ix_notifications_user_id_read_at', ['user_id', 'read_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('suspension_reason', sa.Text(), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('suspension_reason')
        batch_op.drop_column('suspended_at')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_read_at')
        batch_op.drop_index('ix_notifications_user_id_created_at')

    op.drop_table('notifications')
    with op.batch_alter_table('moderation_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_moderation_actions_user_id'))
        batch_op.drop_index(batch_op.f('ix_moderation_actions_created_at'))
        batch_op.drop_index('ix_moderation_actions_comment_created')
        batch_op.drop_index(batch_op.f('ix_moderation_actions_bulk_id'))
        batch_op.drop_index('ix_moderation_actions_actor_created')
        batch_op.drop_index(batch_op.f('ix_moderation_actions_action'))

    op.drop_table('moderation_actions')
    with op.batch_alter_table('comment_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_votes_user_id'))

    op.drop_table('comment_votes')
    op.drop_table('comment_screenings')
    with op.batch_alter_table('comment_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_revisions_comment_id'))

    op.drop_table('comment_revisions')
    with op.batch_alter_table('comment_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_flags_user_id'))
        batch_op.drop_index(batch_op.f('ix_comment_flags_comment_id'))

    op.drop_table('comment_flags')
    with op.batch_alter_table('comment_fingerprints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_fingerprints_law_id'))
        batch_op.drop_index(batch_op.f('ix_comment_fingerprints_campaign_id'))

    op.drop_table('comment_fingerprints')
    with op.batch_alter_table('comment_bands', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_bands_lookup')

    op.drop_table('comment_bands')
    with op.batch_alter_table('appeals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appeals_state'))
        batch_op.drop_index(batch_op.f('ix_appeals_author_id'))

    op.drop_table('appeals')
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_index('ix_comments_section_state_score')
        batch_op.drop_index('ix_comments_section_state_created')
        batch_op.drop_index(batch_op.f('ix_comments_root_id'))
        batch_op.drop_index(batch_op.f('ix_comments_parent_id'))
        batch_op.drop_index('ix_comments_law_state')
        batch_op.drop_index('ix_comments_author_created')

    op.drop_table('comments')
    with op.batch_alter_table('follows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follows_law_id'))

    op.drop_table('follows')
    with op.batch_alter_table('email_opt_outs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_opt_outs_law_id'))

    op.drop_table('email_opt_outs')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_law_id'))

    op.drop_table('campaigns')
