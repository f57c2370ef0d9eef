"""Trainer licences: who may open a cohort of a course, the admin's override, plugins' rules, and the
cohorts flagged when a licence ends."""

from __future__ import annotations

from datetime import date

import pytest
from flask import current_app

from courses.cohorts import licences, services
from courses.cohorts.models import Cohort, MemberStatus
from lms.audit.models import AuditEntry
from lms.plugins import add_licence_rule, registry


@pytest.fixture
def cascade(world, make_course, make, db):
    """TOT qualifies trainers for DEH; a national trainer, and a regional trainer still to qualify."""
    tot, deh = make_course("TOT"), make_course("DEH")
    tot.qualifies_for.append(deh)
    national = make.user(world.orgs["root"], ("trainer",), email="national@example.org", surname="Бондар")
    make.commit()
    return {"tot": tot, "deh": deh, "national": national, "regional": world.people["trainer@r1"]}


@pytest.fixture
def rules(app):
    """The licence rules registered on the app, restored after the test."""
    saved = list(registry(app).licence_rules)
    yield registry(app).licence_rules
    registry(app).licence_rules[:] = saved


@pytest.fixture(autouse=True)
def _courses_rule_alone(app):
    """These tests are of the courses plugin's own rule: the rules other plugins registered (the
    certificates plugin's) are set aside for each test and put back after it."""
    saved = list(registry(app).licence_rules)
    registry(app).licence_rules.clear()
    yield
    registry(app).licence_rules[:] = saved


def _details(course, organisation, trainers, **fields):
    return services.CohortDetails(
        course=course,
        organisation=organisation,
        starts_on=fields.pop("starts_on", date(2026, 3, 2)),
        ends_on=fields.pop("ends_on", date(2026, 4, 30)),
        trainers=list(trainers),
        **fields,
    )


def _complete(cohort, person, db):
    member = services.member_of(cohort, person)
    member.status = MemberStatus.COMPLETED.value
    from lms.i18n import utcnow

    member.completed_at = utcnow()
    db.session.commit()


def test_a_course_nothing_qualifies_trainers_for_needs_only_the_trainer_role(cascade, world):
    assert licences.licence_of(cascade["national"], cascade["tot"]).source == licences.ROLE_ONLY
    assert licences.licence_of(world.people["learner@r1"], cascade["tot"]) is None
    assert licences.refusal(world.people["learner@r1"], cascade["tot"]) == licences.NO_TRAINER_ROLE


def test_a_trainer_without_the_licence_cannot_open_a_cohort(cascade, world, db):
    with pytest.raises(services.CohortError) as refused:
        services.create_cohort(_details(cascade["deh"], world.orgs["tc@r1"], [cascade["regional"]]))
    assert refused.value.code == services.TRAINER_UNLICENSED
    assert refused.value.people == (cascade["regional"],)


def test_completing_a_qualifying_cohort_gives_the_licence(cascade, world, make_cohort, db):
    tot = make_cohort(
        cascade["tot"], world.orgs["root"], trainers=[cascade["national"]], learners=[cascade["regional"]]
    )
    assert licences.licence_of(cascade["regional"], cascade["deh"]) is None
    _complete(tot, cascade["regional"], db)
    licence = licences.licence_of(cascade["regional"], cascade["deh"])
    assert licence.source == licences.COMPLETION and licence.cohort.id == tot.id
    cohort = services.create_cohort(_details(cascade["deh"], world.orgs["tc@r1"], [cascade["regional"]]))
    db.session.commit()
    assert cohort.status == "planned" and cohort.trainers == [cascade["regional"]]


def test_an_admin_grants_a_licence_by_hand_with_a_reason_logged(cascade, world, db):
    admin = world.people["admin@root"]
    with pytest.raises(licences.LicenceError):
        licences.grant_licence(cascade["regional"], cascade["deh"], "  ", admin)
    grant = licences.grant_licence(cascade["regional"], cascade["deh"], "Навчена на папері у 2023 р.", admin)
    db.session.commit()
    licence = licences.licence_of(cascade["regional"], cascade["deh"])
    assert licence.source == licences.GRANT and licence.grant.id == grant.id
    entry = db.session.query(AuditEntry).filter_by(action="courses.licence.granted").one()
    assert entry.details["reason"] == "Навчена на папері у 2023 р." and entry.actor_id == admin.id
    with pytest.raises(licences.LicenceError) as twice:
        licences.grant_licence(cascade["regional"], cascade["deh"], "Ще раз", admin)
    assert twice.value.code == licences.ALREADY_GRANTED


def test_a_grant_for_a_course_that_needs_no_licence_is_refused(cascade, world):
    with pytest.raises(licences.LicenceError) as refused:
        licences.grant_licence(cascade["regional"], cascade["tot"], "Причина")
    assert refused.value.code == licences.NOT_QUALIFIED_COURSE


def test_a_plugin_rule_ends_a_licence_whatever_completions_say(cascade, world, make_cohort, rules, db):
    tot = make_cohort(
        cascade["tot"], world.orgs["root"], trainers=[cascade["national"]], learners=[cascade["regional"]]
    )
    _complete(tot, cascade["regional"], db)
    rules.append(lambda person, course: None)  # no opinion: the next rule decides
    rules.append(lambda person, course: False if person.id == cascade["regional"].id else None)
    assert licences.licence_of(cascade["regional"], cascade["deh"]) is None
    # the admin's override still stands
    licences.grant_licence(cascade["regional"], cascade["deh"], "Сертифікат перевидається")
    assert licences.licence_of(cascade["regional"], cascade["deh"]).source == licences.GRANT


