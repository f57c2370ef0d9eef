"""The public directory's indexes: hubs in name order without sorting them all, and the latest change
of any organisation (what the workers' kept directory index and open-data files are keyed by).

Revision ID: lms0005
Revises: lms0004
Create Date: 2026-12-03 07:30:00

"""

from alembic import op

revision = "lms0005"
down_revision = "lms0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lms_organisation_kind_name_sort"), ["kind", "name_sort"], unique=False)
        batch_op.create_index(batch_op.f("ix_lms_organisation_updated_at"), ["updated_at"], unique=False)


def downgrade():
    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_organisation_updated_at"))
        batch_op.drop_index(batch_op.f("ix_lms_organisation_kind_name_sort"))
