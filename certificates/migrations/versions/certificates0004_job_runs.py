"""render jobs count their runs: a worker of an earlier run stops when the job is started again

Revision ID: certificates0004
Revises: certificates0003
Create Date: 2026-12-03 15:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "certificates0004"
down_revision = "certificates0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificates_render_job") as batch:
        batch.add_column(sa.Column("run", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("certificates_render_job") as batch:
        batch.drop_column("run")
