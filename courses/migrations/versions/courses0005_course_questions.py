"""the questions a course package brought

Revision ID: courses0005
Revises: courses0004
Create Date: 2026-11-23 00:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'courses0005'
down_revision = 'courses0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('courses_course_question',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses_course.id'], name=op.f('fk_courses_course_question_course_id_courses_course'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['courses_question.id'], name=op.f('fk_courses_course_question_question_id_courses_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'question_id', name=op.f('pk_courses_course_question'))
    )


def downgrade():
    op.drop_table('courses_course_question')
