"""The completion rule of a cohort (items, quizzes, attendance), recording and announcing completions,
completion by hand, and closing: the confirmation page, and nothing announced twice, also when two
people close the same cohort at the same moment (on SQLite and PostgreSQL alike)."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from courses.cohorts import completion
from courses.cohorts import sessions as session_services
from courses.cohorts.models import Attendance, Cohort, CohortSession
from courses.services import complete_item
from courses.signals import cohort_closed, course_completed
from lms.audit.models import AuditEntry
from lms.i18n import utcnow
from lms.testing import login, post

# one required module of two items and a quiz, and an optional module
LAYOUT = (
    (
        "basics",
        True,
        [
            ("welcome", "text", "next", True),
            ("handout", "file", "button", True),
            ("check", "quiz", "button", True),
        ],
    ),
    ("further", False, [("reading", "text", "button", True)]),
)


@pytest.fixture
def course(make_course):
    return make_course("DONE-1", layout=LAYOUT)


@pytest.fixture
def learners(world, make):
    people = [
        make.user(world.orgs["hub@r1"], ("learner",), surname=surname, given_name="Ія", password="")
        for surname in ("Абрамова", "Ґава", "Юрʼєва")
    ]
    make.commit()
    return people


@pytest.fixture
def cohort(world, course, learners, make_cohort):
    return make_cohort(
        course, world.orgs["tc@r1"], trainers=[world.people["trainer@r1"]], learners=learners, title="Весна"
    )


@contextmanager
def heard(app):
    """What ``course-completed`` and ``cohort-closed`` announce while the block runs (thread-safe)."""
    calls: list[tuple[str, object]] = []
    lock = threading.Lock()

    def on_completed(sender, enrolment, cohort, member, **kwargs):
        with lock:
            calls.append(("completed", (member.id if member else None, cohort.id if cohort else None)))

    def on_closed(sender, cohort, closed_by, **kwargs):
        with lock:
            calls.append(("closed", cohort.id))

    course_completed.connect(on_completed, sender=app)
    cohort_closed.connect(on_closed, sender=app)
    try:
        yield calls
    finally:
        course_completed.disconnect(on_completed, sender=app)
        cohort_closed.disconnect(on_closed, sender=app)


def member_of(cohort, person):
    return next(member for member in cohort.members if member.user_id == person.id)


def do(member, *keys):
    """The learner completes these items of the course (the quiz by passing it)."""
    items = {item.key: item for item in member.cohort.course.items}
    for key in keys:
        complete_item(member.enrolment, items[key], passed_quiz=items[key].kind == "quiz")


def done_quietly(db, member, *keys):
    """Progress stored directly, without the signals that would complete her at once."""
    from courses.models import ItemCompletion

    items = {item.key: item for item in member.cohort.course.items}
    for key in keys:
        db.session.add(ItemCompletion(enrolment=member.enrolment, item=items[key]))


def add_sessions(cohort, db, past=0, future=0):
    now = utcnow()
    sessions = []
    for day in [-(index + 1) for index in range(past)] + [index + 1 for index in range(future)]:
        start = now + timedelta(days=day)
        session = CohortSession(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=2))
        db.session.add(session)
        sessions.append(session)
    db.session.commit()
    return sessions


# --- the rule -----------------------------------------------------------------------------------------


def test_a_learner_completes_when_she_does_the_last_required_item_with_the_cohort_and_its_trainers(
    app, db, cohort, learners, world
):
    member = member_of(cohort, learners[0])
    with heard(app) as calls:
        do(member, "welcome", "handout")
        assert member.status == "enrolled"
        do(member, "check")
        db.session.commit()
    db.session.expire_all()
    assert member.status == "completed" and member.completion_source == "rule"
    assert member.completed_at is not None and member.announced_at is not None
    assert [trainer.email for trainer in member.completion_trainers] == ["trainer.r1@example.org"]
    # announced once, with the cohort; the course's own announcement (outside cohorts) is not sent
    assert calls == [("completed", (member.id, cohort.id))]
    # the optional module never mattered; doing it later announces nothing more
    with heard(app) as calls:
        do(member, "reading")
    assert calls == []


def test_what_is_missing_names_the_items_the_quiz_and_attendance(app, db, cohort, learners):
    add_sessions(cohort, db, past=2, future=1)
    first, second, third = (member_of(cohort, person) for person in learners)
    do(first, "welcome")
    do(second, "welcome", "handout")
    db.session.commit()
    rule = completion.standings(cohort)
    assert rule[first.id].missing == (completion.ITEMS, completion.QUIZZES, completion.ATTENDANCE)
    assert (rule[first.id].items_done, rule[first.id].items_required) == (1, 2)
    assert [item.key for item in rule[second.id].quizzes_missing] == ["check"]
    assert rule[second.id].missing == (completion.QUIZZES, completion.ATTENDANCE)
    # three sessions that are not cancelled (one still to come): 80 % of 3 is 3 sessions
    assert (rule[third.id].attended, rule[third.id].sessions, rule[third.id].sessions_needed) == (0, 3, 3)

    from courses.cohorts import wording

    with app.test_request_context(headers={"Accept-Language": "en"}):
        from flask_babel import force_locale

        with force_locale("en"):
            assert wording.missing(rule[first.id]) == [
                "Required items: 1 of 2 done.",
                "Quiz not passed yet: «check title».",
                "Attendance: 0 of 3 sessions, at least 3 needed.",
            ]


def test_attendance_counts_every_session_not_cancelled_and_completes_when_marks_reach_the_minimum(
    app, db, cohort, learners, world
):
    cohort.course.min_attendance_percent = 60
    held, later = add_sessions(cohort, db, past=2), add_sessions(cohort, db, future=1)
    member = member_of(cohort, learners[0])
    trainer = world.people["trainer@r1"]
    everyone_present = {other.id: "present" for other in cohort.members}
    with heard(app) as calls:
        do(member, "welcome", "handout", "check")
        assert member.status == "enrolled"  # no session attended yet: 2 of 3 needed
        session_services.mark_attendance(held[0], {**everyone_present, member.id: "late"}, trainer)
        assert member.status == "enrolled"  # 1 of 3
        session_services.mark_attendance(held[1], {**everyone_present, member.id: "absent"}, trainer)
        assert member.status == "enrolled"  # 1 of 3: the session still to come is needed
        session_services.mark_attendance(held[1], everyone_present, trainer)
        db.session.commit()
    db.session.expire_all()
    assert member.status == "completed"
    assert calls == [("completed", (member.id, cohort.id))]
    assert completion.standing(member).attended == 2
    assert later  # the future session stayed in the count


def test_cancelling_a_session_or_an_excused_absence_lowers_what_is_needed(app, db, cohort, learners):
    held = add_sessions(cohort, db, past=2)
    (later,) = add_sessions(cohort, db, future=1)
    first, second = member_of(cohort, learners[0]), member_of(cohort, learners[1])
    for session in held:
        for member, status in ((first, "present"), (second, "present")):
            session.attendance.append(Attendance(member=member, status=status))
    db.session.commit()
    do(first, "welcome", "handout", "check")
    do(second, "welcome", "handout", "check")
    db.session.commit()
    assert first.status == second.status == "enrolled"  # 2 of 3, 80 % needed
    session_services.cancel_session(later)
    db.session.commit()
    db.session.expire_all()
    assert first.status == second.status == "completed"  # 2 of 2


def test_withdrawn_members_and_members_of_closed_cohorts_are_left_as_they_are(app, db, cohort, learners):
    first, second = member_of(cohort, learners[0]), member_of(cohort, learners[1])
    first.status = "withdrawn"
    db.session.commit()
    do(first, "welcome", "handout", "check")
    assert first.status == "withdrawn"
    cohort.status = "closed"
    db.session.commit()
    do(second, "welcome", "handout", "check")
    db.session.commit()
    assert second.status == "enrolled" and completion.reconsider(second) == []


def test_progress_is_shared_by_the_learners_cohorts_and_completes_in_the_one_she_is_enrolled_in(
    app, db, course, learners, world, make_cohort
):
    first = make_cohort(course, world.orgs["tc@r1"], learners=learners[:1])
    second = make_cohort(course, world.orgs["tc@r1"], learners=learners[:1])
    member_of(first, learners[0]).status = "withdrawn"  # she moved to the second cohort
    db.session.commit()
    do(member_of(second, learners[0]), "welcome", "handout", "check")
    db.session.commit()
    assert member_of(first, learners[0]).status == "withdrawn"
    assert member_of(second, learners[0]).status == "completed"


def test_a_learner_outside_cohorts_is_announced_by_the_course_without_a_cohort(app, db, course, make, world):
    from courses.services import enrol

    person = make.user(world.orgs["hub@r1"], ("learner",), password="")
    enrolment = enrol(person, course)
    db.session.commit()
    announced = []
    course_completed.connect(
        receiver := lambda sender, **kwargs: announced.append(sorted(kwargs.items())), sender=app
    )
    try:
        items = {item.key: item for item in course.items}
        for key in ("welcome", "handout", "check"):
            complete_item(enrolment, items[key], passed_quiz=key == "check")
    finally:
        course_completed.disconnect(receiver, sender=app)
    assert announced == [[("cohort", None), ("enrolment", enrolment), ("member", None)]]


# --- by hand ------------------------------------------------------------------------------------------


def test_an_admin_records_a_completion_by_hand_with_a_reason_logged(app, db, cohort, learners, runner):
    email = learners[1].email
    with heard(app) as calls:
        result = runner.invoke(
            args=["cohorts", "complete", str(cohort.id), "--email", email, "--reason", "Тест на папері"]
        )
        assert result.exit_code == 0, result.output
        again = runner.invoke(args=["cohorts", "complete", str(cohort.id), "--email", email, "--reason", "x"])
    assert again.exit_code == 0 and "already" in again.output
    db.session.expire_all()
    member = member_of(cohort, learners[1])
    assert member.status == "completed" and member.completion_source == "manual"
    assert member.completion_reason == "Тест на папері"
    assert calls == [("completed", (member.id, cohort.id))]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "courses.cohort.member-completed")
    )
    assert entry.details["reason"] == "Тест на папері" and entry.details["source"] == "manual"


def test_completion_by_hand_is_refused_for_strangers_without_a_reason_and_unknown_cohorts(
    app, db, cohort, world, learners, runner
):
    stranger = runner.invoke(
        args=["cohorts", "complete", str(cohort.id), "--email", "learner.r2@example.org", "--reason", "x"]
    )
    assert stranger.exit_code != 0 and "is not a learner of cohort" in stranger.output
    blank = runner.invoke(
        args=["cohorts", "complete", str(cohort.id), "--email", learners[0].email, "--reason", " "]
    )
    assert blank.exit_code != 0 and "reason" in blank.output
    nobody = runner.invoke(
        args=["cohorts", "complete", "999999", "--email", learners[0].email, "--reason", "x"]
    )
    assert nobody.exit_code != 0 and "There is no cohort 999999." in nobody.output
    db.session.expire_all()
    assert {member.status for member in cohort.members} == {"enrolled"}


# --- closing ------------------------------------------------------------------------------------------


def test_closing_completes_who_meets_the_rule_announces_each_completer_once_and_the_cohort_once(
    app, db, cohort, learners, world
):
    first, second, third = (member_of(cohort, person) for person in learners)
    # completed earlier but never announced (e.g. recorded before announcements existed)
    second.status, second.completed_at = "completed", utcnow()
    db.session.commit()
    do(first, "welcome", "handout")
    db.session.commit()
    # the rule is met without a completion being recorded yet: the course got easier (quiz made optional)
    next(item for item in cohort.course.items if item.key == "check").is_required = False
    db.session.commit()
    preview = completion.closing_preview(cohort)
    assert [row.member.id for row in preview.completed] == [first.id, second.id]
    assert [row.member.id for row in preview.not_completed] == [third.id]
    assert preview.not_completed[0].standing.missing == (completion.ITEMS,)
    with heard(app) as calls:
        closed = completion.close_cohort(cohort, world.people["trainer@r1"])
        db.session.commit()
        assert completion.close_cohort(cohort, world.people["manager@r1"]) is None
        db.session.commit()
    assert [member.id for member in closed.completed_now] == [first.id]
    assert sorted(closed_member.id for closed_member in closed.announced) == sorted([first.id, second.id])
    assert sorted(calls) == sorted(
        [("completed", (first.id, cohort.id)), ("completed", (second.id, cohort.id)), ("closed", cohort.id)]
    )
    db.session.expire_all()
    assert cohort.status == "closed" and cohort.closed_by_id == world.people["trainer@r1"].id
    assert third.status == "enrolled"


def _close_in_thread(app, cohort_id, results, barrier, index):
    from lms.extensions import db

    with app.app_context():
        try:
            cohort = db.session.get(Cohort, cohort_id)
            barrier.wait()
            results[index] = completion.close_cohort(cohort) is not None
            db.session.commit()
        except Exception as error:  # reported by the test
            db.session.rollback()
            results[index] = error
        finally:
            db.session.remove()


def test_two_people_closing_at_the_same_moment_announce_nothing_twice(app, db, cohort, learners):
    # everyone meets the rule, nobody is completed yet: both closers would complete and announce them all
    for member in cohort.members:
        done_quietly(db, member, "welcome", "handout", "check")
    db.session.commit()
    member_ids = [member.id for member in cohort.members]
    results: list[object] = [None, None]
    barrier = threading.Barrier(2)
    with heard(app) as calls:
        threads = [
            threading.Thread(target=_close_in_thread, args=(app, cohort.id, results, barrier, index))
            for index in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(results, key=str) == [False, True], results
    assert sorted(calls) == sorted(
        [("completed", (member_id, cohort.id)) for member_id in member_ids] + [("closed", cohort.id)]
    )
    db.session.expire_all()
    assert {member.status for member in cohort.members} == {"completed"}
    rows = db.session.execute(select(completion.completion_trainer)).all()
    assert len(rows) == len(member_ids)  # each completion names the trainer once


def test_a_close_waiting_for_another_one_finds_the_cohort_closed(app, db, cohort, learners):
    """The first closer holds its transaction open (inside a receiver) until the second one has
    started closing; the second waits for it, then changes and sends nothing."""
    for member in cohort.members:
        do(member, "welcome", "handout")
    db.session.commit()
    first_closed, second_started = threading.Event(), threading.Event()
    results: list[object] = [None, None]

    def first_closer():
        from lms.extensions import db as database

        with app.app_context():
            try:
                results[0] = completion.close_cohort(database.session.get(Cohort, cohort.id)) is not None
                first_closed.set()
                second_started.wait(timeout=30)
                database.session.commit()
            finally:
                database.session.remove()

    def second_closer():
        from lms.extensions import db as database

        with app.app_context():
            try:
                cohort_again = database.session.get(Cohort, cohort.id)
                second_started.set()
                results[1] = completion.close_cohort(cohort_again) is not None
                database.session.commit()
            except Exception as error:
                results[1] = error
            finally:
                database.session.remove()

    with heard(app) as calls:
        first = threading.Thread(target=first_closer)
        first.start()
        assert first_closed.wait(timeout=30)  # closed, not committed, before the second begins
        second = threading.Thread(target=second_closer)
        second.start()
        first.join(timeout=60)
        second.join(timeout=60)
    assert results == [True, False]
    assert [name for name, _ in calls] == ["closed"]


# --- the confirmation page ---------------------------------------------------------------------------


def test_the_confirmation_page_lists_completers_and_the_others_with_what_they_lack(
    client, db, cohort, learners, world
):
    first, second, _third = (member_of(cohort, person) for person in learners)
    do(first, "welcome", "handout", "check")
    do(second, "welcome")
    db.session.commit()
    login(client, world.people["trainer@r1"])
    page = client.get(f"/cohorts/{cohort.id}/close", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Completed (1)" in page and "Not completed (2)" in page
    assert "Required items: 1 of 2 done." in page and "Quiz not passed yet: «check title»." in page
    assert 'name="csrf_token"' in page
    response = post(client, f"/cohorts/{cohort.id}/close", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    page = client.get(response.location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The cohort has been closed." in page and "The cohort was closed on" in page
    assert "Close the cohort</button>" not in page
    again = post(client, f"/cohorts/{cohort.id}/close", headers={"Accept-Language": "en"})
    page = client.get(again.location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "had been closed already" in page


def test_closing_from_the_command_line_says_who_did_not_complete_and_why(db, cohort, learners, runner):
    do(member_of(cohort, learners[0]), "welcome", "handout", "check")
    db.session.commit()
    result = runner.invoke(args=["cohorts", "close", str(cohort.id)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == f"Cohort {cohort.id} closed: 1 completed, 2 did not."
    assert f"not completed: {learners[1].email}: Required items: 0 of 2 done." in result.output
    again = runner.invoke(args=["cohorts", "close", str(cohort.id)])
    assert again.exit_code == 0 and "closed already" in again.output


def test_a_learner_or_a_trainer_of_another_region_cannot_close(client, db, cohort, world):
    for role in ("learner@r1", "trainer@r2"):
        login(client, world.people[role])
        assert client.get(f"/cohorts/{cohort.id}/close").status_code == 403
        assert post(client, f"/cohorts/{cohort.id}/close").status_code == 403
        post(client, "/logout")
    db.session.expire_all()
    assert cohort.status == "running"
    assert date.today()  # the cohort's dates do not matter for closing
