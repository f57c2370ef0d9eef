"""Cohort sessions: times in the cohort's time zone, edits and cancellations, the iCalendar feed parsed
back, attendance, attendance rates, offline work, the roster PDF, and what home pages list."""

from __future__ import annotations

import io
import sys
import types
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlalchemy import select

from courses.cohorts import calendar, roster
from courses.cohorts import sessions as services
from courses.cohorts.models import Attendance, CohortSession
from courses.cohorts.sessions import SessionDetails, SessionError
from courses.models import ItemCompletion
from courses.signals import item_completed
from lms.i18n import utcnow
from lms.testing import login, post

# Ukrainian alphabetical order: А, Ґ (after Г), Є (after Е), І (after И), Ю; the apostrophe is kept.
NAMES = [
    ("Юрʼєва", "Ганна"),
    ("Іваненко", "Олег"),
    ("Абрамова", "Марія"),
    ("Ґава", "Богдан"),
    ("Євтушенко", "Ія"),
]
ORDER = ["Абрамова", "Ґава", "Євтушенко", "Іваненко", "Юрʼєва"]


@pytest.fixture
def course(make_course):
    return make_course("SESS-1")


@pytest.fixture
def learners(world, make):
    # Only the first logs in: hashing a password costs time in every test.
    people = [
        make.user(
            world.orgs["hub@r1"],
            ("learner",),
            surname=surname,
            given_name=given,
            **({"password": ""} if i else {}),
        )
        for i, (surname, given) in enumerate(NAMES)
    ]
    make.commit()
    return people


@pytest.fixture
def cohort(world, course, learners, make_cohort):
    return make_cohort(
        course,
        world.orgs["tc@r1"],
        trainers=[world.people["trainer@r1"]],
        learners=learners,
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 7, 1),
        title="Житомир, весна 2026",
    )


def details(day=date(2026, 3, 2), starts=time(10, 0), ends=time(12, 0), **fields):
    return SessionDetails(day=day, starts=starts, ends=ends, **fields)


def schedule(cohort, db, **fields):
    session = services.schedule_session(cohort, details(**fields))
    db.session.commit()
    return session


def member_of(cohort, surname):
    return next(member for member in cohort.members if member.user.surname == surname)


# --- times ----------------------------------------------------------------------------------------


def test_session_times_are_entered_in_the_cohorts_time_zone_and_stored_in_utc(cohort, db):
    winter = schedule(cohort, db)  # Kyiv is UTC+2 in March before the clocks change
    summer = schedule(cohort, db, day=date(2026, 6, 1), starts=time(9, 30), ends=time(11, 0))  # UTC+3
    assert (winter.starts_at, winter.ends_at) == (datetime(2026, 3, 2, 8, 0), datetime(2026, 3, 2, 10, 0))
    assert summer.starts_at == datetime(2026, 6, 1, 6, 30)
    cohort.timezone = "Europe/Stockholm"
    stockholm = schedule(cohort, db)
    assert stockholm.starts_at == datetime(2026, 3, 2, 9, 0)
    assert SessionDetails.of(stockholm).starts == time(10, 0)


def test_a_time_skipped_when_the_clocks_go_forward_is_refused(cohort):
    with pytest.raises(SessionError) as refused:
        services.schedule_session(cohort, details(day=date(2026, 3, 29), starts=time(3, 30), ends=time(5, 0)))
    assert (refused.value.code, refused.value.field) == (services.NO_SUCH_TIME, "starts")


def test_a_session_ends_after_it_starts_links_to_the_web_and_if_public_has_a_venue(cohort, world):
    with pytest.raises(SessionError) as refused:
        services.schedule_session(cohort, details(starts=time(12, 0), ends=time(12, 0)))
    assert (refused.value.code, refused.value.field) == (services.END_NOT_AFTER_START, "ends")
    with pytest.raises(SessionError) as refused:
        services.schedule_session(cohort, details(is_public=True))
    assert refused.value.code == services.PUBLIC_NEEDS_VENUE
    with pytest.raises(SessionError) as refused:
        services.schedule_session(cohort, details(webinar_url="javascript:alert(1)"))
    assert (refused.value.code, refused.value.field) == (services.NOT_A_WEB_ADDRESS, "webinar_url")
    public = services.schedule_session(cohort, details(is_public=True, venue=world.orgs["hub@r1"]))
    assert public.is_public and public.venue_organisation is world.orgs["hub@r1"]


