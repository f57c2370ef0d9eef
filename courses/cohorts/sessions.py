"""Sessions of a cohort, attendance, offline work, attendance rates, and what a home page lists.

Times are entered and shown in the cohort's time zone and stored in UTC without tzinfo. Every change
to a session raises its ``sequence``, so calendar programs replace the copy they have
(``courses.cohorts.calendar``). A cancelled session stays in the list and the feed, marked as such.

**Attendance rate** (:func:`attendance_rates`): for each member, ``attended`` = sessions she was
marked *present* or *late* at; ``held`` = the cohort's sessions that are scheduled (not cancelled)
and have started, **less those she was excused from** (an excused absence neither counts for nor
against her). A held session with no mark for her counts as not attended: the
trainer marks it (the home page lists sessions whose attendance is not marked yet). A cohort without
held sessions gives ``held == 0``: the rate is undefined. The completion rule
(``courses.cohorts.completion``) calls it with a ``now`` after every session, so that all the cohort's
sessions that are not cancelled count there, the future ones too.

Services flush and log, never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import joinedload

from courses.cohorts.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortMember,
    CohortSession,
    CohortStatus,
    MemberStatus,
    SessionStatus,
    cohort_trainer,
    new_token,
)
from courses.models import Item, ItemKind, Module
from courses.services import complete_item
from lms.accounts.models import User
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import utcnow
from lms.orgs.models import Organisation

log = logging.getLogger("courses.cohorts")

ATTENDED = (AttendanceStatus.PRESENT.value, AttendanceStatus.LATE.value)
STATUSES = tuple(status.value for status in AttendanceStatus)

# Reasons a session change is refused (the views say them in words, next to the field).
END_NOT_AFTER_START = "end-not-after-start"
NO_SUCH_TIME = "no-such-time"  # a local time skipped when the clocks go forward
PUBLIC_NEEDS_VENUE = "public-needs-venue"
NOT_A_WEB_ADDRESS = "not-a-web-address"  # a webinar link must be http(s): it is shown as a link
COHORT_CLOSED = "cohort-closed"
SESSION_CANCELLED = "session-cancelled"
NOT_YET = "not-yet"  # attendance of a session on a later day
UNKNOWN_STATUS = "unknown-status"
QUIZ_ITEM = "quiz-item"  # a quiz is completed by passing it, not recorded by hand


class SessionError(ValueError):
    """A change to a session or its attendance was refused: ``code`` says why, ``field`` where."""

    def __init__(self, code: str, field: str = "", member_ids: Iterable[int] = ()) -> None:
        super().__init__(code)
        self.code, self.field, self.member_ids = code, field, tuple(member_ids)


# --- time zones --------------------------------------------------------------------------------------


def zone_of(cohort: Cohort) -> ZoneInfo:
    """The cohort's time zone (Kyiv for a name the time-zone database does not know)."""
    try:
        return ZoneInfo(cohort.timezone or "Europe/Kyiv")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Kyiv")


def to_utc(cohort: Cohort, day: date, at: time) -> datetime:
    """A date and wall-clock time in the cohort's time zone, as stored: UTC without tzinfo.

    A time skipped when the clocks go forward is refused (:data:`NO_SUCH_TIME`); a time that happens
    twice when they go back is the first of the two."""
    zone = zone_of(cohort)
    local = datetime.combine(day, at).replace(tzinfo=zone)
    moment = local.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise SessionError(NO_SUCH_TIME, "starts")
    return moment.replace(tzinfo=None)


def in_cohort_zone(cohort: Cohort, moment: datetime) -> datetime:
    """A stored UTC moment as an aware datetime in the cohort's time zone."""
    return moment.replace(tzinfo=UTC).astimezone(zone_of(cohort))


def local_date(session: CohortSession) -> date:
    return in_cohort_zone(session.cohort, session.starts_at).date()


@dataclass(frozen=True)
class When:
    """A session's day and times as the cohort's time zone reads them, in the current locale's words."""

    day: str  # "понеділок, 2 березня 2026 р."
    times: str  # "10:00–12:00"
    zone: str  # "Europe/Kyiv"


