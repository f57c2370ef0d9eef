"""Reporting rounds: opening one, executors entering and submitting, the late, reminders, returning,
closing (which freezes the counted values), and who may see or do what."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.monitoring import facts
from lms.monitoring.periods import Period
from lms.plans import rounds, services
from lms.plans.models import FrozenValue, ReportingRound, Submission, SubmittedValue
from lms.testing import login, post

EN = {"Accept-Language": "en"}
PDF = b"%PDF-1.4\n% a tiny test file\n"


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, "LMS_SMTP_HOST": smtp_server.host, "LMS_SMTP_PORT": smtp_server.port}


@pytest.fixture
def plan(world, make, db):
    """r1's plan: action 1 is tc@r1's (trainer@r1 acts for it) with a reported and a computed
    indicator, action 2 the department's (executor@dept works there) with a reported one."""
    department = make.org(
        "institution", world.orgs["r1"], code="DEPT-18", name="Департамент цифрового розвитку"
    )
    world.orgs["dept"] = department
    world.people["executor@dept"] = make.user(department, (), email="executor.dept@example.org")
    plan = services.create_plan("P-R1", "План області", world.orgs["r1"], 2021, 2030)
    first = services.add_action(plan, "1", "Навчання", executors=[world.orgs["tc@r1"]])
    services.add_indicator(first, "Кількість проведених курсів")
    services.add_indicator(
        first, "Кількість сертифікатів", "computed", "certificates.all", {"region": "owner"}
    )
    second = services.add_action(plan, "2", "Інструкції", executors=[department])
    services.add_indicator(second, "Кількість опублікованих інструкцій")
    db.session.commit()
    return plan


def _open(db, plan, period="2026-H1", deadline=None):
    round_ = rounds.open_round(plan, Period.parse(period), deadline or date.today() + timedelta(days=10))
    db.session.commit()
    return round_


def _report_url(plan, round_, organisation):
    return f"/plans/{plan.id}/rounds/{round_.id}/report/{organisation.id}"


def _indicators(plan):
    return [indicator for action in plan.actions for indicator in action.indicators]


def test_the_owner_opens_a_round_and_a_second_for_the_same_period_is_refused(client, world, db, plan):
    login(client, world.people["manager@r1"])
    data = {"period": "2026-H1", "deadline": "2026-07-15"}

    response = post(client, f"/plans/{plan.id}/rounds/new", data, headers=EN)
    assert response.status_code == 302
    round_ = db.session.scalar(select(ReportingRound).where(ReportingRound.plan_id == plan.id))
    assert (round_.period, round_.deadline, round_.is_open) == ("2026-H1", date(2026, 7, 15), True)
    assert round_.opened_by_id == world.people["manager@r1"].id

    again = post(client, f"/plans/{plan.id}/rounds/new", data, headers=EN)
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "The plan already has a round for H1 2026." in page
    assert 'value="2026-H1"' in page and 'value="2026-07-15"' in page  # the form keeps what was typed

    ukrainian = post(client, f"/plans/{plan.id}/rounds/new", data, headers={"Accept-Language": "uk"})
    assert "The plan already has a round" not in ukrainian.get_data(as_text=True)

    bad = post(
        client, f"/plans/{plan.id}/rounds/new", {"period": "2026", "deadline": "2026-07-15"}, headers=EN
    )
    assert "Write the period as a half-year" in bad.get_data(as_text=True)
    outside = post(
        client, f"/plans/{plan.id}/rounds/new", {"period": "2040-Q1", "deadline": "2040-04-15"}, headers=EN
    )
    assert "The plan runs from 2021 to 2030." in outside.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "ReportingRound"))
    assert list(actions) == ["plan.round-opened"]