def test_editing_raises_the_sequence_only_when_something_changed(cohort, course, db):
    session = schedule(cohort, db, topic="Вступ")
    assert services.update_session(session, SessionDetails.of(session)) is False
    assert session.sequence == 0
    changed = SessionDetails.of(session)
    changed.topic, changed.modules = "Вступ і безпека", [course.modules[0]]
    assert services.update_session(session, changed) is True
    db.session.commit()
    assert (session.sequence, session.topic, [m.key for m in session.modules]) == (
        1,
        "Вступ і безпека",
        ["basics"],
    )


def test_a_cancelled_session_stays_in_the_list_and_cannot_be_changed(cohort, db):
    session = schedule(cohort, db)
    assert services.cancel_session(session) is True
    assert services.cancel_session(session) is False
    db.session.commit()
    assert services.sessions_of(cohort) == [session]
    assert session.is_cancelled and session.sequence == 1 and session.cancelled_at is not None
    with pytest.raises(SessionError) as refused:
        services.update_session(session, SessionDetails.of(session))
    assert refused.value.code == services.SESSION_CANCELLED


def test_the_sessions_of_a_closed_cohort_cannot_be_changed(cohort, db):
    session = schedule(cohort, db)
    cohort.status = "closed"
    for change in (
        lambda: services.schedule_session(cohort, details()),
        lambda: services.cancel_session(session),
        lambda: services.mark_attendance(session, {}),
    ):
        with pytest.raises(SessionError) as refused:
            change()
        assert refused.value.code == services.COHORT_CLOSED


# --- calendar -------------------------------------------------------------------------------------


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def test_the_feed_parses_back_with_time_zone_stable_uids_sequences_and_cancellations(app, cohort, db, world):
    first = schedule(cohort, db, topic="Вступ", venue=world.orgs["hub@r1"], place="Зала 2")
    second = schedule(cohort, db, day=date(2026, 6, 1), webinar_url="https://meet.example.org/abc")
    with app.test_request_context():
        before = parse(calendar.calendar(cohort, services.sessions_of(cohort)))
        changed = SessionDetails.of(first)
        changed.starts, changed.ends = time(11, 0), time(13, 0)
        services.update_session(first, changed)
        services.cancel_session(second)
        db.session.commit()
        after = parse(calendar.calendar(cohort, services.sessions_of(cohort)))

    assert after["METHOD"] == "PUBLISH" and str(after["X-WR-CALNAME"]) == "Житомир, весна 2026"
    (zone,) = after.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Kyiv"
    uids = [str(event["UID"]) for event in before.walk("VEVENT")]
    assert uids == [str(event["UID"]) for event in after.walk("VEVENT")]
    assert uids[0] == f"{first.uid}@{urlsplit(app.config['LMS_BASE_URL']).hostname}" and uids[0] != uids[1]
    moved, cancelled = after.walk("VEVENT")
    assert moved.start.tzinfo is not None and moved["DTSTART"].params["TZID"] == "Europe/Kyiv"
    assert moved.start.astimezone(UTC) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert moved.end.astimezone(UTC) == datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    assert (int(moved["SEQUENCE"]), str(moved["STATUS"]), str(moved["SUMMARY"])) == (1, "CONFIRMED", "Вступ")
    assert "Зала 2" in str(moved["LOCATION"])
    assert (int(cancelled["SEQUENCE"]), str(cancelled["STATUS"])) == (1, "CANCELLED")
    assert str(cancelled["URL"]) == "https://meet.example.org/abc"


def test_the_feed_of_a_cohort_without_sessions_is_an_empty_calendar(app, cohort):
    with app.test_request_context():
        feed = parse(calendar.calendar(cohort, []))
    assert feed.walk("VEVENT") == [] and str(feed["VERSION"]) == "2.0"


def test_resetting_the_calendar_address_forgets_the_old_one(cohort, db):
    old = cohort.calendar_token
    new = services.reset_calendar_token(cohort)
    db.session.commit()
    assert new != old and len(new) >= 32
    assert services.cohort_by_calendar_token(old) is None
    assert services.cohort_by_calendar_token(new) is cohort


# --- attendance -----------------------------------------------------------------------------------


