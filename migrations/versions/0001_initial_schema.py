"""Initial schema: users, agencies, committees, draft laws, versions and sections.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 04:18:08.475244

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name_kk', sa.String(length=300), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('slug', name=op.f('uq_agencies_slug'))
    )
    op.create_table('committees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=64), nullable=False),
    sa.Column('name_kk', sa.String(length=300), nullable=False),
    sa.Column('name_ru', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committees')),
    sa.UniqueConstraint('slug', name=op.f('uq_committees_slug'))
    )
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_login_attempts_email_created_at', ['email', 'created_at'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('session_token', sa.String(length=64), nullable=False),
    sa.Column('email_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("role IN ('citizen', 'editor', 'moderator', 'mp', 'admin')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_users_agency_id_agencies')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_users_committee_id_committees')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('session_token', name=op.f('uq_users_session_token'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_committee_id'), ['committee_id'], unique=False)

    op.create_table('laws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('title_kk', sa.String(length=500), nullable=True),
    sa.Column('title_ru', sa.String(length=500), nullable=True),
    sa.Column('title_en', sa.String(length=500), nullable=True),
    sa.Column('description_kk', sa.Text(), nullable=True),
    sa.Column('description_ru', sa.Text(), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=True),
    sa.Column('closes_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'open', 'closed', 'summary_sent', 'adopted', 'withdrawn')", name=op.f('ck_laws_status')),
    sa.CheckConstraint('closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at', name=op.f('ck_laws_window')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_laws_agency_id_agencies')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'], name=op.f('fk_laws_committee_id_committees')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_laws_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_laws')),
    sa.UniqueConstraint('slug', name=op.f('uq_laws_slug'))
    )
    with op.batch_alter_table('laws', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_laws_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_laws_closes_at'), ['closes_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_laws_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_laws_status'), ['status'], unique=False)

    op.create_table('law_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('languages', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_law_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_law_versions_law_id_laws'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_law_versions')),
    sa.UniqueConstraint('law_id', 'number', name=op.f('uq_law_versions_law_id_number'))
    )
    with op.batch_alter_table('law_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_law_versions_law_id'), ['law_id'], unique=False)

    op.create_table('section_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('law_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['law_id'], ['laws.id'], name=op.f('fk_section_identities_law_id_laws'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_section_identities'))
    )
    with op.batch_alter_table('section_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_section_identities_law_id'), ['law_id'], unique=False)

    op.create_table('sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('identity_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('heading_kk', sa.Text(), nullable=True),
    sa.Column('heading_ru', sa.Text(), nullable=True),
    sa.Column('heading_en', sa.Text(), nullable=True),
    sa.Column('body_kk', sa.Text(), nullable=True),
    sa.Column('body_ru', sa.Text(), nullable=True),
    sa.Column('body_en', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('preamble', 'section', 'chapter', 'article', 'point', 'subpoint')", name=op.f('ck_sections_kind')),
    sa.ForeignKeyConstraint(['identity_id'], ['section_identities.id'], name=op.f('fk_sections_identity_id_section_identities')),
    sa.ForeignKeyConstraint(['parent_id'], ['sections.id'], name=op.f('fk_sections_parent_id_sections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['law_versions.id'], name=op.f('fk_sections_version_id_law_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sections')),
    sa.UniqueConstraint('version_id', 'key', name=op.f('uq_sections_version_id_key')),
    sa.UniqueConstraint('version_id', 'position', name=op.f('uq_sections_version_id_position'))
    )
    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.create_index('ix_sections_identity_version', ['identity_id', 'version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sections_parent_id'), ['parent_id'], unique=False)

    op.create_table('version_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=2), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_version_sources_imported_by_id_users')),
    sa.ForeignKeyConstraint(['version_id'], ['law_versions.id'], name=op.f('fk_version_sources_version_id_law_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_version_sources')),
    sa.UniqueConstraint('version_id', 'lang', name=op.f('uq_version_sources_version_id_lang'))
    )
    with op.batch_alter_table('version_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_version_sources_version_id'), ['version_id'], unique=False)



def downgrade():
    with op.batch_alter_table('version_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_version_sources_version_id'))

    op.drop_table('version_sources')
    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sections_parent_id'))
        batch_op.drop_index('ix_sections_identity_version')

    op.drop_table('sections')
    with op.batch_alter_table('section_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_section_identities_law_id'))

    op.drop_table('section_identities')
    with op.batch_alter_table('law_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_law_versions_law_id'))

    op.drop_table('law_versions')
    with op.batch_alter_table('laws', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_laws_status'))
        batch_op.drop_index(batch_op.f('ix_laws_committee_id'))
        batch_op.drop_index(batch_op.f('ix_laws_closes_at'))
        batch_op.drop_index(batch_op.f('ix_laws_agency_id'))

    op.drop_table('laws')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_committee_id'))
        batch_op.drop_index(batch_op.f('ix_users_agency_id'))

    op.drop_table('users')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_email_created_at')
        batch_op.drop_index(batch_op.f('ix_login_attempts_created_at'))

    op.drop_table('login_attempts')
    op.drop_table('committees')
    op.drop_table('agencies')
