"""certificates, templates, per-course settings

Revision ID: certificates0002
Revises: certificates0001
Create Date: 2026-12-03 06:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "certificates0002"
down_revision = "certificates0001"
branch_labels = None
depends_on = "courses0006"


def upgrade():
    op.create_table(
        "certificates_course_setting",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("issue_on", sa.String(length=20), nullable=False),
        sa.Column("valid_months", sa.Integer(), nullable=True),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses_course.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("course_id"),
    )
    op.create_table(
        "certificates_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["courses_course.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["lms_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id"),
    )
    op.create_table(
        "certificates_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("cohort_key", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("holder_name", sa.String(length=400), nullable=False),
        sa.Column("holder_name_latin", sa.String(length=400), nullable=False),
        sa.Column("holder_job", sa.String(length=300), nullable=False),
        sa.Column("holder_organisation", sa.String(length=400), nullable=False),
        sa.Column("holder_hub", sa.String(length=400), nullable=False),
        sa.Column("holder_region", sa.String(length=400), nullable=False),
        sa.Column("holder_path", sa.String(length=255), nullable=False),
        sa.Column("holder_target_groups", sa.JSON(), nullable=False),
        sa.Column("course_code", sa.String(length=40), nullable=False),
        sa.Column("course_title", sa.Text(), nullable=False),
        sa.Column("course_hours", sa.Float(), nullable=False),
        sa.Column("course_ects", sa.Float(), nullable=True),
        sa.Column("course_version", sa.Integer(), nullable=False),
        sa.Column("competences", sa.JSON(), nullable=False),
        sa.Column("cohort_title", sa.String(length=300), nullable=False),
        sa.Column("trainers", sa.JSON(), nullable=False),
        sa.Column("issuer", sa.String(length=400), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["lms_user.id"]),
        sa.ForeignKeyConstraint(["course_id"], ["courses_course.id"]),
        sa.ForeignKeyConstraint(["cohort_id"], ["courses_cohort.id"]),
        sa.ForeignKeyConstraint(["issued_by_id"], ["lms_user.id"]),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["lms_user.id"]),
        sa.ForeignKeyConstraint(["superseded_by_id"], ["certificates_certificate.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_certificates_certificate_user_id", "certificates_certificate", ["user_id"])
    op.create_index("ix_certificates_certificate_cohort_id", "certificates_certificate", ["cohort_id"])
    op.create_index("ix_certificates_certificate_holder_path", "certificates_certificate", ["holder_path"])
    op.create_index(
        "ix_certificates_certificate_course_issued", "certificates_certificate", ["course_id", "issued_at"]
    )
    op.create_index(
        "ix_certificates_certificate_user_course", "certificates_certificate", ["user_id", "course_id", "status"]
    )
    # One valid certificate per learner, course and cohort (cohort_key 0: outside a cohort).
    op.create_index(
        "uq_certificates_certificate_one_valid",
        "certificates_certificate",
        ["user_id", "course_id", "cohort_key"],
        unique=True,
        sqlite_where=sa.text("status = 'valid'"),
        postgresql_where=sa.text("status = 'valid'"),
    )


def downgrade():
    op.drop_table("certificates_certificate")
    op.drop_table("certificates_template")
    op.drop_table("certificates_course_setting")
