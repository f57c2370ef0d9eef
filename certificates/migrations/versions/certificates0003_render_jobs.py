"""render jobs; the template version each certificate's PDF was made with

Revision ID: certificates0003
Revises: certificates0002
Create Date: 2026-12-03 14:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "certificates0003"
down_revision = "certificates0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("certificates_certificate") as batch:
        batch.add_column(sa.Column("rendered_with", sa.String(length=20), nullable=False, server_default=""))
    op.create_table(
        "certificates_render_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("region_path", sa.String(length=255), nullable=False),
        sa.Column("region_name", sa.String(length=400), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("rendered", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["courses_course.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["started_by_id"], ["lms_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("certificates_render_job")
    with op.batch_alter_table("certificates_certificate") as batch:
        batch.drop_column("rendered_with")
