"""A cohort's gradebook: progress per module, the best quiz result per competence against its minimum,
attendance, status and what is missing; filters, sorting, pages; the CSV and XLSX exports."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from courses.cohorts import gradebook
from courses.cohorts.models import Attendance, CohortSession
from courses.frameworks.models import Competence, Framework
from courses.models import ItemCompletion
from courses.quizzes.models import Attempt, Quiz, QuizCompetence
from lms.accounts.models import TargetGroup
from lms.i18n import utcnow
from lms.testing import login, post

EN = {"Accept-Language": "en"}
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
def course(make_course, db):
    course = make_course("GRADE-1", layout=LAYOUT)
    framework = Framework(idnumber="GB-FW", shortname={"uk": "Рамка", "en": "Framework"})
    search = Competence(idnumber="1.1", shortname={"uk": "Пошук", "en": "Searching"}, path="/0001/")
    safety = Competence(idnumber="4.1", shortname={"uk": "Безпека", "en": "Safety"}, path="/0002/")
    framework.competences = [search, safety]
    check = next(item for item in course.items if item.key == "check")
    quiz = Quiz(
        item=check,
        competences=[
            QuizCompetence(competence=search, level=1, minimum_percent=60, position=0),
            QuizCompetence(competence=safety, level=1, minimum_percent=70, position=1),
        ],
    )
    db.session.add_all([framework, quiz])
    db.session.commit()
    return course


@pytest.fixture
def people(world, make, db):
    groups = db.session.scalars(select(TargetGroup).order_by(TargetGroup.position)).all()
    hub1, hub2 = world.orgs["hub@r1"], world.orgs["hub@r2"]
    made = {
        "Абрамова": make.user(hub1, ("learner",), surname="Абрамова", given_name="Ія", password=""),
        "Ґава": make.user(hub2, ("learner",), surname="Ґава", given_name="Богдан", password=""),
        "Юрʼєва": make.user(hub1, ("learner",), surname="Юрʼєва", given_name="Ганна", password=""),
    }
    made["Ґава"].target_groups.append(groups[0])
    make.commit()
    return made


@pytest.fixture
def cohort(world, course, people, make_cohort):
    return make_cohort(
        course, world.orgs["tc@r1"], trainers=[world.people["trainer@r1"]], learners=list(people.values())
    )


def member(cohort, person):
    return next(member for member in cohort.members if member.user_id == person.id)


def attempt(db, quiz, person, number, score, passed, results):
    db.session.add(
        Attempt(
            quiz=quiz,
            user=person,
            number=number,
            state="finished",
            finished_at=utcnow(),
            score=score,
            passed=passed,
            results=[
                {
                    "competence_id": competence.id,
                    "percent": percent,
                    "minimum": minimum,
                    "reached": percent >= minimum,
                }
                for competence, percent, minimum in results
            ],
        )
    )


@pytest.fixture
def filled(db, cohort, course, people):
    """Абрамова did everything and passed on her second try; Ґава did one item and failed once; Юрʼєва
    did nothing. Two sessions held (Абрамова present twice, Ґава once), none marked for Юрʼєва."""
    items = {item.key: item for item in course.items}
    quiz = db.session.scalar(select(Quiz))
    search, safety = (row.competence for row in quiz.competences)
    first, second, third = (member(cohort, people[name]) for name in ("Абрамова", "Ґава", "Юрʼєва"))
    for key in ("welcome", "handout", "check", "reading"):
        db.session.add(ItemCompletion(enrolment=first.enrolment, item=items[key]))
    db.session.add(ItemCompletion(enrolment=second.enrolment, item=items["welcome"]))
    attempt(db, quiz, people["Абрамова"], 1, 40.0, False, [(search, 50.0, 60.0), (safety, 30.0, 70.0)])
    attempt(db, quiz, people["Абрамова"], 2, 80.0, True, [(search, 80.0, 60.0), (safety, 75.0, 70.0)])
    attempt(db, quiz, people["Ґава"], 1, 55.0, False, [(search, 66.67, 60.0), (safety, 40.0, 70.0)])
    now = utcnow()
    for day, marks in ((2, {first: "present", second: "late"}), (1, {first: "present", second: "absent"})):
        start = now - timedelta(days=day)
        session = CohortSession(cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=1))
        for who, status in marks.items():
            session.attendance.append(Attendance(member=who, status=status))
        db.session.add(session)
    first.status, first.completed_at = "completed", datetime(2026, 5, 14, 9, 30)
    db.session.commit()
    return first, second, third


def test_one_row_per_learner_with_progress_best_results_attendance_status_and_what_is_missing(
    app, db, cohort, filled
):
    first, second, third = filled
    with app.test_request_context(headers=EN):
        book = gradebook.gradebook(cohort)
        assert [column.module.key for column in book.modules] == ["basics", "further"]
        assert [column.required for column in book.modules] == [3, 1]
        assert [(column.label, column.minimum) for column in book.competences] == [
            ("Searching", 60.0),
            ("Safety", 70.0),
        ]
        rows = {row.member.id: row for row in book.rows}
        assert [row.member.id for row in book.rows] == [first.id, second.id, third.id]  # Ukrainian order
        assert rows[first.id].modules == [3, 1] and rows[first.id].progress == 1.0
        assert rows[second.id].modules == [1, 0] and rows[second.id].required_done == 1
        # the best attempt: the passed one, not the latest or the highest per competence
        assert [(result.percent, result.reached) for result in rows[first.id].competences] == [
            (80.0, True),
            (75.0, True),
        ]
        assert [(result.percent, result.reached) for result in rows[second.id].competences] == [
            (66.67, True),
            (40.0, False),
        ]
        assert rows[third.id].competences == [None, None]
        assert (rows[first.id].attended, rows[first.id].held) == (2, 2)
        assert (rows[second.id].attended, rows[second.id].held, rows[second.id].attendance) == (1, 2, 0.5)
        assert rows[first.id].missing == []
        assert rows[second.id].missing == [
            "Required items: 1 of 2 done.",
            "Quiz not passed yet: «check title».",
            "Attendance: 1 of 2 sessions, at least 2 needed.",
        ]


def test_filters_by_status_organisation_and_target_group_and_sorts(app, db, cohort, filled, world, people):
    first, second, third = filled
    group = people["Ґава"].target_groups[0]

    def ids(**filters):
        return [row.member.id for row in gradebook.gradebook(cohort, gradebook.Filters(**filters)).rows]

    with app.test_request_context(headers=EN):
        assert ids(status="completed") == [first.id]
        assert ids(status="enrolled") == [second.id, third.id]
        assert ids(organisation_id=world.orgs["r2"].id) == [second.id]  # her hub lies in region r2
        assert ids(organisation_id=world.orgs["hub@r1"].id) == [first.id, third.id]
        assert ids(target_group_id=group.id) == [second.id]
        assert ids(sort="progress") == [third.id, second.id, first.id]
        assert ids(sort="progress", descending=True) == [first.id, second.id, third.id]
        assert ids(sort="attendance") == [third.id, second.id, first.id]
        assert ids(sort="status") == [first.id, second.id, third.id]
        assert ids(sort="organisation", organisation_id=world.orgs["r1"].id) == [first.id, third.id]


def test_the_page_shows_the_figures_filters_and_pages(app, client, db, cohort, filled, world):
    app.config["LMS_PAGE_SIZE"] = 2
    login(client, world.people["trainer@r1"])
    page = client.get(f"/cohorts/{cohort.id}/gradebook", headers=EN).get_data(as_text=True)
    assert "3 learners" in page and "Page 1 of 2" in page
    assert "Абрамова Ія" in page and "Ґава Богдан" in page and "Юрʼєва" not in page
    assert "80 % · <strong>reached</strong>" in page and "40 % · not reached" in page
    assert "1 of 2 (50%)" in page
    assert "Quiz not passed yet: «check title»." in page
    assert 'rel="next" href="/cohorts/' in page and "page=2" in page
    second = client.get(f"/cohorts/{cohort.id}/gradebook?page=2", headers=EN).get_data(as_text=True)
    assert "Юрʼєва Ганна" in second and "no attempt" in second and "Абрамова" not in second
    filtered = client.get(f"/cohorts/{cohort.id}/gradebook?status=enrolled&sort=name&order=desc", headers=EN)
    text = filtered.get_data(as_text=True)
    assert "2 learners" in text and text.index("Юрʼєва") < text.index("Ґава Богдан")
    assert "gradebook.csv?" in text and "status=enrolled" in text
    nonsense = client.get(f"/cohorts/{cohort.id}/gradebook?status=x&organisation=y&sort=z&page=w", headers=EN)
    assert nonsense.status_code == 200 and "3 learners" in nonsense.get_data(as_text=True)


def test_the_csv_has_a_bom_semicolons_decimal_commas_and_iso_dates(
    app, client, db, cohort, filled, world, people
):
    login(client, world.people["trainer@r1"])
    response = client.get(f"/cohorts/{cohort.id}/gradebook.csv", headers={"Accept-Language": "uk"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="gradebook-GRADE-1-' in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header, first, second, third = rows
    assert header[0] == "Прізвище" and len(header) == 7 + 2 + 4 + 6
    assert first[:2] == ["Абрамова", "Ія"] and second[0] == "Ґава" and third[0] == "Юрʼєва"
    assert "Пошук" in header[9] and second[9] == "66,67"  # a decimal comma for a Ukrainian Excel
    assert second[6] == people["Ґава"].target_groups[0].name["uk"]
    assert first[7:9] == ["3", "1"] and second[7:9] == ["1", "0"]
    assert (first[15], second[15], third[15]) == (
        "100",
        "50",
        "0",
    )  # attendance rate in per cent; unmarked: absent
    assert first[17] == "2026-05-14" and second[17] == ""  # completed on, as Excel reads a date
    assert second[18].startswith("Обов’язкові матеріали: виконано 1 із 2.")


def test_the_xlsx_has_a_frozen_header_numbers_as_numbers_and_dates_as_dates(
    app, client, db, cohort, filled, world
):
    login(client, world.people["trainer@r1"])
    response = client.get(f"/cohorts/{cohort.id}/gradebook.xlsx?status=completed", headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["Surname", "Given name", "Patronymic"]
    assert sheet.max_row == 2  # the filter applies
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["Surname"].value == "Абрамова"
    assert row["Module basics: required items done (of 3)"].value == 3
    assert row["check title · Searching: % (minimum 60)"].value == 80.0
    assert row["Sessions attended"].value == 2 and isinstance(row["Sessions attended"].value, int)
    assert row["Attendance rate"].value == 1.0 and row["Attendance rate"].number_format == "0%"
    assert row["Completed on"].value == datetime(2026, 5, 14) and row["Completed on"].is_date
    assert row["Status"].value == "Completed"


def test_only_those_who_may_view_the_cohort_see_its_gradebook(client, db, cohort, world):
    for role, code in (("learner@r1", 403), ("trainer@r2", 403), ("manager@r1", 200), ("admin@r1", 200)):
        login(client, world.people[role])
        for suffix in ("", ".csv", ".xlsx"):
            assert client.get(f"/cohorts/{cohort.id}/gradebook{suffix}").status_code == code, (role, suffix)
        post(client, "/logout")
