"""Reporting rounds of a plan: the owner opens a round for a quarter or a half-year with a deadline;
each executor organisation enters a number (with a note, a status and a file) per reported indicator
of its actions, saves a draft and submits; the owner returns a submission for correction, reminds the
late by e-mail, and closes the round, which freezes each computed indicator's value for the period.

Who the executors of a round are: the organisations named as executors of the plan's actions that
have at least one reported indicator (a computed one Kaskad counts itself). The services flush and
log, never commit; e-mail and the removal of replaced files wait for the commit (the views do it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from lms.accounts.models import RoleGrant, User
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import utcnow
from lms.monitoring.periods import Period
from lms.orgs.models import Organisation
from lms.plans import services
from lms.plans.models import (
    Action,
    FrozenValue,
    Indicator,
    IndicatorKind,
    Plan,
    ReportingRound,
    RoundState,
    Submission,
    SubmissionState,
    SubmittedValue,
    action_executor,
)

NOT_STARTED = "not_started"  # an executor with no submission yet (not a stored state)
LATE, PENDING = "late", "pending"  # whom a reminder goes to: the late, or all who have not submitted
MAX_VALUE = Decimal("1e12")
# Attached files: the extensions accepted and the first bytes a real file of the type starts with.
ZIP = (b"PK\x03\x04",)
ATTACHMENT_TYPES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": ZIP,
    "xlsx": ZIP,
    "odt": ZIP,
    "ods": ZIP,
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
MIME_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


class RoundError(ValueError):
    """A change a round does not allow; the message is translated, for the person."""


# --- periods and rounds ---------------------------------------------------------------------------


def parse_period(text: str, plan: Plan) -> Period:
    """A quarter (``2026-Q3``) or half-year (``2026-H1``) within the plan's years."""
    try:
        period = Period.parse(text)
    except ValueError:
        period = None
    if period is None or period.kind not in ("quarter", "half"):
        raise RoundError(_("Write the period as a half-year (2025-H1, 2025-H2) or a quarter (2025-Q3)."))
    if not plan.start_year <= period.year <= plan.end_year:
        raise RoundError(
            _("The plan runs from %(start)s to %(end)s.", start=plan.start_year, end=plan.end_year)
        )
    return period


def period_of(round_: ReportingRound) -> Period:
    return Period.parse(round_.period)


def open_round(plan: Plan, period: Period, deadline: date, by: User | None = None) -> ReportingRound:
    """Open the plan's round for ``period``; a plan has one round per period."""
    taken = db.session.scalar(
        select(ReportingRound.id).where(
            ReportingRound.plan_id == plan.id, ReportingRound.period == period.code
        )
    )
    if taken is not None:
        raise RoundError(_("The plan already has a round for %(period)s.", period=period.label()))
    round_ = ReportingRound(
        plan=plan, period=period.code, deadline=deadline, opened_by_id=by.id if by is not None else None
    )
    db.session.add(round_)
    db.session.flush()
    record(
        "plan.round-opened",
        round_,
        plan.scope_path,
        actor=by,
        plan=plan.code,
        period=period.code,
        deadline=deadline.isoformat(),
    )
    return round_


def _reported() -> Any:
    """Whether an action (of the outer query) has a reported indicator."""
    return (
        exists()
        .where(Indicator.action_id == Action.id, Indicator.kind == IndicatorKind.REPORTED.value)
        .correlate(Action)
    )


def executors_of(plan: Plan) -> list[Organisation]:
    """The organisations that report in the plan's rounds, by name."""
    ids = (
        select(action_executor.c.organisation_id)
        .join(Action, Action.id == action_executor.c.action_id)
        .where(Action.plan_id == plan.id, _reported())
    )
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name_sort)
        )
    )


def is_executor(plan: Plan, organisation_id: int) -> bool:
    query = (
        select(action_executor.c.action_id)
        .join(Action, Action.id == action_executor.c.action_id)
        .where(Action.plan_id == plan.id, action_executor.c.organisation_id == organisation_id, _reported())
    )
    return db.session.scalar(query.limit(1)) is not None


def tasks(plan: Plan, organisation: Organisation) -> list[tuple[Action, list[Indicator]]]:
    """The organisation's actions of the plan, each with its reported indicators (what it enters)."""
    actions = db.session.scalars(
        select(Action)
        .join(action_executor, action_executor.c.action_id == Action.id)
        .where(Action.plan_id == plan.id, action_executor.c.organisation_id == organisation.id, _reported())
        .order_by(Action.position)
    )
    return [
        (action, [indicator for indicator in action.indicators if not indicator.is_computed])
        for action in actions
    ]