def test_an_executor_sees_her_report_on_the_home_page_enters_a_draft_and_submits(
    app, client, world, db, plan
):
    round_ = _open(db, plan)
    reported, _computed, _other = _indicators(plan)
    trainer = world.people["trainer@r1"]
    login(client, trainer)

    home = client.get("/", headers=EN).get_data(as_text=True)
    assert "Plan reports to submit" in home and "P-R1: report for H1 2026" in home
    assert _report_url(plan, round_, world.orgs["tc@r1"]) in home
    url = _report_url(plan, round_, world.orgs["tc@r1"])
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Кількість проведених курсів" in page
    assert "Кількість опублікованих інструкцій" not in page  # the department's, not hers

    key = str(reported.id)
    draft = post(
        client,
        url,
        {
            f"value-{key}": "12",
            f"note-{key}": "Курси в трьох громадах",
            f"status-{key}": "in_progress",
            f"file-{key}": (io.BytesIO(PDF), "звіт.pdf"),
            "submit": "save",
        },
        content_type="multipart/form-data",
        headers=EN,
    )
    assert draft.status_code == 302
    submission = db.session.scalar(select(Submission))
    (value,) = submission.values
    assert submission.state == "draft"
    assert (value.value, value.note, value.status) == (12.0, "Курси в трьох громадах", "in_progress")
    assert value.entered_by_id == trainer.id and value.entered_at is not None
    assert value.attachment_name == "звіт.pdf" and value.attachment_path.startswith("plans/attachments/")
    assert Path(app.instance_path, value.attachment_path).read_bytes() == PDF
    assert "звіт" not in value.attachment_path  # stored under a random name
    assert client.get(f"/plans/{plan.id}/rounds/{round_.id}/attachments/{value.id}").data == PDF

    submitted = post(client, url, {f"value-{key}": "12,5", f"note-{key}": "Уточнено", "submit": "submit"})
    assert submitted.status_code == 302
    db.session.expire_all()
    assert submission.state == "submitted" and submission.submitted_by_id == trainer.id
    assert value.value == 12.5 and value.attachment_name == "звіт.pdf"  # the file stays
    assert "P-R1: report for H1 2026" not in client.get("/", headers=EN).get_data(as_text=True)
    # A submitted report is not changed until it is returned.
    post(client, url, {f"value-{key}": "99", "submit": "submit"})
    db.session.expire_all()
    assert value.value == 12.5
    assert "plan.report-submitted" in db.session.scalars(select(AuditEntry.action))


def test_bad_numbers_and_files_are_refused_keeping_what_was_typed(app, client, world, db, plan):
    round_ = _open(db, plan)
    kept = {path.name for path in rounds.attachment_folder().glob("*")}  # of earlier tests
    reported = _indicators(plan)[0]
    key = str(reported.id)
    login(client, world.people["trainer@r1"])
    url = _report_url(plan, round_, world.orgs["tc@r1"])

    response = post(
        client,
        url,
        {
            f"value-{key}": "дванадцять",
            f"note-{key}": "Нотатка",
            f"file-{key}": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "virus.exe"),
            "submit": "save",
        },
        content_type="multipart/form-data",
        headers=EN,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a number, such as 12 or 3,5." in page and "Attach a PDF, DOCX, XLSX" in page
    assert 'value="дванадцять"' in page and "Нотатка" in page
    fake = post(
        client,
        url,
        {f"value-{key}": "1", f"file-{key}": (io.BytesIO(b"not a pdf"), "a.pdf"), "submit": "save"},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert "Attach a PDF, DOCX, XLSX" in fake.get_data(as_text=True)  # the name alone is not enough
    app.config["LMS_MAX_UPLOAD_MB"] = 0  # any file is now too large
    large = post(
        client,
        url,
        {f"value-{key}": "1", f"file-{key}": (io.BytesIO(PDF), "a.pdf"), "submit": "save"},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert "The file is larger than 0 MB." in large.get_data(as_text=True)
    # nothing of the refused forms was kept
    assert {path.name for path in rounds.attachment_folder().glob("*")} == kept
    empty = post(client, url, {"submit": "submit"}, headers=EN)
    assert "Enter a number for every indicator before submitting." in empty.get_data(as_text=True)
    assert db.session.scalar(select(Submission)) is None


def test_the_round_page_marks_the_late_and_a_reminder_reaches_their_people(client, world, db, plan, sink):
    round_ = _open(db, plan, "2026-Q1", deadline=date.today() - timedelta(days=1))
    submission = rounds.start_submission(round_, world.orgs["tc@r1"])
    rounds.save_entries(
        submission, {_indicators(plan)[0].id: rounds.Entry(value=3)}, world.people["trainer@r1"]
    )
    rounds.submit(submission, world.people["trainer@r1"])
    db.session.commit()
    login(client, world.people["manager@r1"])

    page = client.get(f"/plans/{plan.id}/rounds/{round_.id}", headers=EN).get_data(as_text=True)
    department = page.split(f'id="executor-{world.orgs["dept"].id}"')[1].split("</tr>")[0]
    centre = page.split(f'id="executor-{world.orgs["tc@r1"].id}"')[1].split("</tr>")[0]
    assert "Not started" in department and "Late" in department
    assert "Submitted" in centre and "Late" not in centre
    assert "1 executor is late" in page

    response = post(client, f"/plans/{plan.id}/rounds/{round_.id}/remind", {"which": "late"}, headers=EN)
    assert response.status_code == 302
    (message,) = sink.messages
    assert message["To"] == "executor.dept@example.org"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "P-R1" in message["Subject"] and _report_url(plan, round_, world.orgs["dept"]) in text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "plan.round-reminded"))
    assert entry.details["organisations"] == ["DEPT-18"] and entry.details["people"] == 1


