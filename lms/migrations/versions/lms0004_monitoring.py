"""Monitoring: institutions (a new organisation kind), the fact table of counted certificates,
external certificate records, frozen reports, API tokens.

Revision ID: lms0004
Revises: lms0003
Create Date: 2026-12-03 06:40:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'lms0004'
down_revision = 'lms0003'
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('national', 'region', 'training_centre', 'hub')"
NEW_KINDS = "kind IN ('national', 'region', 'training_centre', 'hub', 'institution')"


def upgrade():
    with op.batch_alter_table('lms_organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('institution_type', sa.String(length=30), nullable=True))
        batch_op.drop_constraint(op.f('ck_lms_organisation_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_lms_organisation_kind'), NEW_KINDS)

    op.create_table('lms_monitoring_fact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('person_key', sa.String(length=260), nullable=False),
    sa.Column('scope_path', sa.String(length=255), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('hub_id', sa.Integer(), nullable=True),
    sa.Column('job_code', sa.String(length=40), nullable=True),
    sa.Column('course_code', sa.String(length=60), nullable=False),
    sa.Column('course_title', sa.String(length=300), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('trainer_id', sa.Integer(), nullable=True),
    sa.Column('cascade_level', sa.SmallInteger(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('half', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['hub_id'], ['lms_organisation.id'], name=op.f('fk_lms_monitoring_fact_hub_id_lms_organisation')),
    sa.ForeignKeyConstraint(['institution_id'], ['lms_organisation.id'], name=op.f('fk_lms_monitoring_fact_institution_id_lms_organisation')),
    sa.ForeignKeyConstraint(['person_id'], ['lms_user.id'], name=op.f('fk_lms_monitoring_fact_person_id_lms_user')),
    sa.ForeignKeyConstraint(['region_id'], ['lms_organisation.id'], name=op.f('fk_lms_monitoring_fact_region_id_lms_organisation')),
    sa.ForeignKeyConstraint(['trainer_id'], ['lms_user.id'], name=op.f('fk_lms_monitoring_fact_trainer_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_monitoring_fact')),
    sa.UniqueConstraint('source', 'source_id', name=op.f('uq_lms_monitoring_fact_source_source_id'))
    )
    with op.batch_alter_table('lms_monitoring_fact', schema=None) as batch_op:
        batch_op.create_index('ix_lms_monitoring_fact_quarter', ['quarter', 'region_id', 'revoked_on', 'source'], unique=False)
        batch_op.create_index('ix_lms_monitoring_fact_issued', ['issued_on', 'region_id', 'revoked_on', 'source'], unique=False)
        batch_op.create_index('ix_lms_monitoring_fact_scope', ['scope_path', 'quarter'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_monitoring_fact_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_monitoring_fact_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_monitoring_fact_hub_id'), ['hub_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_monitoring_fact_trainer_id'), ['trainer_id'], unique=False)

    op.create_table('lms_monitoring_fact_target_group',
    sa.Column('fact_id', sa.Integer(), nullable=False),
    sa.Column('target_group', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['fact_id'], ['lms_monitoring_fact.id'], name=op.f('fk_lms_monitoring_fact_target_group_fact_id_lms_monitoring_fact'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('fact_id', 'target_group', name=op.f('pk_lms_monitoring_fact_target_group'))
    )
    op.create_index('ix_lms_monitoring_fact_target_group_group', 'lms_monitoring_fact_target_group', ['target_group', 'fact_id'], unique=False)

    op.create_table('lms_external_certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('source_key', sa.String(length=100), nullable=False),
    sa.Column('reference', sa.String(length=500), nullable=False),
    sa.Column('reference_key', sa.String(length=500), nullable=False),
    sa.Column('course_title', sa.String(length=300), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('surname', sa.String(length=120), nullable=False),
    sa.Column('given_name', sa.String(length=120), nullable=False),
    sa.Column('patronymic', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('institution_name', sa.String(length=300), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('scope_path', sa.String(length=255), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_external_certificate_created_by_id_lms_user')),
    sa.ForeignKeyConstraint(['institution_id'], ['lms_organisation.id'], name=op.f('fk_lms_external_certificate_institution_id_lms_organisation')),
    sa.ForeignKeyConstraint(['person_id'], ['lms_user.id'], name=op.f('fk_lms_external_certificate_person_id_lms_user')),
    sa.ForeignKeyConstraint(['region_id'], ['lms_organisation.id'], name=op.f('fk_lms_external_certificate_region_id_lms_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_external_certificate')),
    sa.UniqueConstraint('source_key', 'reference_key', name=op.f('uq_lms_external_certificate_source_key_reference_key'))
    )
    with op.batch_alter_table('lms_external_certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_external_certificate_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_external_certificate_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_external_certificate_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_external_certificate_scope_path'), ['scope_path'], unique=False)

    op.create_table('lms_external_certificate_target_group',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('target_group', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['lms_external_certificate.id'], name=op.f('fk_lms_external_certificate_target_group_certificate_id_lms_external_certificate'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id', 'target_group', name=op.f('pk_lms_external_certificate_target_group'))
    )

    op.create_table('lms_monitoring_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('preset', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('scope_path', sa.String(length=255), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['signed_by_id'], ['lms_user.id'], name=op.f('fk_lms_monitoring_report_signed_by_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_monitoring_report'))
    )
    with op.batch_alter_table('lms_monitoring_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_monitoring_report_key'), ['key'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_monitoring_report_scope_path'), ['scope_path'], unique=False)

    op.create_table('lms_api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_api_token_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_lms_api_token_token_hash'))
    )
    with op.batch_alter_table('lms_api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_api_token_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('lms_api_token')
    op.drop_table('lms_monitoring_report')
    op.drop_table('lms_external_certificate_target_group')
    op.drop_table('lms_external_certificate')
    op.drop_index('ix_lms_monitoring_fact_target_group_group', table_name='lms_monitoring_fact_target_group')
    op.drop_table('lms_monitoring_fact_target_group')
    op.drop_table('lms_monitoring_fact')
    op.execute("DELETE FROM lms_organisation WHERE kind = 'institution'")
    with op.batch_alter_table('lms_organisation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_lms_organisation_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_lms_organisation_kind'), OLD_KINDS)
        batch_op.drop_column('institution_type')
