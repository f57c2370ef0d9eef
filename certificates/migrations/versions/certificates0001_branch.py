"""Start of the certificates plugin's migration branch (its tables come with its features).

Revision ID: certificates0001
Revises:
Create Date: 2026-11-22 21:10:00

"""

revision = "certificates0001"
down_revision = None
branch_labels = ("certificates",)
depends_on = "lms0001"


def upgrade():
    pass


def downgrade():
    pass
