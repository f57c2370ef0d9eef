"""Demo cohorts, 2024–2026, so that the lineage, the gradebook and the calendar show real shapes.

National trainers run the training of trainers (``TOT-RTC``) for regional trainers; those who complete
it hold the licence and run hub-coordinator cohorts (``DEH-COORD``) in their regions. Everything goes
through the services a trainer's pages use: cohorts created (licence checked), learners enrolled,
sessions scheduled, attendance marked, lessons done, quizzes taken through real attempts (right or
wrong answers, essays graded by the trainer), the completion rule deciding, and cohorts closed. Then
the dates of what was done are set to the days it happened in the story (the services record "now").

Deterministic (fixed people, outcomes and dates; sessions after the day of loading are not marked) and
idempotent: a cohort whose title exists is left alone.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from courses.cohorts import completion, services, sessions
from courses.cohorts.models import Cohort, CohortMember, CohortSession
from courses.models import Enrolment, Item, ItemCompletion, ItemKind
from courses.services import by_code, complete_item
from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import told_at, utcnow
from lms.orgs.models import Organisation

log = logging.getLogger("courses.cohorts")
DOMAIN = "kaskad.demo"

# What a learner of a demo cohort does: all of it; everything but the quiz (failed); everything but
# the sessions (attends one); half the lessons; withdraws.
DONE, QUIZ_FAILED, ABSENT, HALFWAY, WITHDRAWS = "done", "quiz-failed", "absent", "halfway", "withdraws"


@dataclass(frozen=True)
class DemoCohort:
    title: str
    course: str
    organisation: str
    trainers: tuple[str, ...]  # e-mail local parts
    starts_on: date
    ends_on: date
    learners: tuple[tuple[str, str], ...]  # (e-mail local part, outcome)
    closes: bool = True


COHORTS = (
    DemoCohort(
        "TOT-RTC · весна 2024", "TOT-RTC", "UA-DEH", ("trainer",), date(2024, 3, 4), date(2024, 5, 31),
        (("trainer.zhytomyr", DONE), ("trainer.tc-05", DONE), ("trainer.tc-12", DONE),
         ("trainer.tc-21", QUIZ_FAILED), ("trainer.tc-26", ABSENT)),
    ),
    DemoCohort(
        "TOT-RTC · осінь 2025", "TOT-RTC", "UA-DEH", ("trainer.national",), date(2025, 9, 8),
        date(2025, 11, 28),
        (("trainer.lviv", DONE), ("trainer.tc-46", DONE), ("trainer.tc-32", DONE), ("trainer.tc-35", HALFWAY),
         ("trainer.tc-40", WITHDRAWS)),
    ),
    DemoCohort(
        "TOT-RTC · осінь 2026", "TOT-RTC", "UA-DEH", ("trainer", "trainer.national"), date(2026, 10, 5),
        date(2027, 1, 29),
        (("trainer.tc-48", HALFWAY), ("trainer.tc-51", DONE), ("trainer.tc-21", HALFWAY),
         ("trainer.tc-53", ABSENT)),
        closes=False,
    ),
    DemoCohort(
        "DEH-COORD · Житомир, осінь 2024", "DEH-COORD", "TC-18", ("trainer.zhytomyr",), date(2024, 9, 2),
        date(2024, 11, 29),
        (("coordinator.zhytomyr", DONE), ("coordinator.hub-18-002", DONE),
         ("coordinator.hub-18-003", ABSENT)),
    ),
    DemoCohort(
        "DEH-COORD · Полтава, весна 2025", "DEH-COORD", "TC-05", ("trainer.tc-05",), date(2025, 2, 3),
        date(2025, 4, 25),
        (("coordinator.hub-05-001", DONE), ("coordinator.hub-05-002", DONE), ("coordinator.hub-05-003", DONE),
         ("coordinator.hub-05-004", QUIZ_FAILED)),
    ),
    DemoCohort(
        "DEH-COORD · Львів, весна 2026", "DEH-COORD", "TC-46", ("trainer.lviv",), date(2026, 2, 2),
        date(2026, 5, 29),
        (("coordinator.lviv", DONE), ("coordinator.hub-46-002", DONE), ("coordinator.hub-46-003", DONE),
         ("coordinator.hub-46-004", HALFWAY)),
    ),
    DemoCohort(
        "DEH-COORD · Житомир, осінь 2026", "DEH-COORD", "TC-18", ("trainer.zhytomyr",), date(2026, 10, 12),
        date(2027, 1, 22),
        (("coordinator.hub-18-004", DONE), ("coordinator.hub-18-005", HALFWAY),
         ("coordinator.hub-18-003", DONE)),
        closes=False,
    ),
)  # fmt: skip
SESSION_WEEKS = (0, 3, 6, 9)  # four meetings, three weeks apart from the first day
TOPICS = ("Вступ і знайомство", "Практикум", "Робота з громадою", "Підсумки")


def _person(local: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_casefold == f"{local}@{DOMAIN}"))


def _second_national_trainer() -> None:
    """A second national trainer, so the cascade has two roots."""
    from lms.accounts.services import create_user, grant_role
    from lms.orgs.services import by_code as organisation_by_code

    if _person("trainer.national") is not None:
        return
    organisation = organisation_by_code("UA-DEH")
    if organisation is None:
        return
    person = create_user(
        f"trainer.national@{DOMAIN}", "Савчук", "Олена", "Григорівна", organisation=organisation
    )
    person.password_hash = db.session.scalar(
        select(User.password_hash).where(User.email_casefold == f"trainer@{DOMAIN}")
    )
    grant_role(person, "trainer", organisation)


def load_cohort_demo() -> None:
    """Create the demo cohorts that do not exist yet, in story order (a trainer's licence first)."""
    if by_code("TOT-RTC") is None or by_code("DEH-COORD") is None:
        return
    _second_national_trainer()
    today = utcnow().date()
    for spec in COHORTS:
        if db.session.scalar(select(Cohort.id).where(Cohort.title == spec.title)) is None:
            _build(spec, today)


def _build(spec: DemoCohort, today: date) -> None:
    course = by_code(spec.course)
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == spec.organisation))
    trainers = [person for local in spec.trainers if (person := _person(local)) is not None]
    if course is None or organisation is None or not trainers:
        return
    trainer = trainers[0]
    loaded_at = utcnow()
    details = services.CohortDetails(
        course=course,
        organisation=organisation,
        starts_on=spec.starts_on,
        ends_on=spec.ends_on,
        trainers=trainers,
        title=spec.title,
        venue=organisation if organisation.kind != "national" else None,
        webinar_url="https://meet.kaskad.demo/" + course.code.lower(),
    )
    try:
        cohort = services.create_cohort(details, trainer)
    except services.CohortError as refused:  # e.g. a trainer whose licence story did not happen
        log.warning("demo cohort %s not created: %s", spec.title, refused.code)
        return
    services.start_cohort(cohort, trainer)
    members: list[tuple[CohortMember, str]] = []
    for local, outcome in spec.learners:
        person = _person(local)
        if person is None:
            continue
        try:
            members.append((services.enrol(cohort, person, trainer), outcome))
        except services.CohortError as refused:
            log.warning("demo: %s not enrolled in %s: %s", local, spec.title, refused.code)
    meetings = [_session(cohort, spec, number, trainer) for number in range(len(SESSION_WEEKS))]
    for number, meeting in enumerate(meetings):
        if sessions.may_be_marked(meeting):
            marks = {member.id: _mark(outcome, number) for member, outcome in members}
            sessions.mark_attendance(meeting, marks, trainer)
    for member, outcome in members:
        _learn(member, outcome, spec, today, trainer)
        if outcome == WITHDRAWS:
            services.withdraw(member, trainer)
    if spec.closes:
        with told_at(_story_end(spec)):
            completion.close_cohort(cohort, trainer)
    _set_story_dates(cohort, spec, [member for member, _ in members], loaded_at)


