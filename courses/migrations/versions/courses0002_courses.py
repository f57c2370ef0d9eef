"""courses, modules, items, media, enrolments

Revision ID: courses0002
Revises: courses0001
Create Date: 2026-11-22 21:59:02.726877

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'courses0002'
down_revision = 'courses0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('courses_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('ects', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('unlock_in_order', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_course')),
    sa.UniqueConstraint('code', name=op.f('uq_courses_course_code'))
    )
    with op.batch_alter_table('courses_course', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_course_status'), ['status'], unique=False)

    op.create_table('courses_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_media')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_courses_media_storage_name'))
    )
    with op.batch_alter_table('courses_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_media_sha256'), ['sha256'], unique=False)

    op.create_table('courses_module',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_courses_module_course_id_courses_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_module')),
    sa.UniqueConstraint('course_id', 'key', name=op.f('uq_courses_module_course_id_key'))
    )
    with op.batch_alter_table('courses_module', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_module_course_id'), ['course_id'], unique=False)

    op.create_table('courses_qualification',
    sa.Column('trainer_course_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_courses_qualification_course_id_courses_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trainer_course_id'], ['courses_course.id'], name=op.f('fk_courses_qualification_trainer_course_id_courses_course'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('trainer_course_id', 'course_id', name=op.f('pk_courses_qualification'))
    )
    op.create_table('courses_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=True),
    sa.Column('captions_id', sa.Integer(), nullable=True),
    sa.Column('completion', sa.String(length=20), nullable=False),
    sa.Column('is_required', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['captions_id'], ['courses_media.id'], name=op.f('fk_courses_item_captions_id_courses_media')),
    sa.ForeignKeyConstraint(['media_id'], ['courses_media.id'], name=op.f('fk_courses_item_media_id_courses_media')),
    sa.ForeignKeyConstraint(['module_id'], ['courses_module.id'], name=op.f('fk_courses_item_module_id_courses_module'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_item')),
    sa.UniqueConstraint('module_id', 'key', name=op.f('uq_courses_item_module_id_key'))
    )
    with op.batch_alter_table('courses_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_item_module_id'), ['module_id'], unique=False)

    op.create_table('courses_enrolment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('last_item_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_courses_enrolment_course_id_courses_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['last_item_id'], ['courses_item.id'], name=op.f('fk_courses_enrolment_last_item_id_courses_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_courses_enrolment_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_enrolment')),
    sa.UniqueConstraint('user_id', 'course_id', name=op.f('uq_courses_enrolment_user_id_course_id'))
    )
    with op.batch_alter_table('courses_enrolment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_enrolment_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_enrolment_user_id'), ['user_id'], unique=False)

    op.create_table('courses_item_completion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['courses_enrolment.id'], name=op.f('fk_courses_item_completion_enrolment_id_courses_enrolment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['courses_item.id'], name=op.f('fk_courses_item_completion_item_id_courses_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_item_completion')),
    sa.UniqueConstraint('enrolment_id', 'item_id', name=op.f('uq_courses_item_completion_enrolment_id_item_id'))
    )
    with op.batch_alter_table('courses_item_completion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_item_completion_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_item_completion_item_id'), ['item_id'], unique=False)



def downgrade():
    with op.batch_alter_table('courses_item_completion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_item_completion_item_id'))
        batch_op.drop_index(batch_op.f('ix_courses_item_completion_enrolment_id'))

    op.drop_table('courses_item_completion')
    with op.batch_alter_table('courses_enrolment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_enrolment_user_id'))
        batch_op.drop_index(batch_op.f('ix_courses_enrolment_course_id'))

    op.drop_table('courses_enrolment')
    with op.batch_alter_table('courses_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_item_module_id'))

    op.drop_table('courses_item')
    op.drop_table('courses_qualification')
    with op.batch_alter_table('courses_module', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_module_course_id'))

    op.drop_table('courses_module')
    with op.batch_alter_table('courses_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_media_sha256'))

    op.drop_table('courses_media')
    with op.batch_alter_table('courses_course', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_course_status'))

    op.drop_table('courses_course')
