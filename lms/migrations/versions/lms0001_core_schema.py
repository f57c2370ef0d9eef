"""Core schema: organisations, people, roles, target groups, jobs, tokens, audit log, imports.

Seeds the target groups the regional plans count and the jobs that select a competence minimum.

Revision ID: lms0001
Revises: 
Create Date: 2026-11-22 21:09:31.468772

"""
from alembic import op
import json

import sqlalchemy as sa

TARGET_GROUPS = [
    ("civil_servants", "Державні службовці", "Civil servants", "Valtion virkamiehet", "Statstjänstemän"),
    ("local_government_officials", "Посадові особи місцевого самоврядування", "Local-government officials",
     "Kuntien viranhaltijat", "Kommunala tjänstemän"),
    ("education_workers", "Працівники освіти", "Education workers", "Opetusalan työntekijät", "Utbildningspersonal"),
    ("medical_workers", "Медичні працівники", "Medical workers", "Terveydenhuollon työntekijät", "Vårdpersonal"),
    ("librarians", "Бібліотекарі", "Librarians", "Kirjastonhoitajat", "Bibliotekarier"),
    ("older_people", "Люди похилого віку", "Older people", "Ikääntyneet", "Äldre personer"),
    ("unemployed", "Безробітні", "Unemployed people", "Työttömät", "Arbetslösa"),
    ("people_with_disabilities", "Люди з інвалідністю", "People with disabilities", "Vammaiset henkilöt",
     "Personer med funktionsnedsättning"),
    ("entrepreneurs", "Підприємці", "Entrepreneurs", "Yrittäjät", "Företagare"),
    ("students", "Учні та студенти", "Students", "Opiskelijat", "Studerande"),
    ("other", "Інші", "Other", "Muut", "Övriga"),
]
JOBS = [
    ("hub_coordinator", "Координатор хабу цифрової освіти", "Digital Education Hub coordinator",
     "Digitukipisteen koordinaattori", "Samordnare för digital utbildningshubb"),
    ("regional_trainer", "Регіональний тренер", "Regional trainer", "Alueellinen kouluttaja", "Regional utbildare"),
    ("national_trainer", "Національний тренер", "National trainer", "Valtakunnallinen kouluttaja", "Nationell utbildare"),
    ("librarian", "Бібліотекар", "Librarian", "Kirjastonhoitaja", "Bibliotekarie"),
    ("manager", "Керівник, фахівець з моніторингу", "Manager", "Esihenkilö", "Chef"),
    ("other", "Інше", "Other", "Muu", "Annat"),
]


# revision identifiers, used by Alembic.
revision = 'lms0001'
down_revision = None
branch_labels = ('lms',)
depends_on = None


