"""Cohorts: creating and changing them, enrolment (existing people, invitations, the key), withdrawal
and transfer.

A learner has one :class:`~courses.models.Enrolment` per course, holding her progress; every cohort
she is in points at it (``CohortMember.enrolment``). Withdrawing marks her member row withdrawn;
transferring withdraws her here (naming the cohort she went to) and makes her a member there with the
same enrolment: her progress is never touched.

Every trainer of a cohort must hold the licence to train its course when she is made one
(:func:`courses.cohorts.licences.refusal`), on the web and on the command line alike.

Services flush and log, never commit; they raise :class:`CohortError` with a code the views and
commands put into words.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select

from courses.cohorts import licences
from courses.cohorts.models import Cohort, CohortMember, CohortStatus, MemberStatus, Mode
from courses.models import Course
from courses.services import enrol as enrol_in_course
from lms.accounts.models import User
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import utcnow
from lms.orgs.models import Organisation

log = logging.getLogger("courses.cohorts")

WEB_ADDRESS = re.compile(r"^https?://\S+$", re.IGNORECASE)
KEY = re.compile(r"^[\w-]{4,64}$")

# Reasons a change is refused (field names are those of the cohort form).
ENDS_BEFORE_START = "ends-before-start"
NO_TRAINER = "no-trainer"
TRAINER_NOT_TRAINER = licences.NO_TRAINER_ROLE  # a named trainer has no trainer role
TRAINER_UNLICENSED = licences.NO_LICENCE  # a named trainer does not hold the licence
BAD_CAPACITY = "bad-capacity"
CAPACITY_BELOW_MEMBERS = "capacity-below-members"
KEY_TAKEN = "key-taken"
BAD_KEY = "bad-key"
NOT_A_WEB_ADDRESS = "not-a-web-address"
UNKNOWN_TIMEZONE = "unknown-timezone"
BAD_STATUS = "bad-status"
COHORT_CLOSED = "cohort-closed"
COHORT_FULL = "cohort-full"
ALREADY_MEMBER = "already-member"
IN_ANOTHER_COHORT = "in-another-cohort"  # enrolled in another open cohort of the course: transfer her
NOT_A_MEMBER = "not-a-member"
ALREADY_WITHDRAWN = "already-withdrawn"
OTHER_COURSE = "other-course"
SAME_COHORT = "same-cohort"
NO_SUCH_KEY = "no-such-key"
EMAIL_TAKEN = "email-taken"  # inviting someone who already has an account: enrol her instead


class CohortError(ValueError):
    """A change was refused: ``code`` says why, ``field`` where, ``people`` whom it is about."""

    def __init__(self, code: str, field: str = "", people: Sequence[User] = (), **details: Any) -> None:
        super().__init__(code)
        self.code, self.field, self.people, self.details = code, field, tuple(people), details


@dataclass
class CohortDetails:
    """What is entered for a cohort."""

    course: Course
    organisation: Organisation
    starts_on: date
    ends_on: date
    trainers: list[User] = field(default_factory=list)
    title: str = ""
    mode: str = Mode.BLENDED.value
    capacity: int | None = None
    enrolment_key: str = ""
    venue: Organisation | None = None
    venue_address: str = ""
    webinar_url: str = ""
    timezone: str = "Europe/Kyiv"

    @classmethod
    def of(cls, cohort: Cohort) -> CohortDetails:
        return cls(
            course=cohort.course,
            organisation=cohort.organisation,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            trainers=list(cohort.trainers),
            title=cohort.title,
            mode=cohort.mode,
            capacity=cohort.capacity,
            enrolment_key=cohort.enrolment_key or "",
            venue=cohort.venue_organisation,
            venue_address=cohort.venue_address,
            webinar_url=cohort.webinar_url,
            timezone=cohort.timezone,
        )


def new_key() -> str:
    """A key learners can type: eight letters and digits that do not look alike."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def _check(details: CohortDetails, cohort: Cohort | None = None) -> None:
    if details.ends_on < details.starts_on:
        raise CohortError(ENDS_BEFORE_START, "ends_on")
    if details.mode not in {mode.value for mode in Mode}:
        raise CohortError(BAD_STATUS, "mode")
    if details.capacity is not None and details.capacity < 1:
        raise CohortError(BAD_CAPACITY, "capacity")
    if cohort is not None and details.capacity is not None and details.capacity < active_count(cohort):
        raise CohortError(CAPACITY_BELOW_MEMBERS, "capacity", count=active_count(cohort))
    key = details.enrolment_key.strip()
    if key:
        if not KEY.match(key):
            raise CohortError(BAD_KEY, "enrolment_key")
        taken = db.session.scalar(select(Cohort.id).where(Cohort.enrolment_key == key))
        if taken is not None and (cohort is None or taken != cohort.id):
            raise CohortError(KEY_TAKEN, "enrolment_key")
    if details.webinar_url.strip() and not WEB_ADDRESS.match(details.webinar_url.strip()):
        raise CohortError(NOT_A_WEB_ADDRESS, "webinar_url")
    try:
        ZoneInfo(details.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CohortError(UNKNOWN_TIMEZONE, "timezone") from None
    if not details.trainers:
        raise CohortError(NO_TRAINER, "trainers")
    before = {trainer.id for trainer in cohort.trainers} if cohort is not None else set()
    # Trainers who stay are not checked again: a lost licence flags the cohort rather than freezing it.
    for code in (TRAINER_NOT_TRAINER, TRAINER_UNLICENSED):
        refused = [
            trainer
            for trainer in details.trainers
            if trainer.id not in before and licences.refusal(trainer, details.course) == code
        ]
        if refused:
            raise CohortError(code, "trainers", refused)


def _apply(cohort: Cohort, details: CohortDetails) -> None:
    cohort.title = details.title.strip()
    cohort.starts_on, cohort.ends_on = details.starts_on, details.ends_on
    cohort.mode = details.mode
    cohort.capacity = details.capacity
    cohort.enrolment_key = details.enrolment_key.strip() or None
    cohort.venue_organisation = details.venue
    cohort.venue_address = details.venue_address.strip()
    cohort.webinar_url = details.webinar_url.strip()
    cohort.timezone = details.timezone
    unique: dict[int, User] = {trainer.id: trainer for trainer in details.trainers}
    cohort.trainers = list(unique.values())


def create_cohort(details: CohortDetails, by: User | None = None) -> Cohort:
    """A new planned cohort. Raises :class:`CohortError` (a trainer without the licence included)."""
    _check(details)
    cohort = Cohort(
        course=details.course, organisation=details.organisation, created_by_id=getattr(by, "id", None)
    )
    _apply(cohort, details)
    db.session.add(cohort)
    db.session.flush()
    record(
        "courses.cohort.created",
        cohort,
        cohort.organisation.path,
        by,
        course=cohort.course.code,
        trainers=[trainer.email for trainer in cohort.trainers],
    )
    log.info("cohort %s of %s created", cohort.id, cohort.course.code)
    return cohort


def update_cohort(cohort: Cohort, details: CohortDetails, by: User | None = None) -> Cohort:
    """Change a cohort that is not closed (its course and organisation stay)."""
    if cohort.is_closed:
        raise CohortError(COHORT_CLOSED)
    details.course, details.organisation = cohort.course, cohort.organisation
    _check(details, cohort)
    before = sorted(trainer.email for trainer in cohort.trainers)
    _apply(cohort, details)
    db.session.flush()
    after = sorted(trainer.email for trainer in cohort.trainers)
    record("courses.cohort.updated", cohort, cohort.organisation.path, by, trainers=after)
    log.info("cohort %s updated", cohort.id)
    if before != after:
        licences.review([cohort])
    return cohort


def start_cohort(cohort: Cohort, by: User | None = None) -> bool:
    """A planned cohort starts running. False when it already was."""
    if cohort.is_closed:
        raise CohortError(COHORT_CLOSED)
    if cohort.status == CohortStatus.RUNNING:
        return False
    cohort.status = CohortStatus.RUNNING.value
    db.session.flush()
    record("courses.cohort.started", cohort, cohort.organisation.path, by)
    return True


# --- members ------------------------------------------------------------------------------------------


def active_count(cohort: Cohort) -> int:
    """Members who have not withdrawn."""
    query = select(func.count(CohortMember.id)).where(
        CohortMember.cohort_id == cohort.id, CohortMember.status != MemberStatus.WITHDRAWN.value
    )
    return db.session.scalar(query) or 0


def room_left(cohort: Cohort) -> int | None:
    """Places left (None: no limit)."""
    if cohort.capacity is None:
        return None
    return max(cohort.capacity - active_count(cohort), 0)


def member_of(cohort: Cohort, person: User) -> CohortMember | None:
    return db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == person.id)
    )