def when(session: CohortSession) -> When:
    from babel.dates import format_date, format_time
    from flask_babel import get_locale

    locale = get_locale() or "uk"
    starts = in_cohort_zone(session.cohort, session.starts_at)
    ends = in_cohort_zone(session.cohort, session.ends_at)
    times = "–".join(format_time(moment.time(), "short", locale=locale) for moment in (starts, ends))
    return When(format_date(starts.date(), "full", locale=locale), times, zone_of(session.cohort).key)


# --- scheduling ---------------------------------------------------------------------------------------


@dataclass
class SessionDetails:
    """What a trainer enters for a session: the day and times are the cohort's local ones."""

    day: date
    starts: time
    ends: time
    topic: str = ""
    venue: Organisation | None = None
    place: str = ""
    webinar_url: str = ""
    modules: list[Module] = field(default_factory=list)
    is_public: bool = False

    @classmethod
    def of(cls, session: CohortSession) -> SessionDetails:
        starts = in_cohort_zone(session.cohort, session.starts_at)
        ends = in_cohort_zone(session.cohort, session.ends_at)
        return cls(
            day=starts.date(),
            starts=starts.time().replace(tzinfo=None),
            ends=ends.time().replace(tzinfo=None),
            topic=session.topic,
            venue=session.venue_organisation,
            place=session.place,
            webinar_url=session.webinar_url,
            modules=list(session.modules),
            is_public=session.is_public,
        )

    @classmethod
    def defaults_for(cls, cohort: Cohort, day: date) -> SessionDetails:
        """A new session's starting point: the cohort's venue, address and webinar link."""
        return cls(
            day=day,
            starts=time(10, 0),
            ends=time(12, 0),
            venue=cohort.venue_organisation,
            place=cohort.venue_address,
            webinar_url=cohort.webinar_url,
        )


def _times(cohort: Cohort, details: SessionDetails) -> tuple[datetime, datetime]:
    starts = to_utc(cohort, details.day, details.starts)
    try:
        ends = to_utc(cohort, details.day, details.ends)
    except SessionError as error:
        raise SessionError(NO_SUCH_TIME, "ends") from error
    if ends <= starts:
        raise SessionError(END_NOT_AFTER_START, "ends")
    if details.is_public and details.venue is None:
        raise SessionError(PUBLIC_NEEDS_VENUE, "is_public")
    link = details.webinar_url.strip().lower()
    if link and not link.startswith(("https://", "http://")):
        raise SessionError(NOT_A_WEB_ADDRESS, "webinar_url")
    return starts, ends


def _check_open(cohort: Cohort) -> None:
    if cohort.status == CohortStatus.CLOSED:
        raise SessionError(COHORT_CLOSED)


def _apply(session: CohortSession, details: SessionDetails, starts: datetime, ends: datetime) -> None:
    session.starts_at, session.ends_at = starts, ends
    session.topic = details.topic.strip()
    session.venue_organisation = details.venue
    session.place = details.place.strip()
    session.webinar_url = details.webinar_url.strip()
    session.modules = [module for module in details.modules if module.course_id == session.cohort.course_id]
    session.is_public = details.is_public


def schedule_session(cohort: Cohort, details: SessionDetails, by: User | None = None) -> CohortSession:
    """A new session of ``cohort``. Raises :class:`SessionError`."""
    _check_open(cohort)
    starts, ends = _times(cohort, details)
    session = CohortSession(cohort=cohort)
    _apply(session, details, starts, ends)
    db.session.add(session)
    db.session.flush()
    record("courses.session.scheduled", session, cohort.organisation.path, by, cohort=cohort.id)
    log.info("session %s of cohort %s scheduled", session.id, cohort.id)
    return session


def _snapshot(session: CohortSession) -> tuple[Any, ...]:
    return (
        session.starts_at,
        session.ends_at,
        session.topic,
        session.venue_organisation.id if session.venue_organisation is not None else None,
        session.place,
        session.webinar_url,
        tuple(sorted(module.id for module in session.modules)),
        session.is_public,
    )


def update_session(session: CohortSession, details: SessionDetails, by: User | None = None) -> bool:
    """Change a session; its ``sequence`` goes up when anything changed. False when nothing did."""
    cohort = session.cohort
    _check_open(cohort)
    if session.is_cancelled:
        raise SessionError(SESSION_CANCELLED)
    starts, ends = _times(cohort, details)
    before = _snapshot(session)
    _apply(session, details, starts, ends)
    if _snapshot(session) == before:
        return False
    session.sequence += 1
    db.session.flush()
    record("courses.session.updated", session, cohort.organisation.path, by, sequence=session.sequence)
    log.info("session %s updated (sequence %s)", session.id, session.sequence)
    if (starts <= utcnow()) != (before[0] <= utcnow()):  # it moved into or out of the sessions held
        _reconsider(_active_members(cohort))
    return True


