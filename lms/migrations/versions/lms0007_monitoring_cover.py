"""The monitoring facts' covering indexes: a quarter's counts of certificates and people read the
quarter index alone, the course filter lists a quarter's courses from an index, and coverage finds
the hubs with a certified coordinator through its own index.

Revision ID: lms0007
Revises: lms0006
Create Date: 2026-12-03 14:30:00

"""

from alembic import op

revision = "lms0007"
down_revision = "lms0006"
branch_labels = None
depends_on = None

OLD_QUARTER = ["quarter", "region_id", "revoked_on", "source"]
QUARTER = ["quarter", "region_id", "revoked_on", "issued_on", "source", "person_key", "scope_path"]
COURSES = ["quarter", "course_code", "scope_path"]
COORDINATORS = ["job_code", "hub_id", "issued_on", "revoked_on", "source"]


def upgrade():
    with op.batch_alter_table("lms_monitoring_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_lms_monitoring_fact_quarter")
        batch_op.create_index("ix_lms_monitoring_fact_quarter", QUARTER, unique=False)
        batch_op.create_index("ix_lms_monitoring_fact_coordinators", COORDINATORS, unique=False)
        batch_op.create_index("ix_lms_monitoring_fact_courses", COURSES, unique=False)


def downgrade():
    with op.batch_alter_table("lms_monitoring_fact", schema=None) as batch_op:
        batch_op.drop_index("ix_lms_monitoring_fact_courses")
        batch_op.drop_index("ix_lms_monitoring_fact_coordinators")
        batch_op.drop_index("ix_lms_monitoring_fact_quarter")
        batch_op.create_index("ix_lms_monitoring_fact_quarter", OLD_QUARTER, unique=False)
