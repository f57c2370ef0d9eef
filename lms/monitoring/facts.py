"""Writing the fact table: the public service plugins call when they issue or revoke a certificate.

``record_certificate`` snapshots where the person stood at issue (home organisation, its region,
job, target groups); ``revoke_certificate`` only sets the date from which it stops counting. Both
flush, never commit: they run in the transaction of the issue or revocation itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update

from lms.extensions import db
from lms.monitoring.models import CertificateFact, Source, fact_target_group, half_key, quarter_key
from lms.orgs.models import Kind, Organisation


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
    fact = db.session.scalar(
        select(CertificateFact).where(
            CertificateFact.source == source, CertificateFact.source_id == source_id
        )
    )
    if fact is None:
        fact = CertificateFact(source=source, source_id=source_id)
        db.session.add(fact)
    fact.person_id = person.id if person is not None else None
    fact.person_key = person_key or (f"u{person.id}" if person is not None else f"{source[0]}{source_id}")
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
    db.session.execute(delete(fact_target_group).where(fact_target_group.c.fact_id == fact.id))
    codes = sorted(set(target_groups))
    if codes:
        db.session.execute(
            insert(fact_target_group), [{"fact_id": fact.id, "target_group": code} for code in codes]
        )
    return fact


def revoke_certificate(source: str, source_id: int, revoked_on: date | None) -> bool:
    """From ``revoked_on`` on, the certificate no longer counts (None: it counts again).
    Frozen reports keep what they said. Returns False when no such fact exists."""
    result = db.session.execute(
        update(CertificateFact)
        .where(CertificateFact.source == source, CertificateFact.source_id == source_id)
        .values(revoked_on=revoked_on)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return bool(getattr(result, "rowcount", 0))


def forget_certificate(source: str, source_id: int) -> None:
    """Remove a fact whose certificate no longer exists (an external record deleted as a mistake)."""
    db.session.execute(
        delete(CertificateFact).where(
            CertificateFact.source == source, CertificateFact.source_id == source_id
        )
    )
    db.session.flush()