def cancel_session(session: CohortSession, by: User | None = None) -> bool:
    """Cancel a session (it stays in the list and the feed as cancelled). False when it already was."""
    _check_open(session.cohort)
    if session.is_cancelled:
        return False
    session.status = SessionStatus.CANCELLED.value
    session.cancelled_at = utcnow()
    session.sequence += 1
    db.session.flush()
    record("courses.session.cancelled", session, session.cohort.organisation.path, by)
    log.info("session %s cancelled", session.id)
    _reconsider(_active_members(session.cohort))  # one session fewer to attend
    return True


def reset_calendar_token(cohort: Cohort, by: User | None = None) -> str:
    """A new address for the cohort's calendar feed: the old one stops working at once."""
    cohort.calendar_token = new_token()
    db.session.flush()
    record("courses.cohort.calendar-reset", cohort, cohort.organisation.path, by)
    log.info("calendar address of cohort %s reset", cohort.id)
    return cohort.calendar_token


def cohort_by_calendar_token(token: str) -> Cohort | None:
    if not token:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.calendar_token == token))


def sessions_of(cohort: Cohort) -> list[CohortSession]:
    """The cohort's sessions, earliest first, cancelled ones included."""
    query = (
        select(CohortSession)
        .where(CohortSession.cohort_id == cohort.id)
        .options(joinedload(CohortSession.venue_organisation))
        .order_by(CohortSession.starts_at, CohortSession.id)
    )
    return list(db.session.scalars(query).unique())


def session_of(cohort: Cohort, session_id: int) -> CohortSession | None:
    session = db.session.get(CohortSession, session_id)
    return session if session is not None and session.cohort_id == cohort.id else None


# --- attendance -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    """One learner on a session's attendance form: her mark, or "present" when none is stored yet."""

    member: CohortMember
    status: str
    is_marked: bool


def _active_members(cohort: Cohort) -> list[CohortMember]:
    """Members who have not withdrawn, in Ukrainian alphabetical order."""
    query = (
        select(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort.id, CohortMember.status != MemberStatus.WITHDRAWN.value)
        .options(joinedload(CohortMember.user))
        .order_by(User.name_sort, User.id)
    )
    return list(db.session.scalars(query).unique())


def attendance_sheet(session: CohortSession) -> list[SheetRow]:
    """One row per learner of the cohort (enrolled or completed, not withdrawn), in Ukrainian
    alphabetical order; a learner not marked yet starts as present."""
    marks = dict(
        db.session.execute(
            select(Attendance.member_id, Attendance.status).where(Attendance.session_id == session.id)
        ).all()
    )
    return [
        SheetRow(member, marks.get(member.id, AttendanceStatus.PRESENT.value), member.id in marks)
        for member in _active_members(session.cohort)
    ]


def may_be_marked(session: CohortSession, now: datetime | None = None) -> bool:
    """Attendance is marked from the session's day on (in the cohort's time zone)."""
    today = in_cohort_zone(session.cohort, now or utcnow()).date()
    return local_date(session) <= today


def mark_attendance(
    session: CohortSession, statuses: Mapping[int, str], by: User | None = None
) -> list[CohortMember]:
    """Store one mark per learner of the sheet (``{member_id: status}``), all or nothing.

    Learners missing from ``statuses``, or with an unknown status, refuse the whole form
    (:data:`UNKNOWN_STATUS`, naming them); ids of people no longer on the sheet are ignored. Returns
    the members whose mark changed; the completion rule is looked at again for each of them."""
    _check_open(session.cohort)
    if session.is_cancelled:
        raise SessionError(SESSION_CANCELLED)
    if not may_be_marked(session):
        raise SessionError(NOT_YET)
    sheet = attendance_sheet(session)
    wrong = [row.member.id for row in sheet if statuses.get(row.member.id) not in STATUSES]
    if wrong:
        raise SessionError(UNKNOWN_STATUS, member_ids=wrong)
    stored = {entry.member_id: entry for entry in session.attendance}
    changed: list[CohortMember] = []
    for row in sheet:
        status = statuses[row.member.id]
        entry = stored.get(row.member.id)
        if entry is None:
            session.attendance.append(
                Attendance(member=row.member, status=status, marked_by_id=getattr(by, "id", None))
            )
        elif entry.status != status:
            entry.status, entry.marked_by_id = status, getattr(by, "id", None)
        else:
            continue
        changed.append(row.member)
    db.session.flush()
    if changed:
        record(
            "courses.attendance.marked",
            session,
            session.cohort.organisation.path,
            by,
            changed={str(member.id): statuses[member.id] for member in changed},
        )
        log.info("attendance of session %s: %s marks changed", session.id, len(changed))
        _reconsider(changed)
    return changed