def other_open_cohort(cohort: Cohort, person: User) -> Cohort | None:
    """Another cohort of the same course, not closed, where ``person`` is enrolled."""
    query = (
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(
            Cohort.course_id == cohort.course_id,
            Cohort.id != cohort.id,
            Cohort.status != CohortStatus.CLOSED.value,
            CohortMember.user_id == person.id,
            CohortMember.status == MemberStatus.ENROLLED.value,
        )
    )
    return db.session.scalar(query.limit(1))


def enrolment_refusal(cohort: Cohort, person: User) -> CohortError | None:
    """Why ``person`` cannot be enrolled in ``cohort`` now (None: she can)."""
    if cohort.is_closed:
        return CohortError(COHORT_CLOSED)
    member = member_of(cohort, person)
    if member is not None and member.status != MemberStatus.WITHDRAWN:
        return CohortError(ALREADY_MEMBER, people=[person])
    elsewhere = other_open_cohort(cohort, person)
    if elsewhere is not None:
        return CohortError(IN_ANOTHER_COHORT, people=[person], cohort=elsewhere)
    return None


def enrol(cohort: Cohort, person: User, by: User | None = None, *, check_room: bool = True) -> CohortMember:
    """Make ``person`` a learner of ``cohort``, on her one enrolment in the course (kept progress and
    all). A member who withdrew comes back. Raises :class:`CohortError`."""
    refused = enrolment_refusal(cohort, person)
    if refused is not None:
        raise refused
    if check_room and room_left(cohort) == 0:
        raise CohortError(COHORT_FULL)
    enrolment = enrol_in_course(person, cohort.course)
    member = member_of(cohort, person)
    if member is None:
        member = CohortMember(cohort=cohort, user=person, enrolment=enrolment)
        db.session.add(member)
    member.status = MemberStatus.ENROLLED.value
    member.enrolment = enrolment
    member.enrolled_at = utcnow()
    member.enrolled_by_id = getattr(by, "id", None)
    member.withdrawn_at = None
    member.transferred_to_id = None
    db.session.flush()
    record("courses.cohort.enrolled", member.user, cohort.organisation.path, by, cohort=cohort.id)
    log.info("user %s enrolled in cohort %s", person.id, cohort.id)
    return member