def submission_of(round_: ReportingRound, organisation: Organisation) -> Submission | None:
    return db.session.scalar(
        select(Submission).where(
            Submission.round_id == round_.id, Submission.organisation_id == organisation.id
        )
    )


def is_late(round_: ReportingRound, submission: Submission | None, today: date | None = None) -> bool:
    """The deadline has passed and the organisation has not submitted (a returned report is late too)."""
    submitted = submission is not None and submission.state == SubmissionState.SUBMITTED
    return not submitted and (today or date.today()) > round_.deadline


@dataclass(frozen=True)
class ExecutorState:
    """One executor's place in a round: its submission (if it started one), its state, lateness."""

    organisation: Organisation
    submission: Submission | None
    state: str  # not_started, draft, submitted, returned
    is_late: bool


def executor_states(round_: ReportingRound, today: date | None = None) -> list[ExecutorState]:
    submissions = {submission.organisation_id: submission for submission in round_.submissions}
    states = []
    for organisation in executors_of(round_.plan):
        submission = submissions.get(organisation.id)
        state = submission.state if submission is not None else NOT_STARTED
        states.append(ExecutorState(organisation, submission, state, is_late(round_, submission, today)))
    return states


# --- entering and submitting ---------------------------------------------------------------------


def parse_number(text: str) -> Decimal | None:
    """A number as typed (a decimal comma, spaces between thousands); None when empty."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation as error:
        raise RoundError(_("Enter a number, such as 12 or 3,5.")) from error
    if not number.is_finite() or number < 0 or number > MAX_VALUE:
        raise RoundError(_("Enter a number of zero or more."))
    return number


@dataclass
class Entry:
    """What the executor typed for one indicator; ``attachment`` is (name as uploaded, stored path)."""

    value: Decimal | None = None
    note: str = ""
    status: str | None = None
    attachment: tuple[str, str] | None = None
    remove_attachment: bool = False


def _editable(submission: Submission) -> None:
    if not submission.round.is_open:
        raise RoundError(_("The round is closed: it accepts no more reports."))
    if submission.state == SubmissionState.SUBMITTED:
        raise RoundError(_("The report has been submitted; it can be changed once it is returned."))


def start_submission(round_: ReportingRound, organisation: Organisation) -> Submission:
    """The organisation's submission in the round, made (as a draft) the first time."""
    submission = submission_of(round_, organisation)
    if submission is None:
        if not round_.is_open:
            raise RoundError(_("The round is closed: it accepts no more reports."))
        submission = Submission(round=round_, organisation=organisation)
        db.session.add(submission)
        db.session.flush()
    return submission


def save_entries(submission: Submission, entries: dict[int, Entry], by: User) -> list[str]:
    """Keep what was typed (a draft), noting who changed each value and when. Returns the stored
    paths of files that were replaced or removed, to delete after the commit."""
    _editable(submission)
    allowed = {
        indicator.id
        for _action, indicators in tasks(submission.round.plan, submission.organisation)
        for indicator in indicators
    }
    values = {value.indicator_id: value for value in submission.values}
    obsolete = []
    for indicator_id, entry in entries.items():
        if indicator_id not in allowed:
            continue
        value = values.get(indicator_id)
        if value is None:
            if entry.value is None and not entry.note and not entry.status and entry.attachment is None:
                continue
            value = SubmittedValue(indicator_id=indicator_id, note="", attachment_name="", attachment_path="")
            submission.values.append(value)
        number = float(entry.value) if entry.value is not None else None
        before = (value.value, value.note, value.status, value.attachment_path)
        value.value, value.note, value.status = number, entry.note.strip(), entry.status or None
        if (entry.remove_attachment or entry.attachment is not None) and value.attachment_path:
            obsolete.append(value.attachment_path)
            value.attachment_name, value.attachment_path = "", ""
        if entry.attachment is not None:
            value.attachment_name, value.attachment_path = entry.attachment
        if (value.value, value.note, value.status, value.attachment_path) != before or value.id is None:
            value.entered_by_id, value.entered_at = by.id, utcnow()
    db.session.flush()
    return obsolete


