"""quizzes, attempts, extra attempts, competence levels

Revision ID: courses0004
Revises: courses0003
Create Date: 2026-11-23 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'courses0004'
down_revision = 'courses0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('courses_quiz',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('pass_mark', sa.Float(), nullable=False),
    sa.Column('time_limit_minutes', sa.Integer(), nullable=False),
    sa.Column('attempts_allowed', sa.Integer(), nullable=False),
    sa.Column('delay_minutes', sa.Integer(), nullable=False),
    sa.Column('shuffle_questions', sa.Boolean(), nullable=False),
    sa.Column('shuffle_answers', sa.Boolean(), nullable=False),
    sa.Column('questions_per_page', sa.Integer(), nullable=False),
    sa.Column('review_responses', sa.Boolean(), nullable=False),
    sa.Column('review_correct', sa.Boolean(), nullable=False),
    sa.Column('review_feedback', sa.Boolean(), nullable=False),
    sa.Column('review_scores', sa.Boolean(), nullable=False),
    sa.Column('review_when', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['courses_question_category.id'], name=op.f('fk_courses_quiz_category_id_courses_question_category'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['courses_item.id'], name=op.f('fk_courses_quiz_item_id_courses_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_quiz')),
    sa.UniqueConstraint('item_id', name=op.f('uq_courses_quiz_item_id'))
    )
    op.create_table('courses_quiz_competence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('competence_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('minimum_percent', sa.Float(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competence_id'], ['courses_competence.id'], name=op.f('fk_courses_quiz_competence_competence_id_courses_competence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['quiz_id'], ['courses_quiz.id'], name=op.f('fk_courses_quiz_competence_quiz_id_courses_quiz'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_quiz_competence')),
    sa.UniqueConstraint('quiz_id', 'competence_id', name=op.f('uq_courses_quiz_competence_quiz_id_competence_id'))
    )
    with op.batch_alter_table('courses_quiz_competence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_quiz_competence_quiz_id'), ['quiz_id'], unique=False)

    op.create_table('courses_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('deadline_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('is_overdue', sa.Boolean(), nullable=False),
    sa.Column('last_page', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['quiz_id'], ['courses_quiz.id'], name=op.f('fk_courses_attempt_quiz_id_courses_quiz'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_courses_attempt_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_attempt')),
    sa.UniqueConstraint('quiz_id', 'user_id', 'number', name=op.f('uq_courses_attempt_quiz_id_user_id_number'))
    )
    with op.batch_alter_table('courses_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_attempt_quiz_id'), ['quiz_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_attempt_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_attempt_user_id'), ['user_id'], unique=False)

    op.create_table('courses_attempt_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('competence_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('answer_order', sa.JSON(), nullable=True),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('fraction', sa.Float(), nullable=True),
    sa.Column('needs_grading', sa.Boolean(), nullable=False),
    sa.Column('graded_by_id', sa.Integer(), nullable=True),
    sa.Column('graded_at', sa.DateTime(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['courses_attempt.id'], name=op.f('fk_courses_attempt_question_attempt_id_courses_attempt'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['competence_id'], ['courses_competence.id'], name=op.f('fk_courses_attempt_question_competence_id_courses_competence'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['graded_by_id'], ['lms_user.id'], name=op.f('fk_courses_attempt_question_graded_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['courses_question.id'], name=op.f('fk_courses_attempt_question_question_id_courses_question'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_attempt_question')),
    sa.UniqueConstraint('attempt_id', 'slot', name=op.f('uq_courses_attempt_question_attempt_id_slot'))
    )
    with op.batch_alter_table('courses_attempt_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_attempt_question_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_attempt_question_needs_grading'), ['needs_grading'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_attempt_question_question_id'), ['question_id'], unique=False)

    op.create_table('courses_extra_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['granted_by_id'], ['lms_user.id'], name=op.f('fk_courses_extra_attempt_granted_by_id_lms_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quiz_id'], ['courses_quiz.id'], name=op.f('fk_courses_extra_attempt_quiz_id_courses_quiz'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_courses_extra_attempt_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_extra_attempt'))
    )
    with op.batch_alter_table('courses_extra_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_extra_attempt_quiz_id'), ['quiz_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_extra_attempt_user_id'), ['user_id'], unique=False)

    op.create_table('courses_competence_level',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('competence_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('demonstrated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['courses_attempt.id'], name=op.f('fk_courses_competence_level_attempt_id_courses_attempt'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['competence_id'], ['courses_competence.id'], name=op.f('fk_courses_competence_level_competence_id_courses_competence'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['lms_user.id'], name=op.f('fk_courses_competence_level_user_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses_competence_level')),
    sa.UniqueConstraint('user_id', 'competence_id', name=op.f('uq_courses_competence_level_user_id_competence_id'))
    )
    with op.batch_alter_table('courses_competence_level', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_competence_level_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('courses_competence_level', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_competence_level_user_id'))

    op.drop_table('courses_competence_level')
    with op.batch_alter_table('courses_extra_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_extra_attempt_user_id'))
        batch_op.drop_index(batch_op.f('ix_courses_extra_attempt_quiz_id'))

    op.drop_table('courses_extra_attempt')
    with op.batch_alter_table('courses_attempt_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_attempt_question_question_id'))
        batch_op.drop_index(batch_op.f('ix_courses_attempt_question_needs_grading'))
        batch_op.drop_index(batch_op.f('ix_courses_attempt_question_attempt_id'))

    op.drop_table('courses_attempt_question')
    with op.batch_alter_table('courses_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_attempt_user_id'))
        batch_op.drop_index(batch_op.f('ix_courses_attempt_state'))
        batch_op.drop_index(batch_op.f('ix_courses_attempt_quiz_id'))

    op.drop_table('courses_attempt')
    with op.batch_alter_table('courses_quiz_competence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_quiz_competence_quiz_id'))

    op.drop_table('courses_quiz_competence')
    op.drop_table('courses_quiz')