def withdraw(member: CohortMember, by: User | None = None) -> None:
    """She leaves the cohort; her progress in the course stays."""
    if member.status == MemberStatus.WITHDRAWN:
        raise CohortError(ALREADY_WITHDRAWN)
    if member.cohort.is_closed:
        raise CohortError(COHORT_CLOSED)
    member.status = MemberStatus.WITHDRAWN.value
    member.withdrawn_at = utcnow()
    db.session.flush()
    record(
        "courses.cohort.withdrawn", member.user, member.cohort.organisation.path, by, cohort=member.cohort_id
    )
    log.info("member %s withdrew from cohort %s", member.user_id, member.cohort_id)


def transfer(member: CohortMember, target: Cohort, by: User | None = None) -> CohortMember:
    """Move a learner to another open cohort of the same course; her progress goes with her (it is
    the course's, not the cohort's)."""
    cohort = member.cohort
    if target.id == cohort.id:
        raise CohortError(SAME_COHORT, "target")
    if target.course_id != cohort.course_id:
        raise CohortError(OTHER_COURSE, "target")
    if member.status != MemberStatus.ENROLLED:
        raise CohortError(NOT_A_MEMBER)
    if cohort.is_closed or target.is_closed:
        raise CohortError(COHORT_CLOSED, "target")
    if room_left(target) == 0:
        raise CohortError(COHORT_FULL, "target")
    there = member_of(target, member.user)
    if there is not None and there.status != MemberStatus.WITHDRAWN:
        raise CohortError(ALREADY_MEMBER, "target", [member.user])
    member.status = MemberStatus.WITHDRAWN.value
    member.withdrawn_at = utcnow()
    member.transferred_to = target
    db.session.flush()
    if there is None:
        there = CohortMember(cohort=target, user=member.user, enrolment=member.enrolment)
        db.session.add(there)
    there.status = MemberStatus.ENROLLED.value
    there.enrolment = member.enrolment
    there.enrolled_at = utcnow()
    there.enrolled_by_id = getattr(by, "id", None)
    there.withdrawn_at = None
    there.transferred_to_id = None
    db.session.flush()
    record(
        "courses.cohort.transferred",
        member.user,
        cohort.organisation.path,
        by,
        cohort=cohort.id,
        to=target.id,
    )
    log.info("user %s transferred from cohort %s to %s", member.user_id, cohort.id, target.id)
    return there