def missing(submission: Submission) -> list[Indicator]:
    """Reported indicators of the organisation's actions that have no number yet."""
    numbers = {value.indicator_id for value in submission.values if value.value is not None}
    return [
        indicator
        for _action, indicators in tasks(submission.round.plan, submission.organisation)
        for indicator in indicators
        if indicator.id not in numbers
    ]


def submit(submission: Submission, by: User) -> None:
    """Hand the report to the owner; every reported indicator needs its number."""
    _editable(submission)
    if missing(submission):
        raise RoundError(_("Enter a number for every indicator before submitting."))
    resubmitted = submission.state == SubmissionState.RETURNED
    submission.state = SubmissionState.SUBMITTED.value
    submission.submitted_by_id, submission.submitted_at = by.id, utcnow()
    db.session.flush()
    _record(submission, "plan.report-submitted", by, again=resubmitted)


def return_submission(submission: Submission, comment: str, by: User) -> None:
    """Send a submitted report back to its executor for correction, saying why."""
    if not submission.round.is_open:
        raise RoundError(_("The round is closed: it accepts no more reports."))
    if submission.state != SubmissionState.SUBMITTED:
        raise RoundError(_("Only a submitted report can be returned."))
    if not comment.strip():
        raise RoundError(_("Say what is to be corrected."))
    submission.state = SubmissionState.RETURNED.value
    submission.returned_by_id, submission.returned_at = by.id, utcnow()
    submission.returned_comment = comment.strip()
    db.session.flush()
    _record(submission, "plan.report-returned", by)


def _record(submission: Submission, action: str, by: User, **details: Any) -> None:
    """The audit entry of something done to an executor's report."""
    round_ = submission.round
    record(
        action,
        submission,
        round_.plan.scope_path,
        actor=by,
        plan=round_.plan.code,
        period=round_.period,
        organisation=submission.organisation.code,
        **details,
    )


def close_round(round_: ReportingRound, by: User | None = None) -> None:
    """Close the round: no more reports; each computed indicator's value for the period is frozen as
    counted now, so certificates recorded later never change what was reported."""
    if not round_.is_open:
        raise RoundError(_("The round is already closed."))
    now = utcnow()
    period = period_of(round_)
    for action in round_.plan.actions:
        for indicator in action.indicators:
            if indicator.is_computed:
                value = services.compute(indicator, period, as_of=now.date())
                round_.frozen_values.append(FrozenValue(indicator=indicator, value=value, frozen_at=now))
    round_.state = RoundState.CLOSED.value
    round_.closed_at, round_.closed_by_id = now, by.id if by is not None else None
    db.session.flush()
    record(
        "plan.round-closed",
        round_,
        round_.plan.scope_path,
        actor=by,
        plan=round_.plan.code,
        period=round_.period,
        frozen=len(round_.frozen_values),
    )


def frozen_value(round_: ReportingRound, indicator: Indicator) -> float | None:
    for frozen in round_.frozen_values:
        if frozen.indicator_id == indicator.id:
            return frozen.value
    return None


# --- reminders -----------------------------------------------------------------------------------


def people_of(organisation_ids: list[int]) -> list[User]:
    """Active people acting for these organisations (home organisation or a grant), with an e-mail."""
    granted = select(RoleGrant.user_id).where(RoleGrant.organisation_id.in_(organisation_ids))
    query = (
        select(User)
        .where(
            or_(User.organisation_id.in_(organisation_ids), User.id.in_(granted)),
            User.is_active_account.is_(True),
            User.erased_at.is_(None),
        )
        .order_by(User.name_sort)
    )
    return list(db.session.scalars(query))


def reminder_recipients(round_: ReportingRound, which: str = LATE) -> list[tuple[User, Organisation]]:
    """(person, organisation) to remind: of the late executors, or of all who have not submitted."""
    recipients: list[tuple[User, Organisation]] = []
    for state in executor_states(round_):
        if state.state == SubmissionState.SUBMITTED or (which == LATE and not state.is_late):
            continue
        recipients.extend((person, state.organisation) for person in people_of([state.organisation.id]))
    return recipients


def record_reminder(
    round_: ReportingRound, which: str, recipients: list[tuple[User, Organisation]], by: User
) -> None:
    record(
        "plan.round-reminded",
        round_,
        round_.plan.scope_path,
        actor=by,
        plan=round_.plan.code,
        period=round_.period,
        which=which,
        organisations=sorted({organisation.code for _person, organisation in recipients}),
        people=len(recipients),
    )


