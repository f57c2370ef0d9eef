"""Start of the courses plugin's migration branch (its tables come with its features).

Revision ID: courses0001
Revises:
Create Date: 2026-11-22 21:10:00

"""

revision = "courses0001"
down_revision = None
branch_labels = ("courses",)
depends_on = "lms0001"


def upgrade():
    pass


def downgrade():
    pass