def invite(
    cohort: Cohort,
    email: str,
    surname: str,
    given_name: str,
    patronymic: str,
    organisation: Organisation,
    by: User | None = None,
) -> tuple[CohortMember, str]:
    """Create a person who is new to Kaskad over ``organisation`` as a learner, enrol her, and issue her
    invitation (the one-time token: send it after the commit, :func:`send_invitations`)."""
    from lms.accounts.models import Role, TokenPurpose
    from lms.accounts.services import create_user, find_by_email, grant_role, issue_token

    if find_by_email(email) is not None:
        raise CohortError(EMAIL_TAKEN, "email")
    if cohort.is_closed:
        raise CohortError(COHORT_CLOSED)
    if room_left(cohort) == 0:
        raise CohortError(COHORT_FULL)
    person = create_user(email, surname, given_name, patronymic, organisation=organisation)
    grant_role(person, Role.LEARNER.value, organisation, by)
    token = issue_token(person, TokenPurpose.INVITATION, by)
    return enrol(cohort, person, by), token


def cohort_by_key(key: str) -> Cohort | None:
    key = (key or "").strip()
    if not key:
        return None
    return db.session.scalar(select(Cohort).where(Cohort.enrolment_key == key))


def enrol_with_key(person: User, key: str) -> CohortMember:
    """Self-enrolment: the learner types the cohort's key."""
    cohort = cohort_by_key(key)
    if cohort is None:
        raise CohortError(NO_SUCH_KEY, "key")
    return enrol(cohort, person, person)


def members(cohort: Cohort) -> list[CohortMember]:
    """Everyone in the cohort, withdrawn included, in Ukrainian alphabetical order."""
    from sqlalchemy.orm import joinedload

    query = (
        select(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort.id)
        .options(joinedload(CohortMember.user).joinedload(User.organisation))
        .order_by(User.name_sort, User.id)
    )
    return list(db.session.scalars(query).unique())


# --- invitations ----------------------------------------------------------------------------------------


def invitation_link(token: str) -> str:
    """The one-time link of an invitation, built from LMS_BASE_URL (on the command line too)."""
    from flask import current_app, has_request_context

    from lms.accounts.services import external_url

    if has_request_context():
        return external_url("accounts.accept_invitation", token=token)
    with current_app.test_request_context():
        return external_url("accounts.accept_invitation", token=token)


def send_invitations(cohort: Cohort, invitations: Sequence[tuple[User, str]], inviter: str) -> int:
    """E-mail each new person her one-time link, in her language (after the commit). How many were
    sent (none when e-mail is not configured)."""
    from flask import current_app
    from flask_babel import force_locale, get_locale
    from flask_babel import gettext as _

    from lms import mail

    sent = 0
    for person, token in invitations:
        locale = person.locale or str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
        with force_locale(locale):
            sent += mail.send(
                person.email,
                _("You are invited to Kaskad"),
                _(
                    "%(inviter)s has enrolled you in the course %(course)s on Kaskad. To choose your "
                    "password, open this link within %(days)d days:\n\n%(link)s",
                    inviter=inviter,
                    course=str(cohort.course.title),
                    days=current_app.config["LMS_INVITATION_DAYS"],
                    link=invitation_link(token),
                ),
            )
    return sent


def summary(cohort: Cohort) -> dict[str, Any]:
    """What ``lms cohorts show ID --format json`` prints: id, course code, status, trainers' e-mails,
    learners with their status (enrolled, completed or withdrawn)."""
    return {
        "id": cohort.id,
        "course": cohort.course.code,
        "status": cohort.status,
        "trainers": [trainer.email for trainer in cohort.trainers],
        "learners": [{"email": member.user.email, "status": member.status} for member in members(cohort)],
    }
