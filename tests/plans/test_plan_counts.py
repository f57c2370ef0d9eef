"""A computed indicator counts its registered figure over the plan owner's region, by its filters."""

from __future__ import annotations

from datetime import date

from lms.monitoring import facts
from lms.monitoring.periods import Period
from lms.plans import services

EN = {"Accept-Language": "en"}


def certificate(number, person, on, groups, source="kaskad"):
    facts.record_certificate(
        source, number, on, person=person, organisation=person.organisation, target_groups=groups
    )


def test_a_computed_indicator_counts_the_owners_region_by_its_groups_and_source(world, db):
    learner1, learner2 = world.people["learner@r1"], world.people["learner@r2"]
    certificate(1, learner1, date(2026, 3, 1), ("civil_servants", "librarians"))
    certificate(2, learner1, date(2026, 8, 1), ("medical_workers",))
    certificate(3, learner1, date(2025, 8, 1), ("civil_servants",))
    certificate(4, learner2, date(2026, 8, 1), ("civil_servants",))
    plan = services.create_plan("P", "План", world.orgs["r1"], 2021, 2026)
    action = services.add_action(plan, "1", "Моніторинг")
    every = services.add_indicator(action, "Сертифікати", "computed", "certificates.all", {"region": "owner"})
    groups = services.add_indicator(
        action,
        "Сертифікати груп",
        "computed",
        "certificates.all",
        {"region": "owner", "target_groups": ["civil_servants", "medical_workers"], "source": "external"},
    )
    reported = services.add_indicator(action, "Курси")
    db.session.commit()
    year, half = Period.whole_year(2026), Period.half(2026, 1)

    assert services.compute(every, year) == 2  # r2's certificate and 2025's are not counted
    assert services.compute(every, half) == 1
    assert services.compute(groups, year) == 0  # external certificates only: none
    groups.filters = {**groups.filters, "source": "all"}
    assert services.compute(groups, year) == 2
    assert services.compute(reported, year) is None


def test_the_plan_page_shows_what_kaskad_counted_this_year(client, login_as, world, db):
    certificate(1, world.people["learner@r1"], date.today(), ("civil_servants",))
    plan = services.create_plan("P", "План", world.orgs["r1"], 2021, 2100)
    action = services.add_action(plan, "1", "Моніторинг")
    services.add_indicator(action, "Сертифікати", "computed", "certificates.all", {"region": "owner"})
    db.session.commit()
    login_as(world.people["manager@r1"])

    page = client.get(f"/plans/{plan.id}", headers=EN).get_data(as_text=True)

    assert f"Counted in {date.today().year} so far: 1" in page
