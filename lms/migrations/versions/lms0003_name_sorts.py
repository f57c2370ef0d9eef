"""Organisations sort by the name each language shows: ``name_sorts`` keeps, per locale, the sort key of
the name a page in that locale shows (its own text, else the fallback: Finnish and Swedish to English
first). Lists sorted by the Ukrainian name in every language before. Existing rows get theirs here.

The keys are made by the application's own functions (``lms.i18n``), so they match the ones kept for new
and renamed organisations.

Revision ID: lms0003
Revises: lms0002
Create Date: 2026-12-03 07:00:00

"""

import json

import sqlalchemy as sa
from alembic import op

revision = "lms0003"
down_revision = "lms0002"
branch_labels = None
depends_on = None


def upgrade():
    from lms.i18n import Translated
    from lms.orgs.models import name_sorts

    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_sorts", sa.JSON(), nullable=False, server_default="{}"))

    organisation = sa.table(
        "lms_organisation",
        sa.column("id", sa.Integer),
        sa.column("name", sa.Text),
        sa.column("name_sorts", sa.JSON),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(organisation.c.id, organisation.c.name)).all():
        keys = name_sorts(Translated(json.loads(row.name or "{}")))
        connection.execute(organisation.update().where(organisation.c.id == row.id).values(name_sorts=keys))


def downgrade():
    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.drop_column("name_sorts")