def test_the_attendance_sheet_lists_learners_in_ukrainian_order_all_present_to_start(cohort, db):
    session = schedule(cohort, db)
    member_of(cohort, "Ґава").status = "withdrawn"
    db.session.commit()
    sheet = services.attendance_sheet(session)
    assert [row.member.user.surname for row in sheet] == [name for name in ORDER if name != "Ґава"]
    assert {(row.status, row.is_marked) for row in sheet} == {("present", False)}


def test_attendance_is_saved_for_every_learner_at_once_or_not_at_all(cohort, db):
    session = schedule(cohort, db)
    marks = {row.member.id: "present" for row in services.attendance_sheet(session)}
    late = member_of(cohort, "Юрʼєва").id
    incomplete = {**marks, late: "late"}
    del incomplete[member_of(cohort, "Абрамова").id]
    with pytest.raises(SessionError) as refused:
        services.mark_attendance(session, incomplete)
    assert refused.value.code == services.UNKNOWN_STATUS
    assert refused.value.member_ids == (member_of(cohort, "Абрамова").id,)
    db.session.rollback()
    assert db.session.scalars(select(Attendance)).all() == []

    changed = services.mark_attendance(session, {**marks, late: "late"})
    db.session.commit()
    assert len(changed) == 5
    again = services.mark_attendance(session, {**marks, late: "excused"})
    assert [member.user.surname for member in again] == ["Юрʼєва"]
    db.session.commit()
    sheet = {
        row.member.user.surname: (row.status, row.is_marked) for row in services.attendance_sheet(session)
    }
    assert sheet["Юрʼєва"] == ("excused", True) and sheet["Ґава"] == ("present", True)


def test_attendance_is_marked_from_the_day_of_the_session_and_never_for_a_cancelled_one(cohort, db):
    tomorrow = services.in_cohort_zone(cohort, utcnow()).date() + timedelta(days=1)
    later = schedule(cohort, db, day=tomorrow)
    with pytest.raises(SessionError) as refused:
        services.mark_attendance(later, {})
    assert refused.value.code == services.NOT_YET
    services.cancel_session(later)
    with pytest.raises(SessionError) as refused:
        services.mark_attendance(later, {})
    assert refused.value.code == services.SESSION_CANCELLED


@pytest.fixture
def completion_module(monkeypatch):
    """A stand-in for part C's ``courses.cohorts.completion``, recording whom it reconsidered."""
    module = types.ModuleType("courses.cohorts.completion")
    module.seen = []  # type: ignore[attr-defined]
    module.reconsider = module.seen.extend  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "courses.cohorts.completion", module)
    return module


def test_saved_attendance_makes_the_completion_rule_look_again_at_whom_it_changed(
    cohort, db, completion_module
):
    session = schedule(cohort, db)
    marks = {row.member.id: "present" for row in services.attendance_sheet(session)}
    services.mark_attendance(session, marks)
    assert len(completion_module.seen) == 5
    completion_module.seen.clear()
    services.mark_attendance(session, {**marks, member_of(cohort, "Ґава").id: "absent"})
    assert [member.user.surname for member in completion_module.seen] == ["Ґава"]


def mark(session, cohort, **statuses):
    """Store marks directly: ``mark(session, cohort, Ґава="late")``; everyone else present."""
    for member in cohort.members:
        session.attendance.append(
            Attendance(member=member, status=statuses.get(member.user.surname, "present"))
        )


def test_attendance_rate_counts_present_and_late_over_held_sessions_less_excused(cohort, db):
    now = datetime(2026, 4, 1, 12, 0)
    held = [schedule(cohort, db, day=date(2026, 3, day)) for day in (2, 9, 16, 23)]
    cancelled = schedule(cohort, db, day=date(2026, 3, 30))
    future = schedule(cohort, db, day=date(2026, 4, 6))
    services.cancel_session(cancelled)
    mark(held[0], cohort, Ґава="late", Іваненко="absent", Юрʼєва="excused")
    mark(held[1], cohort, Ґава="absent", Юрʼєва="excused")
    mark(held[2], cohort, Юрʼєва="late")
    # held[3] was not marked: it counts as not attended; marks of cancelled or future sessions count
    # for nothing
    mark(cancelled, cohort, Абрамова="absent")
    mark(future, cohort, Абрамова="absent")
    db.session.commit()

    rates = services.attendance_rates(cohort, now)
    by_name = {member.user.surname: rates[member.id] for member in cohort.members}
    assert by_name == {
        "Абрамова": (3, 4),
        "Ґава": (2, 4),  # late counts as attended
        "Євтушенко": (3, 4),
        "Іваненко": (2, 4),
        "Юрʼєва": (1, 2),  # two excused sessions leave the denominator
    }
    assert services.attendance_rate(member_of(cohort, "Юрʼєва"), now) == 0.5
    assert services.attendance_rates(cohort, datetime(2026, 3, 1)) == {
        member.id: (0, 0) for member in cohort.members
    }
    assert services.attendance_rate(member_of(cohort, "Ґава"), datetime(2026, 3, 1)) is None