def send_reminders(round_: ReportingRound, recipients: list[tuple[User, Organisation]]) -> int:
    """E-mail each person in her language (after the commit); how many messages went out."""
    from flask_babel import format_date

    from lms import mail
    from lms.accounts.services import external_url

    sent = 0
    plan = round_.plan
    for person, organisation in recipients:
        locale = person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(locale):
            link = external_url(
                "plans_rounds.report", plan_id=plan.id, round_id=round_.id, executor_id=organisation.id
            )
            sent += mail.send(
                person.email,
                _(
                    "Reminder: the report on %(plan)s for %(period)s",
                    plan=plan.code,
                    period=period_of(round_).label(),
                ),
                _(
                    "%(organisation)s has not submitted its report on the plan «%(title)s» for %(period)s "
                    "yet. The deadline is %(deadline)s.\n\nTo enter and submit the report, open:\n%(link)s",
                    organisation=str(organisation.name),
                    title=plan.title,
                    period=period_of(round_).label(),
                    deadline=format_date(round_.deadline, "long"),
                    link=link,
                ),
            )
    return sent


# --- attached files ------------------------------------------------------------------------------


def attachment_folder() -> Path:
    return Path(current_app.instance_path) / "plans" / "attachments"


def max_attachment_bytes() -> int:
    return int(current_app.config["LMS_MAX_UPLOAD_MB"]) * 1024 * 1024


def store_attachment(filename: str, data: bytes) -> tuple[str, str]:
    """Check and keep an uploaded file under a random name; (name as uploaded, stored path)."""
    name = Path(filename.replace("\\", "/")).name.strip()[:255]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if len(data) > max_attachment_bytes():
        raise RoundError(
            _("The file is larger than %(size)s MB.", size=current_app.config["LMS_MAX_UPLOAD_MB"])
        )
    if extension not in ATTACHMENT_TYPES or not data.startswith(ATTACHMENT_TYPES[extension]):
        raise RoundError(_("Attach a PDF, DOCX, XLSX, ODT, ODS, PNG or JPG file."))
    folder = attachment_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{extension}"
    (folder / stored).write_bytes(data)
    return name, f"plans/attachments/{stored}"


def attachment_file(value: SubmittedValue) -> Path | None:
    """The stored file of a value, if it has one and it is where it should be."""
    if not value.attachment_path:
        return None
    path = (Path(current_app.instance_path) / value.attachment_path).resolve()
    if attachment_folder().resolve() not in path.parents or not path.is_file():
        return None
    return path


def attachment_mimetype(value: SubmittedValue) -> str:
    return MIME_TYPES.get(value.attachment_path.rsplit(".", 1)[-1], "application/octet-stream")


def remove_files(paths: list[str]) -> None:
    """Delete replaced files (after the commit)."""
    folder = attachment_folder().resolve()
    for relative in paths:
        path = (Path(current_app.instance_path) / relative).resolve()
        if folder in path.parents:
            path.unlink(missing_ok=True)


# --- the home page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    round: ReportingRound
    organisation: Organisation
    submission: Submission | None


def due_reports(user: Any) -> list[Due]:
    """Open rounds in which an organisation ``user`` acts for has yet to submit, by deadline."""
    ids = services.acting_organisation_ids(user)
    if not ids:
        return []
    # Ids only: DISTINCT over whole rows would compare the organisations' JSON names (PostgreSQL cannot).
    query = (
        select(ReportingRound.id, action_executor.c.organisation_id)
        .join(Action, Action.plan_id == ReportingRound.plan_id)
        .join(action_executor, action_executor.c.action_id == Action.id)
        .where(
            ReportingRound.state == RoundState.OPEN.value,
            action_executor.c.organisation_id.in_(ids),
            _reported(),
        )
        .distinct()
    )
    due = []
    for round_id, organisation_id in db.session.execute(query).all():
        round_ = db.session.get(ReportingRound, round_id)
        organisation = db.session.get(Organisation, organisation_id)
        assert round_ is not None and organisation is not None
        submission = submission_of(round_, organisation)
        if submission is None or submission.state != SubmissionState.SUBMITTED:
            due.append(Due(round_, organisation, submission))
    due.sort(key=lambda item: (item.round.deadline, item.round.id, item.organisation.name_sort))
    return due