def test_a_plugin_rule_gives_a_licence(cascade, rules):
    add_licence_rule(current_app, lambda person, course: True)
    assert licences.licence_of(cascade["regional"], cascade["deh"]).source == licences.RULE


def test_when_a_licence_ends_the_open_cohorts_are_flagged_and_no_new_one_opens(cascade, world, db):
    admin, regional = world.people["admin@root"], cascade["regional"]
    grant = licences.grant_licence(regional, cascade["deh"], "Досвід", admin)
    cohort = services.create_cohort(_details(cascade["deh"], world.orgs["tc@r1"], [regional]))
    db.session.commit()
    assert licences.flagged_cohorts(world.people["manager@r1"]) == []
    licences.revoke_grant(grant, "Помилка", admin)
    db.session.commit()
    assert cohort.flagged_at is not None and regional.email in cohort.flag_reason
    assert licences.flagged_cohorts(world.people["manager@r1"]) == [cohort]
    assert licences.has_flagged_cohorts(world.people["manager@r1"])
    assert licences.flagged_cohorts(world.people["manager@r2"]) == []  # another region's manager
    with pytest.raises(services.CohortError):
        services.create_cohort(_details(cascade["deh"], world.orgs["tc@r1"], [regional]))
    db.session.rollback()
    # a new licence clears the flag
    licences.grant_licence(regional, cascade["deh"], "Пройшла курс повторно", admin)
    db.session.commit()
    assert cohort.flagged_at is None and licences.flagged_cohorts(world.people["manager@r1"]) == []


def test_review_flags_cohorts_whose_licence_ended_by_itself(cascade, world, rules, db):
    regional = cascade["regional"]
    valid = {"yes": True}
    rules.append(lambda person, course: valid["yes"] if person.id == regional.id else None)
    cohort = services.create_cohort(_details(cascade["deh"], world.orgs["tc@r1"], [regional]))
    db.session.commit()
    valid["yes"] = False  # e.g. her certificate expired
    assert licences.review_open_cohorts() == [cohort]
    assert licences.flagged_cohorts(world.people["admin@root"]) == [cohort]


def test_a_trainer_who_stays_is_not_refused_when_the_cohort_is_edited(cascade, world, db):
    admin, regional = world.people["admin@root"], cascade["regional"]
    grant = licences.grant_licence(regional, cascade["deh"], "Досвід", admin)
    cohort = services.create_cohort(_details(cascade["deh"], world.orgs["tc@r1"], [regional]))
    licences.revoke_grant(grant, "Закінчилась", admin)
    details = services.CohortDetails.of(cohort)
    details.title = "Житомир, весна"
    services.update_cohort(cohort, details)
    assert cohort.title == "Житомир, весна" and cohort.flagged_at is not None


# --- command line ------------------------------------------------------------------------------------


def _create_args(course="DEH", trainer="trainer.r1@example.org"):
    return [
        "cohorts", "create", "--course", course, "--org", "TC-18", "--trainer", trainer,
        "--starts", "2026-03-02", "--ends", "2026-04-30", "--mode", "in_person", "--capacity", "25",
    ]  # fmt: skip


def test_cli_refuses_an_unlicensed_trainer_with_a_message(cascade, runner, db):
    result = runner.invoke(args=_create_args())
    assert result.exit_code != 0
    assert "trainer.r1@example.org" in result.output and "licence" in result.output
    assert db.session.query(Cohort).count() == 0


def test_cli_creates_a_cohort_and_prints_its_id_last(cascade, runner, world, db):
    result = runner.invoke(args=["licences", "grant", "--email", "trainer.r1@example.org", "--course", "DEH",
                                 "--reason", "Навчалась у 2024 році"])  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=_create_args())
    assert result.exit_code == 0, result.output
    cohort = db.session.get(Cohort, int(result.output.strip().splitlines()[-1]))
    assert cohort.course.code == "DEH" and cohort.organisation.code == "TC-18"
    assert (cohort.mode, cohort.capacity, cohort.starts_on) == ("in_person", 25, date(2026, 3, 2))
    assert [trainer.email for trainer in cohort.trainers] == ["trainer.r1@example.org"]


def test_cli_licence_grant_needs_a_known_person_and_course(cascade, runner):
    result = runner.invoke(args=["licences", "grant", "--email", "nobody@example.org", "--course", "DEH",
                                 "--reason", "x"])  # fmt: skip
    assert result.exit_code != 0 and "nobody@example.org" in result.output


def test_a_deactivated_trainer_cannot_be_named(cascade, world, db):
    from lms.accounts.services import deactivate

    deactivate(cascade["national"])
    with pytest.raises(services.CohortError) as refused:
        services.create_cohort(_details(cascade["tot"], world.orgs["root"], [cascade["national"]]))
    assert refused.value.code == services.TRAINER_NOT_TRAINER


def test_completing_a_qualifying_cohort_clears_the_flags_of_her_cohorts(cascade, world, make_cohort, db):
    from courses.cohorts.completion import record_completion

    admin, regional = world.people["admin@root"], cascade["regional"]
    grant = licences.grant_licence(regional, cascade["deh"], "Досвід", admin)
    cohort = services.create_cohort(_details(cascade["deh"], world.orgs["tc@r1"], [regional]))
    licences.revoke_grant(grant, "Закінчилась", admin)
    db.session.commit()
    assert cohort.flagged_at is not None
    tot = make_cohort(cascade["tot"], world.orgs["root"], trainers=[cascade["national"]], learners=[regional])
    record_completion(services.member_of(tot, regional))
    db.session.commit()
    assert cohort.flagged_at is None