def _session(cohort: Cohort, spec: DemoCohort, number: int, trainer: User) -> CohortSession:
    day = spec.starts_on + timedelta(weeks=SESSION_WEEKS[number])
    return sessions.schedule_session(
        cohort,
        sessions.SessionDetails(
            day=day,
            starts=time(10, 0),
            ends=time(12, 30),
            topic=TOPICS[number],
            venue=cohort.venue_organisation,
            webinar_url=cohort.webinar_url,
        ),
        trainer,
    )


def _mark(outcome: str, number: int) -> str:
    if outcome == ABSENT:
        return "present" if number == 0 else "absent"
    if outcome == HALFWAY and number == 1:
        return "excused"
    return "late" if number == 2 and outcome == DONE else "present"


def _learn(member: CohortMember, outcome: str, spec: DemoCohort, today: date, trainer: User) -> None:
    """The lessons and the quiz, as the learner would do them; a running cohort's learners have done
    what fits in the days so far."""
    items = [item for item in member.cohort.course.items if item.is_required and item.module.is_required]
    lessons = [item for item in items if item.kind != ItemKind.QUIZ]
    share = 0.5 if outcome in (HALFWAY, WITHDRAWS) else 1.0
    if not spec.closes:
        elapsed = (today - spec.starts_on).days / max((spec.ends_on - spec.starts_on).days, 1)
        share = min(share, max(elapsed, 0.0))
    for item in lessons[: round(len(lessons) * share)]:
        complete_item(member.enrolment, item)
    if share < 1.0:
        return
    # A finished cohort's quizzes, and the completions and certificates they lead to, on its last day.
    with told_at(_story_end(spec)) if spec.closes else nullcontext():
        for item in items:
            if item.kind == ItemKind.QUIZ:
                _take_quiz(member, item, right=outcome != QUIZ_FAILED, when=spec.ends_on, trainer=trainer)