# --- offline work ---------------------------------------------------------------------------------


def test_offline_work_is_recorded_through_complete_item_with_the_trainer_and_session(
    app, cohort, course, db, world
):
    session = schedule(cohort, db)
    trainer = world.people["trainer@r1"]
    checklist = next(item for item in course.items if item.key == "checklist")
    heard = []
    item_completed.connect(lambda sender, **kwargs: heard.append(kwargs["item"].key), sender=app, weak=False)
    try:
        people = [member_of(cohort, "Ґава"), member_of(cohort, "Юрʼєва")]
        recorded, already = services.record_offline_work(session, checklist, people, trainer)
        assert (len(recorded), already) == (2, [])
        recorded, already = services.record_offline_work(session, checklist, people[:1], trainer)
        assert (recorded, already) == ([], people[:1])
    finally:
        item_completed.receivers.clear()
    db.session.commit()
    assert heard == ["checklist", "checklist"]  # once per learner, not again the second time
    rows = db.session.scalars(select(ItemCompletion).where(ItemCompletion.item_id == checklist.id)).all()
    assert {(row.recorded_by_id, row.session_id) for row in rows} == {(trainer.id, session.id)}


def test_a_quiz_cannot_be_recorded_as_done_offline(cohort, course, db):
    from courses.models import Item

    session = schedule(cohort, db)
    quiz = Item(key="quiz", kind="quiz", title={"uk": "Тест"})
    course.modules[0].items.append(quiz)
    db.session.commit()
    assert quiz not in services.offline_items(cohort)
    with pytest.raises(SessionError) as refused:
        services.record_offline_work(session, quiz, cohort.members)
    assert refused.value.code == services.QUIZ_ITEM


# --- roster ---------------------------------------------------------------------------------------


def test_the_roster_pdf_lists_learners_in_ukrainian_order_with_the_apostrophe_intact(app, cohort, db, world):
    session = schedule(cohort, db, topic="Кібергігієна", venue=world.orgs["hub@r1"])
    with app.test_request_context():
        pdf = roster.roster_pdf(session)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Юрʼєва Ганна" in text  # U+02BC kept, not a box or a replacement
    positions = [text.index(name) for name in ORDER]
    assert positions == sorted(positions)
    assert "Кібергігієна" in text and "Тестенко Олена" in text  # the topic and the trainer
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
    }
    assert any("Roboto" in name or "Kaskad" in name for name in fonts), fonts


# --- home pages and public pages ------------------------------------------------------------------


def test_home_page_providers_list_todays_sessions_unmarked_ones_and_a_learners_next(
    cohort, db, world, learners
):
    trainer, learner = world.people["trainer@r1"], learners[0]
    now = datetime(2026, 3, 9, 7, 0)  # 09:00 in Kyiv
    past = schedule(cohort, db, day=date(2026, 3, 2))
    marked = schedule(cohort, db, day=date(2026, 3, 5))
    today = schedule(cohort, db, day=date(2026, 3, 9), starts=time(8, 0), ends=time(9, 30))
    later_today = schedule(cohort, db, day=date(2026, 3, 9), starts=time(18, 0), ends=time(19, 0))
    tomorrow = schedule(cohort, db, day=date(2026, 3, 10))
    mark(marked, cohort)
    db.session.commit()

    assert services.todays_sessions(trainer, now) == [today, later_today]
    assert services.todays_sessions(world.people["trainer@r2"], now) == []
    assert services.unmarked_sessions(trainer, now) == [today, past]
    assert services.next_session(learner, now) == today  # 08:00–09:30 in Kyiv: not over at 09:00
    services.cancel_session(later_today)
    db.session.commit()
    assert services.next_session(learner, datetime(2026, 3, 9, 8, 0)) == tomorrow
    assert services.next_session(world.people["learner@r2"], now) is None