def test_before_the_deadline_nobody_is_late_and_a_reminder_goes_to_all_who_have_not_submitted(
    client, world, db, plan, sink
):
    round_ = _open(db, plan, "2026-Q2", deadline=date.today() + timedelta(days=3))
    rounds.start_submission(round_, world.orgs["dept"])  # a draft is not a submission
    db.session.commit()
    login(client, world.people["manager@r1"])
    page = client.get(f"/plans/{plan.id}/rounds/{round_.id}", headers=EN).get_data(as_text=True)
    assert "is late" not in page and 'class="badge"' not in page

    nobody = post(client, f"/plans/{plan.id}/rounds/{round_.id}/remind", {"which": "late"}, headers=EN)
    assert "Nobody to remind." in client.get(nobody.location, headers=EN).get_data(as_text=True)
    assert sink.messages == []
    post(client, f"/plans/{plan.id}/rounds/{round_.id}/remind", {"which": "pending"}, headers=EN)
    assert sorted(message["To"] for message in sink.messages) == [
        "executor.dept@example.org",
        "trainer.r1@example.org",
    ]


def test_a_returned_report_shows_the_comment_and_is_submitted_again(client, world, db, plan):
    round_ = _open(db, plan)
    reported = _indicators(plan)[0]
    trainer, manager = world.people["trainer@r1"], world.people["manager@r1"]
    submission = rounds.start_submission(round_, world.orgs["tc@r1"])
    rounds.save_entries(submission, {reported.id: rounds.Entry(value=3)}, trainer)
    rounds.submit(submission, trainer)
    db.session.commit()
    login(client, manager)
    base = f"/plans/{plan.id}/rounds/{round_.id}/submissions/{submission.id}"
    assert "Return the report" in client.get(base, headers=EN).get_data(as_text=True)

    empty = post(client, f"{base}/return", {"comment": ""}, headers=EN)
    assert empty.status_code == 200 and "Say what is to be corrected." in empty.get_data(as_text=True)
    response = post(client, f"{base}/return", {"comment": "Додайте курси грудня"}, headers=EN)
    assert response.status_code == 302
    db.session.expire_all()
    assert submission.state == "returned" and submission.returned_by_id == manager.id

    post(client, "/logout")
    login(client, trainer)
    home = client.get("/", headers=EN).get_data(as_text=True)
    assert "returned for correction" in home
    url = _report_url(plan, round_, world.orgs["tc@r1"])
    assert "Додайте курси грудня" in client.get(url, headers=EN).get_data(as_text=True)
    post(client, url, {f"value-{reported.id}": "5", "submit": "submit"})
    db.session.expire_all()
    assert submission.state == "submitted" and submission.values[0].value == 5.0
    actions = list(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "Submission"))
    )
    assert actions == ["plan.report-submitted", "plan.report-returned", "plan.report-submitted"]