def _take_quiz(member: CohortMember, item: Item, right: bool, when: date, trainer: User) -> None:
    from courses.questions.grading import correct_response
    from courses.quizzes import services as quizzes

    quiz = quizzes.quiz_of(item)
    if quiz is None:
        return
    started = datetime.combine(when - timedelta(days=10), time(9, 0))
    try:
        attempt = quizzes.start_attempt(quiz, member.user, started)
    except quizzes.QuizError as refused:
        log.warning("demo: no attempt at %s for %s: %s", item.key, member.user.email, refused.code)
        return
    responses = {
        slot.slot: correct_response(slot.question) if right else None
        for slot in attempt.questions
        if slot.question is not None
    }
    quizzes.save_page(
        attempt, {slot: value for slot, value in responses.items() if value is not None}, started
    )
    quizzes.finish_attempt(attempt, started + timedelta(minutes=25))
    for slot in attempt.questions:
        if slot.needs_grading:
            quizzes.grade_essay(
                slot, 1.0 if right else 0.0, "Зараховано." if right else "Ще раз, будь ласка.", trainer
            )


def _story_end(spec: DemoCohort) -> datetime:
    """The moment a finished cohort's story ends: its last day, in the afternoon."""
    return datetime.combine(spec.ends_on, time(15, 0))


def _set_story_dates(
    cohort: Cohort, spec: DemoCohort, members: list[CohortMember], loaded_at: datetime
) -> None:
    """What the services recorded as "now" while building a cohort that ended happened on its days:
    lessons in its first weeks, completions and the closing on its last day. (A running cohort's
    progress stays as recorded: it is happening now.)"""
    if not spec.closes:
        return
    end = _story_end(spec)
    lessons = datetime.combine(spec.starts_on + timedelta(weeks=2), time(18, 0))
    enrolment_ids = [member.enrolment_id for member in members]
    for statement in (
        update(CohortMember)
        .where(CohortMember.cohort_id == cohort.id, CohortMember.completed_at >= loaded_at)
        .values(completed_at=end, announced_at=end),
        update(Cohort).where(Cohort.id == cohort.id).values(closed_at=end),
        update(Enrolment)
        .where(Enrolment.id.in_(enrolment_ids), Enrolment.completed_at >= loaded_at)
        .values(completed_at=end),
        update(ItemCompletion)
        .where(ItemCompletion.enrolment_id.in_(enrolment_ids), ItemCompletion.completed_at >= loaded_at)
        .values(completed_at=lessons),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire_all()
