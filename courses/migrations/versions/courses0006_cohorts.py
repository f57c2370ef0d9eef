"""cohorts, sessions, attendance, licence grants

Revision ID: courses0006
Revises: courses0005
Create Date: 2026-12-02 17:13:49.854270

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'courses0006'
down_revision = 'courses0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('courses_cohort',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('enrolment_key', sa.String(length=64), nullable=True),
    sa.Column('venue_organisation_id', sa.Integer(), nullable=True),
    sa.Column('venue_address', sa.String(length=300), nullable=False),
    sa.Column('webinar_url', sa.String(length=1000), nullable=False),
    sa.Column('timezone', sa.String(length=50), nullable=False),
    sa.Column('calendar_token', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('flagged_at', sa.DateTime(), nullable=True),
    sa.Column('flag_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['lms_user.id'], name=op.f('fk_courses_cohort_closed_by_id_lms_user')),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_courses_cohort_course_id_courses_course')),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_courses_cohort_created_by_id_lms_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['lms_organisation.id'], name=op.f('fk_courses_cohort_organisation_id_lms_organisation')),
    sa.ForeignKeyConstraint(['venue_organisation_id'], ['lms_organisation.id'], name=op.f('fk_courses_cohort_venue_organisation_id_lms_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_cohort')),
    sa.UniqueConstraint('calendar_token', name=op.f('uq_courses_cohort_calendar_token')),
    sa.UniqueConstraint('enrolment_key', name=op.f('uq_courses_cohort_enrolment_key'))
    )
    with op.batch_alter_table('courses_cohort', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_cohort_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_cohort_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_cohort_status'), ['status'], unique=False)
        batch_op.create_index('ix_courses_cohort_status_starts_on', ['status', 'starts_on'], unique=False)

    op.create_table('courses_licence_grant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_courses_licence_grant_course_id_courses_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['granted_by_id'], ['lms_user.id'], name=op.f('fk_courses_licence_grant_granted_by_id_lms_user')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['lms_user.id'], name=op.f('fk_courses_licence_grant_revoked_by_id_lms_user')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_courses_licence_grant_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_licence_grant'))
    )
    with op.batch_alter_table('courses_licence_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_licence_grant_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_licence_grant_user_id'), ['user_id'], unique=False)

    op.create_table('courses_cohort_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=100), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('topic', sa.String(length=300), nullable=False),
    sa.Column('venue_organisation_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('webinar_url', sa.String(length=1000), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['courses_cohort.id'], name=op.f('fk_courses_cohort_session_cohort_id_courses_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['venue_organisation_id'], ['lms_organisation.id'], name=op.f('fk_courses_cohort_session_venue_organisation_id_lms_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_cohort_session')),
    sa.UniqueConstraint('uid', name=op.f('uq_courses_cohort_session_uid'))
    )
    with op.batch_alter_table('courses_cohort_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_cohort_session_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_cohort_session_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_cohort_session_venue_organisation_id'), ['venue_organisation_id'], unique=False)

    op.create_table('courses_cohort_trainer',
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cohort_id'], ['courses_cohort.id'], name=op.f('fk_courses_cohort_trainer_cohort_id_courses_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_courses_cohort_trainer_user_id_lms_user')),
    sa.PrimaryKeyConstraint('cohort_id', 'user_id', name=op.f('pk_courses_cohort_trainer'))
    )
    with op.batch_alter_table('courses_cohort_trainer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_cohort_trainer_user_id'), ['user_id'], unique=False)

    op.create_table('courses_cohort_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.Column('enrolled_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('completion_source', sa.String(length=20), nullable=True),
    sa.Column('completion_reason', sa.Text(), nullable=False),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('announced_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('transferred_to_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['courses_cohort.id'], name=op.f('fk_courses_cohort_member_cohort_id_courses_cohort'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['completed_by_id'], ['lms_user.id'], name=op.f('fk_courses_cohort_member_completed_by_id_lms_user')),
    sa.ForeignKeyConstraint(['enrolled_by_id'], ['lms_user.id'], name=op.f('fk_courses_cohort_member_enrolled_by_id_lms_user')),
    sa.ForeignKeyConstraint(['enrolment_id'], ['courses_enrolment.id'], name=op.f('fk_courses_cohort_member_enrolment_id_courses_enrolment')),
    sa.ForeignKeyConstraint(['transferred_to_id'], ['courses_cohort.id'], name=op.f('fk_courses_cohort_member_transferred_to_id_courses_cohort')),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_courses_cohort_member_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_cohort_member')),
    sa.UniqueConstraint('cohort_id', 'user_id', name=op.f('uq_courses_cohort_member_cohort_id_user_id'))
    )
    with op.batch_alter_table('courses_cohort_member', schema=None) as batch_op:
        batch_op.create_index('ix_courses_cohort_member_cohort_id_status', ['cohort_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_cohort_member_completed_at'), ['completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_cohort_member_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_cohort_member_user_id'), ['user_id'], unique=False)

    op.create_table('courses_session_module',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['courses_module.id'], name=op.f('fk_courses_session_module_module_id_courses_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['courses_cohort_session.id'], name=op.f('fk_courses_session_module_session_id_courses_cohort_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'module_id', name=op.f('pk_courses_session_module'))
    )
    op.create_table('courses_attendance',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['marked_by_id'], ['lms_user.id'], name=op.f('fk_courses_attendance_marked_by_id_lms_user')),
    sa.ForeignKeyConstraint(['member_id'], ['courses_cohort_member.id'], name=op.f('fk_courses_attendance_member_id_courses_cohort_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['courses_cohort_session.id'], name=op.f('fk_courses_attendance_session_id_courses_cohort_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'member_id', name=op.f('pk_courses_attendance'))
    )
    with op.batch_alter_table('courses_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('courses_completion_trainer',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['courses_cohort_member.id'], name=op.f('fk_courses_completion_trainer_member_id_courses_cohort_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_courses_completion_trainer_user_id_lms_user')),
    sa.PrimaryKeyConstraint('member_id', 'user_id', name=op.f('pk_courses_completion_trainer'))
    )
    with op.batch_alter_table('courses_completion_trainer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_completion_trainer_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('courses_course', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_attendance_percent', sa.Integer(), nullable=False, server_default='80'))

    with op.batch_alter_table('courses_item_completion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recorded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_courses_item_completion_recorded_by_id_lms_user'), 'lms_user', ['recorded_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_courses_item_completion_session_id_courses_cohort_session'), 'courses_cohort_session', ['session_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('courses_item_completion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_courses_item_completion_session_id_courses_cohort_session'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_courses_item_completion_recorded_by_id_lms_user'), type_='foreignkey')
        batch_op.drop_column('session_id')
        batch_op.drop_column('recorded_by_id')

    with op.batch_alter_table('courses_course', schema=None) as batch_op:
        batch_op.drop_column('min_attendance_percent')

    with op.batch_alter_table('courses_completion_trainer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_completion_trainer_user_id'))

    op.drop_table('courses_completion_trainer')
    with op.batch_alter_table('courses_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_attendance_member_id'))

    op.drop_table('courses_attendance')
    op.drop_table('courses_session_module')
    with op.batch_alter_table('courses_cohort_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_cohort_member_user_id'))
        batch_op.drop_index(batch_op.f('ix_courses_cohort_member_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_courses_cohort_member_completed_at'))
        batch_op.drop_index('ix_courses_cohort_member_cohort_id_status')

    op.drop_table('courses_cohort_member')
    with op.batch_alter_table('courses_cohort_trainer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_cohort_trainer_user_id'))

    op.drop_table('courses_cohort_trainer')
    with op.batch_alter_table('courses_cohort_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_cohort_session_venue_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_courses_cohort_session_starts_at'))
        batch_op.drop_index(batch_op.f('ix_courses_cohort_session_cohort_id'))

    op.drop_table('courses_cohort_session')
    with op.batch_alter_table('courses_licence_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_licence_grant_user_id'))
        batch_op.drop_index(batch_op.f('ix_courses_licence_grant_course_id'))

    op.drop_table('courses_licence_grant')
    with op.batch_alter_table('courses_cohort', schema=None) as batch_op:
        batch_op.drop_index('ix_courses_cohort_status_starts_on')
        batch_op.drop_index(batch_op.f('ix_courses_cohort_status'))
        batch_op.drop_index(batch_op.f('ix_courses_cohort_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_courses_cohort_course_id'))

    op.drop_table('courses_cohort')
