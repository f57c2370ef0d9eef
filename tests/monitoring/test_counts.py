"""Every count against numbers the test works out itself from the rows it created."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from lms.monitoring import aggregates, facts
from lms.monitoring.aggregates import Filters
from lms.monitoring.models import CertificateFact
from lms.monitoring.periods import Period, trailing_quarters
from lms.permissions import Scope, scope

EVERYTHING = Scope((), is_everything=True)
Q3 = Period.quarter(2026, 3)


def test_periods_parse_and_step_back():
    assert Period.parse("2026-Q3") == Q3
    assert Q3.start == date(2026, 7, 1) and Q3.end == date(2026, 9, 30) and Q3.key == 20263
    assert Period.parse("2026-Q1").previous() == Period.quarter(2025, 4)
    assert Period.parse("2026-H2").start == date(2026, 7, 1)
    assert Period.parse("2026").previous() == Period.whole_year(2025)
    custom = Period.parse("2026-07-01..2026-07-10")
    assert custom.previous() == Period.custom(date(2026, 6, 21), date(2026, 6, 30))
    assert [q.code for q in trailing_quarters(Q3, 3)] == ["2026-Q1", "2026-Q2", "2026-Q3"]


def test_a_certificate_counts_under_each_target_group_and_once_in_the_total(world, issue, db):
    learner1, learner2 = world.people["learner@r1"], world.people["learner@r2"]
    rows = [
        (learner1, date(2026, 7, 3), ("civil_servants", "librarians")),
        (learner1, date(2026, 8, 3), ("librarians",)),
        (learner2, date(2026, 9, 30), ("civil_servants",)),
        (learner2, date(2026, 10, 1), ("civil_servants",)),  # Q4: not counted in Q3
        (learner2, date(2026, 6, 30), ("medical_workers",)),  # Q2
    ]
    for person, on, groups in rows:
        issue(person, on, groups)
    db.session.commit()
    in_q3 = [row for row in rows if Q3.start <= row[1] <= Q3.end]
    filters = Filters(EVERYTHING, Q3, as_of=date(2026, 12, 1))
    assert aggregates.count_certificates(filters) == len(in_q3)
    by_group = {row.key: row.certificates for row in aggregates.breakdown(filters, "target_group")}
    expected: dict[str, int] = {}
    for _person, _on, groups in in_q3:
        for group in groups:
            expected[group] = expected.get(group, 0) + 1
    assert by_group == expected
    assert sum(by_group.values()) > aggregates.count_certificates(filters)  # hence the de-duplicated total
    assert aggregates.count_people(filters) == len({person.id for person, _on, _g in in_q3})
    by_region = {row.key: row.certificates for row in aggregates.breakdown(filters, "region")}
    assert by_region == {world.orgs["r1"].id: 2, world.orgs["r2"].id: 1}
    cells = aggregates.matrix(filters)
    assert cells[(world.orgs["r1"].id, "librarians")] == 2
    assert cells[(world.orgs["r1"].id, "*")] == 2
    assert cells[(world.orgs["r2"].id, "civil_servants")] == 1
    trend = dict(
        (p.code, n) for p, n in aggregates.trend(filters, trailing_quarters(Period.quarter(2026, 4), 3))
    )
    assert trend == {"2026-Q2": 1, "2026-Q3": 3, "2026-Q4": 1}
    half = Filters(EVERYTHING, Period.half(2026, 2), as_of=date(2026, 12, 1))
    assert aggregates.count_certificates(half) == 4
    year = Filters(EVERYTHING, Period.whole_year(2026), as_of=date(2026, 12, 1))
    assert aggregates.count_certificates(year) == 5
    custom = Filters(EVERYTHING, Period.parse("2026-08-01..2026-09-30"), as_of=date(2026, 12, 1))
    assert aggregates.count_certificates(custom) == 2


def test_a_revoked_certificate_stops_counting_from_its_revocation_date(world, issue, db):
    fact = issue(world.people["learner@r1"], date(2026, 7, 10), ("librarians",))
    issue(world.people["learner@r1"], date(2026, 7, 11), ("librarians",))
    assert facts.revoke_certificate("kaskad", fact.source_id, date(2026, 11, 1))
    db.session.commit()

    def on(day):
        return aggregates.count_certificates(Filters(EVERYTHING, Q3, as_of=day))

    assert on(date(2026, 10, 31)) == 2
    assert on(date(2026, 11, 1)) == 1
    assert on(date(2026, 12, 1)) == 1
    assert not facts.revoke_certificate("kaskad", 999_999, date(2026, 11, 1))


def test_a_regional_manager_counts_only_her_region(world, issue, db, app):
    issue(world.people["learner@r1"], date(2026, 7, 10), ("librarians",))
    issue(world.people["learner@r2"], date(2026, 7, 10), ("librarians",))
    issue(world.people["learner@r2"], date(2026, 7, 12), ("civil_servants",))
    db.session.commit()
    with app.test_request_context():
        where = scope(world.people["manager@r1"], "monitoring.view")
        filters = Filters(where, Q3, as_of=date(2026, 12, 1))
        assert aggregates.count_certificates(filters) == 1
        assert [row.key for row in aggregates.breakdown(filters, "region")] == [world.orgs["r1"].id]
        assert {key for key, _group in aggregates.matrix(filters)} == {world.orgs["r1"].id}
        # choosing another region in the filter shows nothing of it
        other = Filters(where, Q3, region_id=world.orgs["r2"].id, as_of=date(2026, 12, 1))
        assert aggregates.count_certificates(other) == 0
        assert [r.id for r in aggregates.region_rows(filters)] == [world.orgs["r1"].id]


def test_filters_by_source_course_and_target_group(world, issue, db):
    person = world.people["learner@r1"]
    issue(person, date(2026, 7, 1), ("librarians",), course="A")
    issue(person, date(2026, 7, 2), ("civil_servants",), course="B")
    facts.record_certificate(
        "external",
        1,
        date(2026, 7, 3),
        region=world.orgs["r1"],
        course_title="Дія",
        target_groups=["librarians"],
    )
    db.session.commit()
    base = Filters(EVERYTHING, Q3, as_of=date(2026, 12, 1))
    from dataclasses import replace

    assert aggregates.count_certificates(base) == 3
    assert aggregates.count_certificates(replace(base, source="kaskad")) == 2
    assert aggregates.count_certificates(replace(base, source="external")) == 1
    assert aggregates.count_certificates(replace(base, course="A")) == 1
    assert aggregates.count_certificates(replace(base, target_group="librarians")) == 2
    # the external certificate of nobody in Kaskad is its own person
    assert aggregates.count_people(base) == 2


def test_coverage_counts_open_hubs_with_a_certified_coordinator(world, issue, make, db):
    r1 = world.orgs["r1"]
    second = make.org("hub", r1, code="HUB-18-002")
    make.org("hub", r1, code="HUB-18-003", status="temporarily_closed")
    coordinator = make.user(second, email="coord@example.org")
    issue(coordinator, date(2026, 7, 5), ("librarians",))
    issue(world.people["learner@r1"], date(2026, 7, 5), ("librarians",), job="librarian")  # not a coordinator
    db.session.commit()
    rows = {
        row.key: row.extra for row in aggregates.coverage(Filters(EVERYTHING, Q3, as_of=date(2026, 12, 1)))
    }
    assert rows[r1.id]["hubs"] == 2 and rows[r1.id]["covered"] == 1
    assert rows[world.orgs["r2"].id] == {"hubs": 1, "covered": 0, "share": 0.0}


def test_a_fact_snapshots_where_the_person_stood_at_issue(world, issue, db):
    person = world.people["learner@r1"]
    fact = issue(person, date(2026, 7, 5), ("librarians",))
    db.session.commit()
    assert fact.hub_id == world.orgs["hub@r1"].id and fact.region_id == world.orgs["r1"].id
    assert (fact.year, fact.half, fact.quarter) == (2026, 20262, 20263)
    person.organisation = world.orgs["hub@r2"]
    db.session.commit()
    db.session.expire_all()
    again = db.session.scalar(select(CertificateFact).where(CertificateFact.id == fact.id))
    assert again.region_id == world.orgs["r1"].id