def _reconsider(members: Iterable[CohortMember]) -> None:
    """Let the completion rule (:func:`courses.cohorts.completion.reconsider`) look again at each
    member whose attendance changed."""
    from courses.cohorts.completion import reconsider  # completion uses attendance_rates from here

    reconsider(list(members))


def attendance_rates(cohort: Cohort, now: datetime | None = None) -> dict[int, tuple[int, int]]:
    """``{member_id: (attended, held)}`` for every member of the cohort, in one query (see the
    module's docstring for the definition; withdrawn members are included)."""
    now = now or utcnow()
    held_sessions = select(func.count(CohortSession.id)).where(
        CohortSession.cohort_id == cohort.id,
        CohortSession.status == SessionStatus.SCHEDULED.value,
        CohortSession.starts_at <= now,
    )
    marks = (
        select(
            Attendance.member_id.label("member_id"),
            func.sum(case((Attendance.status.in_(ATTENDED), 1), else_=0)).label("attended"),
            func.sum(case((Attendance.status == AttendanceStatus.EXCUSED.value, 1), else_=0)).label(
                "excused"
            ),
        )
        .join(CohortSession, CohortSession.id == Attendance.session_id)
        .where(
            CohortSession.cohort_id == cohort.id,
            CohortSession.status == SessionStatus.SCHEDULED.value,
            CohortSession.starts_at <= now,
        )
        .group_by(Attendance.member_id)
        .subquery()
    )
    query = (
        select(
            CohortMember.id,
            func.coalesce(marks.c.attended, 0),
            held_sessions.scalar_subquery() - func.coalesce(marks.c.excused, 0),
        )
        .outerjoin(marks, marks.c.member_id == CohortMember.id)
        .where(CohortMember.cohort_id == cohort.id)
    )
    return {member_id: (int(attended), int(held)) for member_id, attended, held in db.session.execute(query)}


def attendance_rate(member: CohortMember, now: datetime | None = None) -> float | None:
    """attended / held for one member, from 0 to 1; None when no session counts for her yet."""
    attended, held = attendance_rates(member.cohort, now).get(member.id, (0, 0))
    return attended / held if held else None


# --- offline work -----------------------------------------------------------------------------------------


def offline_items(cohort: Cohort) -> list[Item]:
    """The items of the cohort's course that a trainer may record as done offline (not quizzes)."""
    return [item for item in cohort.course.items if item.kind != ItemKind.QUIZ]


def record_offline_work(
    session: CohortSession, item: Item, members: Iterable[CohortMember], by: User | None = None
) -> tuple[list[CohortMember], list[CohortMember]]:
    """Record that ``members`` did ``item`` offline in ``session``, through
    ``courses.services.complete_item`` (so its signals are sent once). Returns (recorded, already done)."""
    cohort = session.cohort
    _check_open(cohort)
    if item.kind == ItemKind.QUIZ:
        raise SessionError(QUIZ_ITEM, "item")
    if item.module.course_id != cohort.course_id:
        raise ValueError(f"item {item.id} is not of the cohort's course")
    recorded: list[CohortMember] = []
    already: list[CohortMember] = []
    for member in members:
        if member.cohort_id != cohort.id or member.status == MemberStatus.WITHDRAWN:
            raise ValueError(f"member {member.id} is not an active member of cohort {cohort.id}")
        done = complete_item(member.enrolment, item, recorded_by=by, session=session)
        (recorded if done else already).append(member)
    if recorded:
        record(
            "courses.offline-work.recorded",
            session,
            cohort.organisation.path,
            by,
            item=item.id,
            members=[member.id for member in recorded],
        )
        log.info("item %s recorded as done offline for %s members", item.id, len(recorded))
    return recorded, already


