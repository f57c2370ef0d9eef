"""Regional action plans: plans, actions and their executors, indicators (computed or reported) with
targets per year, reporting rounds, executors' submissions and values, computed values frozen at close.

Revision ID: lms0006
Revises: lms0005
Create Date: 2026-12-03 09:40:01.180207

"""
from alembic import op
import sqlalchemy as sa


revision = 'lms0006'
down_revision = 'lms0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lms_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('scope_path', sa.String(length=255), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['lms_user.id'], name=op.f('fk_lms_plan_created_by_id_lms_user')),
    sa.ForeignKeyConstraint(['owner_id'], ['lms_organisation.id'], name=op.f('fk_lms_plan_owner_id_lms_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_plan')),
    sa.UniqueConstraint('code', name=op.f('uq_lms_plan_code'))
    )
    with op.batch_alter_table('lms_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_plan_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_plan_scope_path'), ['scope_path'], unique=False)

    op.create_table('lms_plan_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['lms_plan.id'], name=op.f('fk_lms_plan_action_plan_id_lms_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_plan_action')),
    sa.UniqueConstraint('plan_id', 'number', name=op.f('uq_lms_plan_action_plan_id_number'))
    )
    with op.batch_alter_table('lms_plan_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_plan_action_plan_id'), ['plan_id'], unique=False)

    op.create_table('lms_plan_round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['lms_user.id'], name=op.f('fk_lms_plan_round_closed_by_id_lms_user')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['lms_user.id'], name=op.f('fk_lms_plan_round_opened_by_id_lms_user')),
    sa.ForeignKeyConstraint(['plan_id'], ['lms_plan.id'], name=op.f('fk_lms_plan_round_plan_id_lms_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_plan_round')),
    sa.UniqueConstraint('plan_id', 'period', name=op.f('uq_lms_plan_round_plan_id_period'))
    )
    with op.batch_alter_table('lms_plan_round', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_plan_round_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_plan_round_state'), ['state'], unique=False)

    op.create_table('lms_plan_action_executor',
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['lms_plan_action.id'], name=op.f('fk_lms_plan_action_executor_action_id_lms_plan_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['lms_organisation.id'], name=op.f('fk_lms_plan_action_executor_organisation_id_lms_organisation')),
    sa.PrimaryKeyConstraint('action_id', 'organisation_id', name=op.f('pk_lms_plan_action_executor'))
    )
    with op.batch_alter_table('lms_plan_action_executor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_plan_action_executor_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('lms_plan_indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('registry_key', sa.String(length=60), nullable=True),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['lms_plan_action.id'], name=op.f('fk_lms_plan_indicator_action_id_lms_plan_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_plan_indicator'))
    )
    with op.batch_alter_table('lms_plan_indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_plan_indicator_action_id'), ['action_id'], unique=False)

    op.create_table('lms_plan_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('returned_comment', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['lms_organisation.id'], name=op.f('fk_lms_plan_submission_organisation_id_lms_organisation')),
    sa.ForeignKeyConstraint(['returned_by_id'], ['lms_user.id'], name=op.f('fk_lms_plan_submission_returned_by_id_lms_user')),
    sa.ForeignKeyConstraint(['round_id'], ['lms_plan_round.id'], name=op.f('fk_lms_plan_submission_round_id_lms_plan_round'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['lms_user.id'], name=op.f('fk_lms_plan_submission_submitted_by_id_lms_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_plan_submission')),
    sa.UniqueConstraint('round_id', 'organisation_id', name=op.f('uq_lms_plan_submission_round_id_organisation_id'))
    )
    with op.batch_alter_table('lms_plan_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_plan_submission_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_plan_submission_round_id'), ['round_id'], unique=False)

    op.create_table('lms_plan_frozen_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('frozen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['lms_plan_indicator.id'], name=op.f('fk_lms_plan_frozen_value_indicator_id_lms_plan_indicator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['lms_plan_round.id'], name=op.f('fk_lms_plan_frozen_value_round_id_lms_plan_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_plan_frozen_value')),
    sa.UniqueConstraint('round_id', 'indicator_id', name=op.f('uq_lms_plan_frozen_value_round_id_indicator_id'))
    )
    with op.batch_alter_table('lms_plan_frozen_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_plan_frozen_value_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_plan_frozen_value_round_id'), ['round_id'], unique=False)

    op.create_table('lms_plan_submitted_value',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('attachment_name', sa.String(length=255), nullable=False),
    sa.Column('attachment_path', sa.String(length=255), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['lms_user.id'], name=op.f('fk_lms_plan_submitted_value_entered_by_id_lms_user')),
    sa.ForeignKeyConstraint(['indicator_id'], ['lms_plan_indicator.id'], name=op.f('fk_lms_plan_submitted_value_indicator_id_lms_plan_indicator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['lms_plan_submission.id'], name=op.f('fk_lms_plan_submitted_value_submission_id_lms_plan_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lms_plan_submitted_value')),
    sa.UniqueConstraint('submission_id', 'indicator_id', name=op.f('uq_lms_plan_submitted_value_submission_id_indicator_id'))
    )
    with op.batch_alter_table('lms_plan_submitted_value', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lms_plan_submitted_value_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lms_plan_submitted_value_submission_id'), ['submission_id'], unique=False)



def downgrade():
    with op.batch_alter_table('lms_plan_submitted_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_plan_submitted_value_submission_id'))
        batch_op.drop_index(batch_op.f('ix_lms_plan_submitted_value_indicator_id'))

    op.drop_table('lms_plan_submitted_value')
    with op.batch_alter_table('lms_plan_frozen_value', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_plan_frozen_value_round_id'))
        batch_op.drop_index(batch_op.f('ix_lms_plan_frozen_value_indicator_id'))

    op.drop_table('lms_plan_frozen_value')
    with op.batch_alter_table('lms_plan_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_plan_submission_round_id'))
        batch_op.drop_index(batch_op.f('ix_lms_plan_submission_organisation_id'))

    op.drop_table('lms_plan_submission')
    with op.batch_alter_table('lms_plan_indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_plan_indicator_action_id'))

    op.drop_table('lms_plan_indicator')
    with op.batch_alter_table('lms_plan_action_executor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_plan_action_executor_organisation_id'))

    op.drop_table('lms_plan_action_executor')
    with op.batch_alter_table('lms_plan_round', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_plan_round_state'))
        batch_op.drop_index(batch_op.f('ix_lms_plan_round_plan_id'))

    op.drop_table('lms_plan_round')
    with op.batch_alter_table('lms_plan_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_plan_action_plan_id'))

    op.drop_table('lms_plan_action')
    with op.batch_alter_table('lms_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lms_plan_scope_path'))
        batch_op.drop_index(batch_op.f('ix_lms_plan_owner_id'))

    op.drop_table('lms_plan')
