"""Counts that read little: the tally of standing certificates per quarter, region and source; the
target-group rows carry what a count filters on (period, region, institution, scope, person,
source, course, dates), so counts by target group read the group table's covering indexes without
joining the facts; the facts' indexes give people in index order, so counting them once needs no sort.

Revision ID: lms0008
Revises: lms0007
Create Date: 2026-12-03 19:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "lms0008"
down_revision = "lms0007"
branch_labels = None
depends_on = None

GROUP = "lms_monitoring_fact_target_group"
FACT = "lms_monitoring_fact"
# (column, type, nullable): copied from the fact.
COPIED = [
    ("quarter", sa.Integer(), False),
    ("region_id", sa.Integer(), True),
    ("institution_id", sa.Integer(), True),
    ("scope_path", sa.String(length=255), False),
    ("person_key", sa.String(length=260), False),
    ("source", sa.String(length=10), False),
    ("course_code", sa.String(length=60), False),
    ("issued_on", sa.Date(), False),
    ("revoked_on", sa.Date(), True),
]
GROUP_PEOPLE = [
    "quarter",
    "target_group",
    "person_key",
    "revoked_on",
    "issued_on",
    "source",
    "region_id",
    "scope_path",
]
GROUP_REGION = ["quarter", "region_id", "target_group", "revoked_on", "issued_on", "source", "scope_path"]
OLD_QUARTER = ["quarter", "region_id", "revoked_on", "issued_on", "source", "person_key", "scope_path"]
QUARTER = ["quarter", "region_id", "person_key", "revoked_on", "issued_on", "source", "scope_path"]
REVOKED = ["revoked_on", "issued_on", "quarter", "region_id", "source"]
PEOPLE = ["quarter", "person_key", "revoked_on", "issued_on", "source", "region_id", "scope_path"]


def upgrade():
    with op.batch_alter_table(GROUP, schema=None) as batch_op:
        for name, type_, _nullable in COPIED:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    names = [name for name, *_ in COPIED]
    group = sa.table(GROUP, sa.column("fact_id"), *(sa.column(name) for name in names))
    fact = sa.table(FACT, sa.column("id"), *(sa.column(name) for name in names))
    op.execute(
        sa.update(group).values(
            {
                name: sa.select(fact.c[name]).where(fact.c.id == group.c.fact_id).scalar_subquery()
                for name in names
            }
        )
    )
    with op.batch_alter_table(GROUP, schema=None) as batch_op:
        for name, type_, nullable in COPIED:
            if not nullable:
                batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.create_index("ix_lms_monitoring_fact_target_group_people", GROUP_PEOPLE, unique=False)
        batch_op.create_index("ix_lms_monitoring_fact_target_group_region", GROUP_REGION, unique=False)
    with op.batch_alter_table(FACT, schema=None) as batch_op:
        batch_op.drop_index("ix_lms_monitoring_fact_quarter")
        batch_op.create_index("ix_lms_monitoring_fact_quarter", QUARTER, unique=False)
        batch_op.create_index("ix_lms_monitoring_fact_people", PEOPLE, unique=False)
        batch_op.create_index("ix_lms_monitoring_fact_revoked", REVOKED, unique=False)
    op.create_table(
        "lms_monitoring_tally",
        sa.Column("quarter", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("certificates", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("quarter", "region_id", "source", name=op.f("pk_lms_monitoring_tally")),
    )
    tally = sa.table(
        "lms_monitoring_tally",
        *(sa.column(name) for name in ("quarter", "region_id", "source", "certificates")),
    )
    facts = sa.table(FACT, *(sa.column(name) for name in ("quarter", "region_id", "source", "revoked_on")))
    key = (facts.c.quarter, sa.func.coalesce(facts.c.region_id, 0), facts.c.source)
    op.execute(
        sa.insert(tally).from_select(
            ["quarter", "region_id", "source", "certificates"],
            sa.select(*key, sa.func.count()).where(facts.c.revoked_on.is_(None)).group_by(*key),
        )
    )


def downgrade():
    op.drop_table("lms_monitoring_tally")
    with op.batch_alter_table(FACT, schema=None) as batch_op:
        batch_op.drop_index("ix_lms_monitoring_fact_revoked")
        batch_op.drop_index("ix_lms_monitoring_fact_people")
        batch_op.drop_index("ix_lms_monitoring_fact_quarter")
        batch_op.create_index("ix_lms_monitoring_fact_quarter", OLD_QUARTER, unique=False)
    with op.batch_alter_table(GROUP, schema=None) as batch_op:
        batch_op.drop_index("ix_lms_monitoring_fact_target_group_region")
        batch_op.drop_index("ix_lms_monitoring_fact_target_group_people")
        for name, *_ in reversed(COPIED):
            batch_op.drop_column(name)