# --- home page and public pages ---------------------------------------------------------------------


def _day_bounds(day_zone: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    today = now.replace(tzinfo=UTC).astimezone(day_zone).date()
    start = datetime.combine(today, time()).replace(tzinfo=day_zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=1), time()).replace(tzinfo=day_zone).astimezone(UTC)
    return start.replace(tzinfo=None), end.replace(tzinfo=None)


def _trained_by(user: User) -> Any:
    return CohortSession.cohort_id.in_(
        select(cohort_trainer.c.cohort_id).where(cohort_trainer.c.user_id == user.id)
    )


def _open_cohort() -> Any:
    return CohortSession.cohort.has(Cohort.status != CohortStatus.CLOSED.value)


def todays_sessions(
    user: User, now: datetime | None = None, timezone: str | None = None
) -> list[CohortSession]:
    """The sessions of the cohorts ``user`` trains that start today (in ``timezone``, else hers, else
    Kyiv's), not cancelled, earliest first: for a trainer's home page."""
    try:
        day_zone = ZoneInfo(timezone or getattr(user, "timezone", None) or "Europe/Kyiv")
    except (ZoneInfoNotFoundError, ValueError):
        day_zone = ZoneInfo("Europe/Kyiv")
    start, end = _day_bounds(day_zone, now or utcnow())
    query = (
        select(CohortSession)
        .where(
            _trained_by(user),
            CohortSession.status == SessionStatus.SCHEDULED.value,
            CohortSession.starts_at >= start,
            CohortSession.starts_at < end,
            _open_cohort(),
        )
        .options(joinedload(CohortSession.cohort))
        .order_by(CohortSession.starts_at, CohortSession.id)
    )
    return list(db.session.scalars(query).unique())


def unmarked_sessions(user: User, now: datetime | None = None, limit: int = 20) -> list[CohortSession]:
    """Sessions of the cohorts ``user`` trains that have started, are not cancelled, and have no
    attendance marked at all, in open cohorts with learners: latest first."""
    has_marks = exists().where(Attendance.session_id == CohortSession.id)
    has_learners = exists().where(
        CohortMember.cohort_id == CohortSession.cohort_id,
        CohortMember.status != MemberStatus.WITHDRAWN.value,
    )
    query = (
        select(CohortSession)
        .where(
            _trained_by(user),
            CohortSession.status == SessionStatus.SCHEDULED.value,
            CohortSession.starts_at <= (now or utcnow()),
            ~has_marks,
            has_learners,
            _open_cohort(),
        )
        .options(joinedload(CohortSession.cohort))
        .order_by(CohortSession.starts_at.desc(), CohortSession.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query).unique())


def next_session(user: User, now: datetime | None = None) -> CohortSession | None:
    """A learner's next session (not over yet, not cancelled) in a cohort she is in: for her home page."""
    mine = select(CohortMember.cohort_id).where(
        CohortMember.user_id == user.id, CohortMember.status != MemberStatus.WITHDRAWN.value
    )
    query = (
        select(CohortSession)
        .where(
            CohortSession.cohort_id.in_(mine),
            CohortSession.status == SessionStatus.SCHEDULED.value,
            CohortSession.ends_at > (now or utcnow()),
            _open_cohort(),
        )
        .options(joinedload(CohortSession.cohort))
        .order_by(CohortSession.starts_at, CohortSession.id)
        .limit(1)
    )
    return db.session.scalar(query)


def public_sessions(venue: Organisation, since: datetime) -> list[CohortSession]:
    """Public sessions at ``venue`` (a hub) that end after ``since`` (UTC) and are not cancelled,
    soonest first; one indexed lookup by venue (for the hub's public page and feed)."""
    query = (
        select(CohortSession)
        .where(
            and_(
                CohortSession.venue_organisation_id == venue.id,
                CohortSession.is_public.is_(True),
                CohortSession.status == SessionStatus.SCHEDULED.value,
                CohortSession.ends_at > since,
            )
        )
        .options(joinedload(CohortSession.cohort).joinedload(Cohort.course))
        .order_by(CohortSession.starts_at, CohortSession.id)
    )
    return list(db.session.scalars(query).unique())


def install(app: Any) -> None:
    """What the sessions part registers on the app: the template helper for a session's times."""
    app.add_template_global(when, "session_when")