def upgrade():
    op.create_table('lms_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_job')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_job_code'))
    )
    op.create_table('lms_organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('name_sort', sa.String(length=255), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=False),
    sa.Column('depth', sa.Integer(), nullable=False),
    sa.Column('authority', sa.Text(), nullable=True),
    sa.Column('is_occupied', sa.Boolean(), nullable=False),
    sa.Column('host_type', sa.String(length=30), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('settlement', sa.String(length=150), nullable=False),
    sa.Column('hromada', sa.String(length=200), nullable=False),
    sa.Column('katotth', sa.String(length=19), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('opening_hours', sa.String(length=255), nullable=False),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('national', 'region', 'training_centre', 'hub')", name=op.f('ck_lms_organisation_kind')),
    sa.ForeignKeyConstraint(['parent_id'], ['lms_organisation.id'], name=op.f('fk_lms_organisation_parent_id_lms_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_organisation')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_organisation_code'))
    )
    with op.batch_alter_table('lms_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_organisation_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_organisation_name_sort'), ['name_sort'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_organisation_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_organisation_path'), ['path'], unique=False)

    op.create_table('lms_target_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_target_group')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_target_group_code'))
    )
    op.create_table('lms_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_casefold', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('surname', sa.String(length=120), nullable=False),
    sa.Column('given_name', sa.String(length=120), nullable=False),
    sa.Column('patronymic', sa.String(length=120), nullable=False),
    sa.Column('name_sort', sa.String(length=255), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('timezone', sa.String(length=50), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('deactivated_at', sa.DateTime(), nullable=True),
    sa.Column('erased_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['lms_job.id'], name=op.f('fk_lms_user_job_id_lms_job')),
    sa.ForeignKeyConstraint(['organisation_id'], ['lms_organisation.id'], name=op.f('fk_lms_user_organisation_id_lms_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_user')),
    sa.UniqueConstraint('email_casefold', name=op.f('uq_lms_user_email_casefold'))
    )
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_user_name_sort'), ['name_sort'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_user_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('lms_account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_account_token_created_by_id_lms_user')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_account_token_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_account_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_lms_account_token_token_hash'))
    )
    with op.batch_alter_table('lms_account_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_account_token_user_id'), ['user_id'], unique=False)

    op.create_table('lms_audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('scope_path', sa.String(length=255), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['lms_user.id'], name=op.f('fk_lms_audit_entry_actor_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_audit_entry'))
    )
    with op.batch_alter_table('lms_audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_audit_entry_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_audit_entry_scope_path'), ['scope_path'], unique=False)

    op.create_table('lms_import_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_import_upload_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_import_upload')),
    sa.UniqueConstraint('token', name=op.f('uq_lms_import_upload_token'))
    )
    with op.batch_alter_table('lms_import_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_import_upload_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_import_upload_user_id'), ['user_id'], unique=False)

    op.create_table('lms_role_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['lms_user.id'], name=op.f('fk_lms_role_grant_granted_by_id_lms_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['lms_organisation.id'], name=op.f('fk_lms_role_grant_organisation_id_lms_organisation')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_role_grant_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_role_grant')),
    sa.UniqueConstraint('user_id', 'role', 'organisation_id', name=op.f('uq_lms_role_grant_user_id_role_organisation_id'))
    )
    with op.batch_alter_table('lms_role_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_role_grant_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_role_grant_user_id'), ['user_id'], unique=False)

    op.create_table('lms_user_target_group',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('target_group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['target_group_id'], ['lms_target_group.id'], name=op.f('fk_lms_user_target_group_target_group_id_lms_target_group')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_lms_user_target_group_user_id_lms_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'target_group_id', name=op.f('pk_lms_user_target_group'))
    )
    with op.batch_alter_table('lms_user_target_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_user_target_group_target_group_id'), ['target_group_id'], unique=False)



    seed = sa.table(
        "lms_target_group",
        sa.column("code", sa.String),
        sa.column("name", sa.Text),
        sa.column("position", sa.Integer),
        sa.column("is_active", sa.Boolean),
    )
    op.bulk_insert(
        seed,
        [
            {"code": code, "name": json.dumps(dict(zip(("uk", "en", "fi", "sv"), names)), ensure_ascii=False, sort_keys=True),
             "position": position, "is_active": True}
            for position, (code, *names) in enumerate(TARGET_GROUPS, start=1)
        ],
    )
    jobs = sa.table("lms_job", sa.column("code", sa.String), sa.column("name", sa.Text), sa.column("position", sa.Integer))
    op.bulk_insert(
        jobs,
        [
            {"code": code, "name": json.dumps(dict(zip(("uk", "en", "fi", "sv"), names)), ensure_ascii=False, sort_keys=True),
             "position": position}
            for position, (code, *names) in enumerate(JOBS, start=1)
        ],
    )


def downgrade():
    with op.batch_alter_table('lms_user_target_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_user_target_group_target_group_id'))

    op.drop_table('lms_user_target_group')
    with op.batch_alter_table('lms_role_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_role_grant_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_role_grant_organisation_id'))

    op.drop_table('lms_role_grant')
    with op.batch_alter_table('lms_import_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_import_upload_user_id'))
        batch_op.drop_index(batch_op.f('ix_lms_import_upload_created_at'))

    op.drop_table('lms_import_upload')
    with op.batch_alter_table('lms_audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_audit_entry_scope_path'))
        batch_op.drop_index(batch_op.f('ix_lms_audit_entry_at'))
        batch_op.drop_index(batch_op.f('ix_lms_audit_entry_actor_id'))

    op.drop_table('lms_audit_entry')
    with op.batch_alter_table('lms_account_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_account_token_user_id'))

    op.drop_table('lms_account_token')
    with op.batch_alter_table('lms_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_user_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_lms_user_name_sort'))

    op.drop_table('lms_user')
    op.drop_table('lms_target_group')
    with op.batch_alter_table('lms_organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_organisation_path'))
        batch_op.drop_index(batch_op.f('ix_lms_organisation_parent_id'))
        batch_op.drop_index(batch_op.f('ix_lms_organisation_name_sort'))
        batch_op.drop_index(batch_op.f('ix_lms_organisation_kind'))

    op.drop_table('lms_organisation')
    op.drop_table('lms_job')
