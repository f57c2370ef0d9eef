"""Today's counts over whole regions read the tally, kept by the fact writer; the target-group rows
carry their fact's columns. Both are checked against what the test works out from the rows it made,
and against the same counts read from the facts, through issues, re-issues, revocations (dated in the
past and after today), withdrawn revocations and deletions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import g
from sqlalchemy import select

from lms.monitoring import aggregates, facts
from lms.monitoring.aggregates import Filters
from lms.monitoring.models import COUNTED_COLUMNS, CertificateFact, fact_target_group, quarter_key, tally
from lms.monitoring.periods import Period, trailing_quarters
from lms.permissions import Scope

EVERYTHING = Scope((), is_everything=True)
TODAY = date.today()
THIS_QUARTER = Period.containing(TODAY)
LAST_QUARTER = THIS_QUARTER.previous()


def fresh() -> None:
    """Forget the counts kept for the request (the test's app context lasts the whole test)."""
    g.pop("_lms_monitoring_counts", None)


@pytest.fixture
def made(world, db):
    """Facts of both sources in two regions and nowhere, then changed in every way a fact changes.
    Returns what the test expects to count: source id → (source, region key, issued, revoked)."""
    hub1, hub2 = world.orgs["hub@r1"], world.orgs["hub@r2"]
    learner1, learner2 = world.people["learner@r1"], world.people["learner@r2"]
    expected: dict[tuple[str, int], tuple[str | None, date, date | None]] = {}
    in_quarter = LAST_QUARTER.start + timedelta(days=5)
    this = THIS_QUARTER.start

    def record(source, number, on, person=None, organisation=None, key=None, groups=("librarians",)):
        facts.record_certificate(
            source,
            number,
            on,
            person=person,
            person_key=None if person else f"x{number}",
            organisation=organisation,
            target_groups=groups,
        )
        region = {hub1.id: "r1", hub2.id: "r2"}.get(organisation.id) if organisation else None
        expected[(source, number)] = (region, on, None)

    record("kaskad", 1, in_quarter, learner1, hub1, groups=("librarians", "civil_servants"))
    record("kaskad", 2, in_quarter, learner2, hub2)
    record("kaskad", 3, this, learner1, hub1)
    record("external", 1, in_quarter, organisation=hub1)
    record("external", 2, this, organisation=hub2)
    record("external", 3, in_quarter)  # a record of nobody's organisation: no region
    record("kaskad", 4, in_quarter, learner2, hub2)
    record("kaskad", 5, in_quarter, learner1, hub1)
    record("kaskad", 6, this, learner2, hub2)
    record("kaskad", 7, TODAY + timedelta(days=1), learner1, hub1)  # dated after today
    # Re-issued: the same certificate written again, now in the other region and quarter.
    record("kaskad", 2, this, learner1, hub1, groups=("medical_workers",))
    # Revoked in the past, revoked from tomorrow (it still counts today), revoked and withdrawn.
    for number, on in ((4, TODAY - timedelta(days=1)), (5, TODAY + timedelta(days=1)), (6, TODAY)):
        assert facts.revoke_certificate("kaskad", number, on)
        region, issued, _ = expected[("kaskad", number)]
        expected[("kaskad", number)] = (region, issued, on)
    facts.revoke_certificate("kaskad", 6, None)
    expected[("kaskad", 6)] = (*expected[("kaskad", 6)][:2], None)
    # Deleted as a mistake.
    facts.forget_certificate("external", 2)
    del expected[("external", 2)]
    db.session.commit()
    fresh()
    return expected


def expected_count(made, quarters, source="all", regions=None):
    return sum(
        1
        for (kind, _number), (region, issued, revoked) in made.items()
        if quarter_key(issued) in quarters
        and issued <= TODAY
        and (revoked is None or revoked > TODAY)
        and source in ("all", kind)
        and (regions is None or region in regions)
    )


@pytest.mark.parametrize("source", ["all", "kaskad", "external"])
@pytest.mark.parametrize("where", ["everything", "r1", "r2 chosen", "a hub"])
def test_today_s_counts_read_from_the_tally_equal_those_over_the_facts(made, world, source, where):
    r1, r2, hub = world.orgs["r1"], world.orgs["r2"], world.orgs["hub@r1"]
    scope, region_id, regions = {
        "everything": (EVERYTHING, None, None),
        "r1": (Scope((r1.path,)), None, {"r1"}),
        "r2 chosen": (EVERYTHING, r2.id, {"r2"}),
        "a hub": (Scope((hub.path,)), None, {"r1"}),  # finer than a region: the facts answer
    }[where]
    for period in (LAST_QUARTER, THIS_QUARTER, Period.whole_year(TODAY.year)):
        keys = {quarter.key for quarter in period.quarters()}
        today = Filters(scope, period, source=source, region_id=region_id)
        fresh()
        from_tally = aggregates.count_certificates(today)
        fresh()
        from_facts = aggregates.count_certificates(Filters(scope, period, source, region_id, as_of=TODAY))
        assert from_tally == from_facts == expected_count(made, keys, source, regions), (period, where)
    quarters = trailing_quarters(THIS_QUARTER, 3)
    fresh()
    trend = aggregates.trend(Filters(scope, THIS_QUARTER, source=source, region_id=region_id), quarters)
    assert trend == [(quarter, expected_count(made, {quarter.key}, source, regions)) for quarter in quarters]
    assert (aggregates.scope_regions(scope) is None) == (where == "a hub")


def test_the_tally_kept_by_each_write_equals_the_tally_counted_again(made, db):
    def rows():
        return sorted(tuple(row) for row in db.session.execute(select(tally)) if row.certificates)

    kept = rows()
    facts.rebuild_tally()
    assert rows() == kept
    assert sum(certificates for *_key, certificates in kept) == sum(
        1 for region, _issued, revoked in made.values() if revoked is None
    )


def test_target_group_rows_carry_their_fact_s_columns_after_every_change(made, db):
    copies = db.session.execute(
        select(fact_target_group, CertificateFact).join(
            CertificateFact, CertificateFact.id == fact_target_group.c.fact_id
        )
    ).all()
    assert copies
    for row in copies:
        fact = row.CertificateFact
        for name in COUNTED_COLUMNS:
            assert getattr(row, name) == getattr(fact, name), (fact.source, fact.source_id, name)
    # Re-issued with another target group: its old group went.
    re_issued = db.session.scalar(
        select(CertificateFact).where(CertificateFact.source == "kaskad", CertificateFact.source_id == 2)
    )
    groups = db.session.scalars(
        select(fact_target_group.c.target_group).where(fact_target_group.c.fact_id == re_issued.id)
    ).all()
    assert groups == ["medical_workers"]
    # Nothing is left of the deleted record.
    assert len(copies) == sum(1 for _ in made) + 1  # certificate 1 has two groups
