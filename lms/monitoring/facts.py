"""Writing the fact table: the public service plugins call when they issue or revoke a certificate.

``record_certificate`` snapshots where the person stood at issue (home organisation, its region,
job, target groups); ``revoke_certificate`` only sets the date from which it stops counting. Both
flush, never commit: they run in the transaction of the issue or revocation itself, and keep in the
same transaction what counts read instead of the facts: the copies of the counting columns in the
target-group rows and the tally of standing certificates. Facts written by bulk SQL (the benchmark)
call ``rebuild_tally`` afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.extensions import db
from lms.monitoring.models import (
    COUNTED_COLUMNS,
    CertificateFact,
    Source,
    fact_target_group,
    half_key,
    quarter_key,
    tally,
)
from lms.orgs.models import Kind, Organisation

FACT = CertificateFact.__table__.c


def region_of(organisation: Organisation | None) -> Organisation | None:
    """The region an organisation lies in (itself when it is one)."""
    if organisation is None:
        return None
    if organisation.kind == Kind.REGION:
        return organisation
    ids = organisation.ancestor_ids
    if not ids:
        return None
    return db.session.scalar(
        select(Organisation).where(Organisation.id.in_(ids), Organisation.kind == Kind.REGION)
    )


def _the_fact(source: str, source_id: int) -> ColumnElement[bool]:
    return and_(CertificateFact.source == source, CertificateFact.source_id == source_id)


def _count(fact: CertificateFact, change: int) -> None:
    """Add ``change`` to the tally of the fact's quarter, region and source, when it stands."""
    if fact.revoked_on is not None or fact.quarter is None:
        return
    key = {"quarter": fact.quarter, "region_id": fact.region_id or 0, "source": fact.source}
    insert_ = sqlite_insert if db.engine.dialect.name == "sqlite" else postgresql_insert
    statement = insert_(tally).values(**key, certificates=change)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={"certificates": tally.c.certificates + change}
        )
    )


def rebuild_tally() -> None:
    """Count the tally again from the facts (after facts were written by bulk SQL)."""
    db.session.execute(delete(tally))
    key = (FACT.quarter, func.coalesce(FACT.region_id, 0), FACT.source)
    db.session.execute(
        insert(tally).from_select(
            ["quarter", "region_id", "source", "certificates"],
            select(*key, func.count()).where(FACT.revoked_on.is_(None)).group_by(*key),
        )
    )


def record_certificate(
    source: str,
    source_id: int,
    issued_on: date,
    *,
    person: Any = None,
    person_key: str | None = None,
    organisation: Organisation | None = None,
    region: Organisation | None = None,
    job_code: str | None = None,
    course_code: str = "",
    course_title: str = "",
    cohort_id: int | None = None,
    trainer_id: int | None = None,
    cascade_level: int | None = None,
    target_groups: Iterable[str] = (),
    revoked_on: date | None = None,
) -> CertificateFact:
    """Add (or replace) the fact of certificate ``source_id`` of ``source`` (``kaskad``/``external``).

    ``organisation`` is the person's home organisation at issue (a hub, an institution…); the
    region is found from it unless given. ``target_groups`` are target group codes."""
    if source not in {item.value for item in Source}:
        raise ValueError(f"unknown source {source!r}")
    region = region or region_of(organisation)
    # Read before the new fact joins the session: loading an expired person would flush it half-made.
    person_id = person.id if person is not None else None
    person_key = person_key or (f"u{person_id}" if person_id is not None else f"{source[0]}{source_id}")
    fact = db.session.scalar(select(CertificateFact).where(_the_fact(source, source_id)))
    if fact is None:
        fact = CertificateFact(source=source, source_id=source_id)
        db.session.add(fact)
    else:
        _count(fact, -1)
    fact.person_id, fact.person_key = person_id, person_key
    home = organisation or region
    fact.scope_path = home.path if home is not None else ""
    fact.region_id = region.id if region is not None else None
    kind = organisation.kind if organisation is not None else None
    fact.institution_id = organisation.id if kind == Kind.INSTITUTION and organisation else None
    fact.hub_id = organisation.id if kind == Kind.HUB and organisation else None
    fact.job_code = job_code
    fact.course_code, fact.course_title = course_code or "", (course_title or "")[:300]
    fact.cohort_id, fact.trainer_id, fact.cascade_level = cohort_id, trainer_id, cascade_level
    fact.issued_on = issued_on
    fact.year, fact.half, fact.quarter = issued_on.year, half_key(issued_on), quarter_key(issued_on)
    fact.revoked_on = revoked_on
    db.session.flush()
    _count(fact, +1)
    db.session.execute(delete(fact_target_group).where(fact_target_group.c.fact_id == fact.id))
    codes = sorted(set(target_groups))
    if codes:
        counted = {name: getattr(fact, name) for name in COUNTED_COLUMNS}
        db.session.execute(
            insert(fact_target_group),
            [{"fact_id": fact.id, "target_group": code, **counted} for code in codes],
        )
    return fact


def revoke_certificate(source: str, source_id: int, revoked_on: date | None) -> bool:
    """From ``revoked_on`` on, the certificate no longer counts (None: it counts again).
    Frozen reports keep what they said. Returns False when no such fact exists."""
    fact = db.session.scalar(select(CertificateFact).where(_the_fact(source, source_id)))
    if fact is None:
        return False
    _count(fact, -1)
    fact.revoked_on = revoked_on
    # The target-group rows carry the date too: counts by group read them alone.
    db.session.execute(
        update(fact_target_group).where(fact_target_group.c.fact_id == fact.id).values(revoked_on=revoked_on)
    )
    db.session.flush()
    _count(fact, +1)
    return True


def forget_certificate(source: str, source_id: int) -> None:
    """Remove a fact whose certificate no longer exists (an external record deleted as a mistake)."""
    fact = db.session.scalar(select(CertificateFact).where(_the_fact(source, source_id)))
    if fact is None:
        return
    _count(fact, -1)
    db.session.execute(delete(fact_target_group).where(fact_target_group.c.fact_id == fact.id))
    db.session.delete(fact)
    db.session.flush()