def test_closing_freezes_the_counted_values_and_later_certificates_leave_them(client, world, db, plan):
    learner = world.people["learner@r1"]
    facts.record_certificate(
        "kaskad", 1, date(2026, 2, 1), person=learner, organisation=learner.organisation, target_groups=()
    )
    round_ = _open(db, plan, "2026-H1")
    _reported, computed, _other = _indicators(plan)
    login(client, world.people["manager@r1"])

    assert post(client, f"/plans/{plan.id}/rounds/{round_.id}/close").status_code == 302
    db.session.expire_all()
    (frozen,) = db.session.scalars(select(FrozenValue))
    assert round_.state == "closed" and round_.closed_by_id == world.people["manager@r1"].id
    assert (frozen.indicator_id, frozen.value) == (computed.id, 1.0)

    # A certificate of the period recorded after the close counts now, but not in the closed round.
    facts.record_certificate(
        "kaskad", 2, date(2026, 3, 1), person=learner, organisation=learner.organisation, target_groups=()
    )
    db.session.commit()
    assert services.compute(computed, Period.half(2026, 1)) == 2.0
    db.session.expire_all()
    assert rounds.frozen_value(round_, computed) == 1.0
    page = client.get(f"/plans/{plan.id}/rounds/{round_.id}", headers=EN).get_data(as_text=True)
    assert "frozen at the close" in page and "Send reminders" not in page

    # A closed round takes no report, and is not closed twice.
    post(client, "/logout")
    login(client, world.people["trainer@r1"])
    url = _report_url(plan, round_, world.orgs["tc@r1"])
    response = post(client, url, {f"value-{_reported.id}": "4", "submit": "submit"}, headers=EN)
    assert "The round is closed" in response.get_data(as_text=True)
    assert db.session.scalar(select(SubmittedValue)) is None
    with pytest.raises(rounds.RoundError):
        rounds.close_round(round_)
    assert "plan.round-closed" in db.session.scalars(select(AuditEntry.action))


def test_others_cannot_see_or_act_on_a_round(client, world, db, plan):
    round_ = _open(db, plan)
    submission = rounds.start_submission(round_, world.orgs["dept"])
    rounds.save_entries(
        submission,
        {_indicators(plan)[2].id: rounds.Entry(value=1, attachment=rounds.store_attachment("a.pdf", PDF))},
        world.people["executor@dept"],
    )
    db.session.commit()
    value = submission.values[0]
    base = f"/plans/{plan.id}/rounds/{round_.id}"

    login(client, world.people["trainer@r1"])  # an executor of the plan, but of another organisation
    assert client.get(_report_url(plan, round_, world.orgs["dept"])).status_code == 403
    dept_value = f"value-{_indicators(plan)[2].id}"
    assert post(client, _report_url(plan, round_, world.orgs["dept"]), {dept_value: "9"}).status_code == 403
    assert client.get(f"{base}/attachments/{value.id}").status_code == 403
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/submissions/{submission.id}").status_code == 403
    assert post(client, f"{base}/close").status_code == 403
    assert "Департамент" not in client.get("/", headers=EN).get_data(as_text=True)

    post(client, "/logout")
    login(client, world.people["manager@r2"])  # a manager of another region
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/attachments/{value.id}").status_code == 403
    assert post(client, f"{base}/remind").status_code == 403
    assert post(client, f"{base}/submissions/{submission.id}/return", {"comment": "x"}).status_code == 403
    assert (
        post(
            client, f"/plans/{plan.id}/rounds/new", {"period": "2026-H2", "deadline": "2027-01-15"}
        ).status_code
        == 403
    )
    assert client.get(_report_url(plan, round_, world.orgs["dept"])).status_code == 403
    db.session.expire_all()
    assert round_.is_open and submission.state == "draft"

    post(client, "/logout")
    login(client, world.people["manager@r1"])  # the owner sees the file
    assert client.get(f"{base}/attachments/{value.id}").data == PDF
