"""The public face: a hub's contact (phone, e-mail, website), the directory's search text, and site
settings (which headline figures the landing page publishes).

``search_text`` is every name of the organisation, its settlement, hromada, address and code, case-folded
in Python, so that a search for "коростень" finds "м. Коростень" on SQLite as on PostgreSQL (SQLite's
``lower()`` only knows ASCII). Existing rows get theirs here.

Revision ID: lms0002
Revises: lms0001
Create Date: 2026-12-03 06:40:00

"""

import json
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "lms0002"
down_revision = "lms0001"
branch_labels = None
depends_on = None

APOSTROPHES = str.maketrans({"ʼ": "'", "’": "'", "`": "'", "‘": "'", "ʹ": "'"})


def _search_text(*parts):
    text = " | ".join(part for part in parts if part)
    return unicodedata.normalize("NFKC", text).casefold().translate(APOSTROPHES)


def upgrade():
    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("website", sa.String(length=300), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_lms_organisation_kind_status"), ["kind", "status"], unique=False)

    organisation = sa.table(
        "lms_organisation",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name", sa.Text),
        sa.column("settlement", sa.String),
        sa.column("hromada", sa.String),
        sa.column("address", sa.String),
        sa.column("search_text", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            organisation.c.id,
            organisation.c.code,
            organisation.c.name,
            organisation.c.settlement,
            organisation.c.hromada,
            organisation.c.address,
        )
    ).all()
    for row in rows:
        names = list(json.loads(row.name or "{}").values())
        connection.execute(
            organisation.update()
            .where(organisation.c.id == row.id)
            .values(search_text=_search_text(*names, row.settlement, row.hromada, row.address, row.code))
        )

    op.create_table(
        "lms_setting",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["lms_user.id"], name=op.f("fk_lms_setting_updated_by_id_lms_user")
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_lms_setting")),
    )


def downgrade():
    op.drop_table("lms_setting")
    with op.batch_alter_table("lms_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lms_organisation_kind_status"))
        batch_op.drop_column("search_text")
        batch_op.drop_column("website")
        batch_op.drop_column("email")
        batch_op.drop_column("phone")