def test_public_sessions_are_found_by_their_venue(cohort, db, world):
    hub = world.orgs["hub@r1"]
    open_class = schedule(cohort, db, is_public=True, venue=hub)
    schedule(cohort, db, venue=hub)  # not public
    cancelled = schedule(cohort, db, day=date(2026, 3, 3), is_public=True, venue=hub)
    services.cancel_session(cancelled)
    db.session.commit()
    assert services.public_sessions(hub, datetime(2026, 3, 1)) == [open_class]
    assert services.public_sessions(hub, datetime(2026, 3, 3)) == []
    assert services.public_sessions(world.orgs["hub@r2"], datetime(2026, 3, 1)) == []


def test_public_sessions_are_looked_up_through_the_venue_index(cohort, db, world):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the query plan is checked on SQLite")
    query = select(CohortSession.id).where(
        CohortSession.venue_organisation_id == world.orgs["hub@r1"].id, CohortSession.is_public.is_(True)
    )
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = " ".join(str(row[-1]) for row in db.session.execute(db.text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "ix_courses_cohort_session_venue_organisation_id" in plan, plan


# --- pages ----------------------------------------------------------------------------------------


def sessions_url(cohort, rest=""):
    return f"/cohorts/{cohort.id}/sessions{rest}"


def test_the_sessions_page_shows_times_in_the_cohorts_zone_and_the_feed_address(client, cohort, db, world):
    schedule(cohort, db, topic="Вступ")
    login(client, world.people["trainer@r1"])
    page = client.get(sessions_url(cohort)).get_data(as_text=True)
    assert "Вступ" in page and "10:00–12:00" in page
    assert f"/cohorts/calendar/{cohort.calendar_token}.ics" in page
    assert "Schedule a session" in page or "Запланувати" in page


def test_a_learner_of_the_cohort_sees_its_sessions_without_the_trainers_actions(client, cohort, db, learners):
    session = schedule(cohort, db)
    login(client, learners[0])
    page = client.get(sessions_url(cohort)).get_data(as_text=True)
    assert f"/sessions/{session.id}.ics" in page and cohort.calendar_token in page
    assert "/attendance" not in page and "roster.pdf" not in page and "/calendar/reset" not in page


def test_scheduling_a_session_through_the_form_stores_it_in_utc(client, cohort, course, db, world):
    login(client, world.people["trainer@r1"])
    form = {
        "day": "02.03.2026",
        "starts": "10:00",
        "ends": "11:30",
        "topic": "Вступ",
        "venue": "HUB-18-001",
        "modules": str(course.modules[0].id),
        "is_public": "y",
    }
    response = post(client, sessions_url(cohort, "/new"), form)
    assert response.status_code == 302
    db.session.expire_all()
    (session,) = cohort.sessions
    assert (session.starts_at, session.ends_at) == (datetime(2026, 3, 2, 8, 0), datetime(2026, 3, 2, 9, 30))
    assert session.is_public and session.venue_organisation is world.orgs["hub@r1"]


def test_a_refused_session_form_keeps_what_was_typed(client, cohort, db, world):
    login(client, world.people["trainer@r1"])
    form = {
        "day": "2026-03-29",
        "starts": "03:30",
        "ends": "05:00",
        "topic": "Нічна сесія",
        "venue": "NO-SUCH",
    }
    response = post(client, sessions_url(cohort, "/new"), form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="Нічна сесія"' in page and 'value="NO-SUCH"' in page
    assert cohort.sessions == []
    del form["venue"]
    page = post(client, sessions_url(cohort, "/new"), form).get_data(as_text=True)
    assert 'value="03:30"' in page and 'aria-invalid="true"' in page
    assert db.session.scalars(select(CohortSession)).all() == []


def test_editing_a_session_through_the_form_raises_its_sequence(client, cohort, db, world):
    session = schedule(cohort, db)
    login(client, world.people["trainer@r1"])
    page = client.get(sessions_url(cohort, f"/{session.id}/edit")).get_data(as_text=True)
    assert 'value="2026-03-02"' in page and 'value="10:00"' in page
    form = {"day": "2026-03-02", "starts": "10:30", "ends": "12:00"}
    assert post(client, sessions_url(cohort, f"/{session.id}/edit"), form).status_code == 302
    db.session.expire_all()
    assert (session.starts_at, session.sequence) == (datetime(2026, 3, 2, 8, 30), 1)


def test_cancelling_a_session_through_its_button(client, cohort, db, world):
    session = schedule(cohort, db)
    login(client, world.people["trainer@r1"])
    assert post(client, sessions_url(cohort, f"/{session.id}/cancel")).status_code == 302
    db.session.expire_all()
    assert session.is_cancelled
    assert "badge" in client.get(sessions_url(cohort)).get_data(as_text=True)


def test_the_attendance_form_starts_with_everyone_present_and_saves_in_one_post(client, cohort, db, world):
    session = schedule(cohort, db)
    login(client, world.people["trainer@r1"])
    page = client.get(sessions_url(cohort, f"/{session.id}/attendance")).get_data(as_text=True)
    assert page.count('value="present" checked') == 5 and "<script" not in page
    assert [page.index(name) for name in ORDER] == sorted(page.index(name) for name in ORDER)
    marks = {f"status-{member.id}": "present" for member in cohort.members}
    marks[f"status-{member_of(cohort, 'Ґава').id}"] = "late"
    assert post(client, sessions_url(cohort, f"/{session.id}/attendance"), marks).status_code == 302
    stored = dict(db.session.execute(select(Attendance.member_id, Attendance.status)).all())
    assert stored[member_of(cohort, "Ґава").id] == "late" and len(stored) == 5


def test_a_refused_attendance_form_keeps_what_was_chosen(client, cohort, db, world):
    session = schedule(cohort, db)
    login(client, world.people["trainer@r1"])
    marks = {f"status-{member.id}": "absent" for member in cohort.members}
    marks[f"status-{member_of(cohort, 'Ґава').id}"] = "asleep"
    response = post(client, sessions_url(cohort, f"/{session.id}/attendance"), marks)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'role="alert"' in page
    assert (
        page.count('value="absent" checked') == 4
        and f'id="mark-{member_of(cohort, "Ґава").id}-error"' in page
    )
    assert db.session.scalars(select(Attendance)).all() == []


def test_the_roster_is_served_as_a_pdf(client, cohort, db, world):
    session = schedule(cohort, db)
    login(client, world.people["manager@r1"])
    response = client.get(sessions_url(cohort, f"/{session.id}/roster.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_recording_offline_work_through_the_form(client, cohort, course, db, world):
    session = schedule(cohort, db)
    checklist = next(item for item in course.items if item.key == "checklist")
    login(client, world.people["trainer@r1"])
    page = client.get(sessions_url(cohort, f"/{session.id}/offline")).get_data(as_text=True)
    assert "<optgroup" in page and "checklist title" in page
    form = {"item": str(checklist.id), "members": [str(member_of(cohort, "Ґава").id)]}
    response = post(client, sessions_url(cohort, f"/{session.id}/offline"), form)
    assert response.status_code == 302
    enrolment = member_of(cohort, "Ґава").enrolment
    db.session.expire_all()
    assert checklist.id in enrolment.completed_item_ids
    assert (
        post(client, sessions_url(cohort, f"/{session.id}/offline"), {"item": str(checklist.id)}).status_code
        == 200
    )


def test_a_session_downloads_as_an_ics_file(client, cohort, db, learners):
    session = schedule(cohort, db, topic="Вступ")
    login(client, learners[0])
    response = client.get(sessions_url(cohort, f"/{session.id}.ics"))
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = parse(response.data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Вступ"


def test_the_feed_needs_no_login_and_its_old_address_stops_after_a_reset(client, cohort, db, world):
    schedule(cohort, db)
    old = f"/cohorts/calendar/{cohort.calendar_token}.ics"
    response = client.get(old)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(parse(response.data).walk("VEVENT")) == 1
    login(client, world.people["trainer@r1"])
    assert post(client, f"/cohorts/{cohort.id}/calendar/reset").status_code == 302
    db.session.expire_all()
    assert client.get(old).status_code == 404
    assert client.get(f"/cohorts/calendar/{cohort.calendar_token}.ics").status_code == 200
    assert client.get("/cohorts/calendar/not-a-token.ics").status_code == 404


def test_a_session_of_another_cohort_is_not_found(client, cohort, course, db, world, make_cohort):
    other = make_cohort(course, world.orgs["tc@r1"], trainers=[world.people["trainer@r1"]])
    session = schedule(other, db)
    login(client, world.people["trainer@r1"])
    assert client.get(sessions_url(cohort, f"/{session.id}/attendance")).status_code == 404
