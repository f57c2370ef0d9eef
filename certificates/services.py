"""Issuing, revoking, correcting and looking up certificates. Services flush and audit, never commit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from translitua import UkrainianKMU, translit

from certificates import monitoring, numbers, pdf
from certificates.models import Certificate, CourseSetting, IssueOn, Source, Status, Template
from courses.models import Course
from lms.accounts.models import User
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import Translated, utcnow
from lms.orgs.models import Kind, Organisation

if TYPE_CHECKING:
    from courses.cohorts.models import Cohort


class CertificateError(ValueError):
    """A certificate cannot be issued, revoked or corrected: the message says why (translated)."""


# --- settings and templates -------------------------------------------------------------------------


def setting_of(course: Course) -> CourseSetting:
    """The course's issuance settings (the defaults when none were saved; not added to the session)."""
    setting = db.session.get(CourseSetting, course.id)
    return setting or CourseSetting(course_id=course.id, issue_on=IssueOn.COMPLETION.value)


def template_source(course: Course | None) -> str:
    """The course's own template, else the designed default."""
    if course is not None:
        own = db.session.scalar(select(Template.html).where(Template.course_id == course.id))
        if own:
            return own
    return pdf.default_template()


def version_of(source: str) -> str:
    """A short fingerprint of a template's source: a certificate made with it keeps it."""
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def template_version(course: Course | None) -> str:
    """The fingerprint of the template ``course``'s certificates are rendered with now."""
    return version_of(template_source(course))


def save_settings(
    course: Course, html: str, *, issue_on: str, valid_months: int | None, issuer: str, actor: User | None
) -> None:
    """Keep a course's template (none when it is the default) and its issuance settings."""
    setting = db.session.get(CourseSetting, course.id)
    if setting is None:
        setting = CourseSetting(course_id=course.id)
        db.session.add(setting)
    setting.issue_on, setting.valid_months, setting.issuer = IssueOn(issue_on).value, valid_months, issuer
    own = db.session.scalar(select(Template).where(Template.course_id == course.id))
    if html.strip() == pdf.default_template().strip():
        if own is not None:
            db.session.delete(own)
    elif own is None:
        db.session.add(Template(course_id=course.id, html=html, updated_by_id=actor.id if actor else None))
    else:
        own.html, own.updated_by_id = html, actor.id if actor else None
    db.session.flush()
    record("certificates.settings-saved", course, "", actor=actor, course=course.code, issue_on=issue_on)


# --- snapshots and rendering ----------------------------------------------------------------------


def transliterate(name: str) -> str:
    """The Latin spelling of a Ukrainian name by the table of Cabinet of Ministers resolution No. 55
    of 27 January 2010 (``Згорани`` → ``Zghorany``); names already in Latin letters stay as they are."""
    return str(translit(name, UkrainianKMU))


def _ancestor(organisation: Organisation | None, kind: Kind) -> Organisation | None:
    while organisation is not None and organisation.kind != kind:
        organisation = organisation.parent
    return organisation


def _name(organisation: Organisation | None, language: str) -> str:
    return Translated(organisation.name).in_locale(language) if organisation is not None else ""


def _competences(course: Course, language: str) -> list[dict[str, Any]]:
    """What the course's quizzes demonstrate (competence and level), else what its modules teach."""
    from courses.quizzes.models import Quiz, QuizCompetence

    seen: dict[int, dict[str, Any]] = {}
    item_ids = [item.id for item in course.items]
    if item_ids:
        rows = db.session.scalars(
            select(QuizCompetence)
            .join(Quiz, Quiz.id == QuizCompetence.quiz_id)
            .where(Quiz.item_id.in_(item_ids))
            .order_by(QuizCompetence.position)
        )
        for row in rows:
            seen.setdefault(row.competence_id, _competence(row.competence, language, row.level))
    if not seen:
        for module in course.modules:
            for competence in module.competences:
                seen.setdefault(competence.id, _competence(competence, language, None))
    return list(seen.values())


def _competence(competence: Any, language: str, level: int | None) -> dict[str, Any]:
    return {
        "framework": competence.framework.idnumber,
        "idnumber": competence.idnumber,
        "name": Translated(competence.shortname).in_locale(language),
        "level": level,
    }


def _issuer(course: Course, cohort: Cohort | None, language: str) -> str:
    setting = setting_of(course)
    if setting.issuer:
        return setting.issuer
    if cohort is not None:
        return _name(cohort.organisation, language)
    return str(current_app.config["CERTIFICATES_ISSUER"])


def snapshot(user: User, course: Course, cohort: Cohort | None) -> dict[str, Any]:
    """The certificate's copy of the learner, the course, the cohort and its trainers, today."""
    language = course.language or "uk"
    organisation = user.organisation
    trainers = list(cohort.trainers) if cohort is not None else []
    return {
        "holder_name": user.full_name,
        "holder_name_latin": transliterate(user.full_name),
        "holder_job": Translated(user.job.name).in_locale(language) if user.job else "",
        "holder_organisation": _name(organisation, language),
        "holder_hub": _name(_ancestor(organisation, Kind.HUB), language),
        "holder_region": _name(_ancestor(organisation, Kind.REGION), language),
        "holder_path": organisation.path if organisation is not None else "",
        "holder_target_groups": [Translated(group.name).in_locale(language) for group in user.target_groups],
        "course_code": course.code,
        "course_title": Translated(dict(course.title)),
        "course_hours": course.hours or 0,
        "course_ects": course.ects,
        "course_version": course.version,
        "competences": _competences(course, language),
        "cohort_title": str(cohort) if cohort is not None else "",
        "trainers": [trainer.full_name for trainer in trainers],
        "issuer": _issuer(course, cohort, language),
        "language": language,
    }


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    last = (following - date.resolution).day
    return date(year, month, min(day.day, last))


def verify_url(number: str) -> str:
    return current_app.config["LMS_BASE_URL"].rstrip("/") + "/verify/" + number


def _hours(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


_LABELS: dict[tuple[str, int], dict[str, str]] = {}


def _labels(language: str) -> dict[str, str]:
    """The default template's words in ``language``, worked out once per process and app."""
    key = (language, id(current_app._get_current_object()))  # type: ignore[attr-defined]
    if key not in _LABELS:
        with force_locale(language):
            _LABELS[key] = {
                "certificate": _("Certificate"),
                "certifies": _("This certifies that"),
                "completed": _("has completed the course"),
                "hours": _("Hours"),
                "credits": _("ECTS credits"),
                "competences": _("Competences demonstrated"),
                "level": _("level"),
                "trainers": _("Trainers"),
                "issued_on": _("Issued on"),
                "expires_on": _("Valid until"),
                "number": _("Certificate number"),
                "verify": _("Verify at"),
            }
    return _LABELS[key]


def pdf_context(values: dict[str, Any]) -> dict[str, Any]:
    """The template variables (see :data:`certificates.pdf.VARIABLES`) of a certificate's values."""
    language = values.get("language") or "uk"
    labels = _labels(language)
    issued_on = pdf.formatted(values["issued_on"], language)
    expires_on = pdf.formatted(values.get("expires_on"), language)
    url = verify_url(values["number"])
    return {
        "language": language,
        "number": values["number"],
        "holder": values["holder_name"],
        "holder_latin": values["holder_name_latin"],
        "job": values["holder_job"],
        "organisation": values["holder_organisation"],
        "hub": values["holder_hub"],
        "region": values["holder_region"],
        "course": Translated(values["course_title"]).in_locale(language),
        "course_code": values["course_code"],
        "hours": _hours(values["course_hours"]),
        "credits": _hours(values["course_ects"]),
        "competences": values["competences"],
        "cohort": values["cohort_title"],
        "trainers": values["trainers"],
        "issuer": values["issuer"],
        "issued_on": issued_on,
        "expires_on": expires_on,
        "verify_url": url,
        "qr": pdf.qr_data_uri(url),
        "labels": labels,
    }


def sample_values(course: Course | None = None) -> dict[str, Any]:
    """Made-up values for previewing a template."""
    today = utcnow().date()
    title = Translated(dict(course.title)) if course is not None else Translated({"uk": "Назва курсу"})
    return {
        "number": numbers.new_number(),
        "holder_name": "Ґудзь Марʼяна Євгенівна",
        "holder_name_latin": transliterate("Ґудзь Марʼяна Євгенівна"),
        "holder_job": "Координаторка хабу",
        "holder_organisation": "Бібліотека № 3",
        "holder_hub": "Бібліотека № 3",
        "holder_region": "Житомирська область",
        "course_code": course.code if course is not None else "COURSE",
        "course_title": title,
        "course_hours": course.hours if course is not None else 30,
        "course_ects": course.ects if course is not None else 1,
        "competences": [
            {"framework": "DIGCOMP-2.2", "idnumber": "1.1", "name": "Перегляд і пошук даних", "level": 4}
        ],
        "cohort_title": "Житомир, весна 2026",
        "trainers": ["Їжакевич Юлія", "Päivi Åström"],
        "issuer": "Міністерство цифрової трансформації України",
        "issued_on": today,
        "expires_on": add_months(today, 36),
        "language": (course.language if course is not None else None) or "uk",
    }


def render_values(values: dict[str, Any], course: Course | None) -> bytes:
    return pdf.render(template_source(course), pdf_context(values))


# --- issuing ----------------------------------------------------------------------------------------


def current_certificate(user: User, course: Course, cohort: Cohort | None = None) -> Certificate | None:
    """The valid (possibly expired) certificate of ``user`` for ``course`` in ``cohort``."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user.id,
            Certificate.course_id == course.id,
            Certificate.cohort_key == (cohort.id if cohort is not None else 0),
            Certificate.status == Status.VALID.value,
        )
    )


def _unused_number() -> str:
    while True:
        number = numbers.new_number()
        if db.session.scalar(select(Certificate.id).where(Certificate.number == number)) is None:
            return number


@dataclass(frozen=True)
class Issued:
    certificate: Certificate
    created: bool  # False: there already was one, and nothing changed


def issue(
    user: User,
    course: Course,
    cohort: Cohort | None = None,
    *,
    source: Source = Source.COMPLETION,
    reason: str = "",
    actor: User | None = None,
    values: dict[str, Any] | None = None,
    rendered: bytes | None = None,
) -> Issued:
    """Issue ``user``'s certificate for ``course`` (in ``cohort``), unless she already holds a valid
    one: then that one is returned and nothing changes. The database's unique index decides between
    two issues at once: the loser's insert does nothing. ``values`` override the snapshot (a number
    included); ``rendered`` is the PDF already made of them (by :func:`certificates.bulk.render_many`)."""
    existing = current_certificate(user, course, cohort)
    if existing is not None:
        return Issued(existing, False)
    today = utcnow().date()
    setting = setting_of(course)
    values = {
        **snapshot(user, course, cohort),
        "issued_on": today,
        "expires_on": add_months(today, setting.valid_months) if setting.valid_months else None,
        "number": _unused_number(),
        **(values or {}),
    }
    template = template_source(course)
    body = rendered if rendered is not None else pdf.render(template, pdf_context(values))
    row = {
        **values,
        "user_id": user.id,
        "course_id": course.id,
        "cohort_id": cohort.id if cohort is not None else None,
        "cohort_key": cohort.id if cohort is not None else 0,
        "status": Status.VALID.value,
        "source": source.value,
        "reason": reason,
        "issued_at": utcnow(),
        "issued_by_id": actor.id if actor is not None else None,
        "pdf": body,
        "pdf_sha256": hashlib.sha256(body).hexdigest(),
        "rendered_with": version_of(template),
    }
    db.session.flush()
    table = Certificate.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(**row)
        .on_conflict_do_nothing(
            # The partial index's own predicate, as a literal: with a bound value PostgreSQL cannot match
            # the index once psycopg prepares the statement (from its 5th run on a connection).
            index_elements=["user_id", "course_id", "cohort_key"],
            index_where=text("status = 'valid'"),
        )
        .returning(table.c.id)
    )
    new_id = db.session.execute(statement).scalar()
    if new_id is None:  # someone else issued it a moment ago
        winner = current_certificate(user, course, cohort)
        assert winner is not None
        return Issued(winner, False)
    certificate = db.session.get(Certificate, new_id)
    assert certificate is not None
    monitoring.record_issue(certificate)
    record(
        "certificate.issued",
        certificate,
        certificate.holder_path,
        actor=actor,
        number=certificate.number,
        course=course.code,
        cohort=certificate.cohort_id,
        source=source.value,
        reason=reason,
    )
    return Issued(certificate, True)


def issue_manually(user: User, course: Course, reason: str, actor: User | None) -> Issued:
    """An admin's issue, outside any cohort, with a written reason."""
    if not reason.strip():
        raise CertificateError(_("Say why the certificate is issued by hand."))
    return issue(user, course, None, source=Source.MANUAL, reason=reason.strip(), actor=actor)


def on_course_completed(sender: Any, enrolment: Any = None, cohort: Any = None, **extra: Any) -> None:
    """``courses.course-completed``: issue at once when the course is set to issue on completion."""
    if cohort is None or enrolment is None:
        return
    if setting_of(enrolment.course).issue_on == IssueOn.COMPLETION:
        issue(enrolment.user, enrolment.course, cohort, source=Source.COMPLETION)


def on_cohort_closed(sender: Any, cohort: Any = None, closed_by: Any = None, **extra: Any) -> None:
    """``courses.cohort-closed``: issue to every member who completed, when the course is set so."""
    from courses.cohorts.models import MemberStatus

    if cohort is None or setting_of(cohort.course).issue_on != IssueOn.COHORT_CLOSED:
        return
    for member in cohort.members:
        if member.status == MemberStatus.COMPLETED:
            issue(member.user, cohort.course, cohort, source=Source.COHORT_CLOSED, actor=closed_by)


# --- status changes -------------------------------------------------------------------------------


def revoke(certificate: Certificate, reason: str, actor: User | None) -> None:
    """Revoke: the record stays, with the date and the reason, and verification says so."""
    if not reason.strip():
        raise CertificateError(_("Say why the certificate is revoked."))
    if certificate.status != Status.VALID:
        raise CertificateError(_("Only a valid certificate can be revoked."))
    certificate.status = Status.REVOKED.value
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = actor.id if actor is not None else None
    certificate.revoke_reason = reason.strip()
    db.session.flush()
    monitoring.record_revocation(certificate, certificate.revoked_at.date())
    record(
        "certificate.revoked",
        certificate,
        certificate.holder_path,
        actor=actor,
        number=certificate.number,
        reason=certificate.revoke_reason,
    )
    _review_licences(certificate.user)


def reissue(certificate: Certificate, reason: str, actor: User | None) -> Certificate:
    """Correct a certificate (the holder's name changed): a new number with today's snapshot of the
    holder, the old one superseded and pointing at it. Course, cohort and dates stay."""
    if not reason.strip():
        raise CertificateError(_("Say why the certificate is issued again."))
    if certificate.status != Status.VALID:
        raise CertificateError(_("Only a valid certificate can be issued again."))
    certificate.status = Status.SUPERSEDED.value
    db.session.flush()
    holder = {
        key: value
        for key, value in snapshot(certificate.user, certificate.course, None).items()
        if key.startswith("holder_")
    }
    kept = {
        key: getattr(certificate, key)
        for key in (
            "course_code",
            "course_title",
            "course_hours",
            "course_ects",
            "course_version",
            "competences",
            "cohort_title",
            "trainers",
            "issuer",
            "language",
            "issued_on",
            "expires_on",
        )
    }
    cohort = _cohort(certificate.cohort_id)
    issued = issue(
        certificate.user,
        certificate.course,
        cohort,
        source=Source.REISSUE,
        reason=reason.strip(),
        actor=actor,
        values={**holder, **kept},
    )
    new = issued.certificate
    certificate.superseded_by_id = new.id
    db.session.flush()
    monitoring.record_correction(certificate, new)
    record(
        "certificate.superseded",
        certificate,
        certificate.holder_path,
        actor=actor,
        number=certificate.number,
        superseded_by=new.number,
        reason=reason.strip(),
    )
    return new


def _cohort(cohort_id: int | None) -> Cohort | None:
    from courses.cohorts.models import Cohort

    return db.session.get(Cohort, cohort_id) if cohort_id is not None else None


# --- lookups --------------------------------------------------------------------------------------


def by_number(number: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def certificates_of(user: User) -> list[Certificate]:
    query = select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_at.desc())
    return list(db.session.scalars(query))


def public_record(certificate: Certificate, today: date | None = None) -> dict[str, Any]:
    """What the API and the verification page tell anyone about a certificate."""
    today = today or utcnow().date()
    return {
        "number": certificate.number,
        "status": certificate.status_on(today).value,
        "holder": certificate.holder_name,
        "course": Translated(certificate.course_title).in_locale(certificate.language),
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat() if certificate.expires_on else None,
        "issuer": certificate.issuer,
        "superseded_by": certificate.superseded_by.number if certificate.superseded_by else None,
    }


def licence_rule(person: User, course: Course) -> bool | None:
    """The trainer licence comes from valid certificates: for a course that some course qualifies
    trainers for, a valid (unexpired) certificate of a qualifying course gives it and its absence
    (never issued, revoked, expired, superseded without a valid successor) refuses it. No opinion on
    courses nothing qualifies trainers for."""
    from courses.cohorts.licences import qualifying_course_ids

    qualifying = qualifying_course_ids(course)
    if not qualifying:
        return None
    query = select(Certificate.id).where(
        Certificate.user_id == person.id,
        Certificate.course_id.in_(qualifying),
        Certificate.status == Status.VALID.value,
        (Certificate.expires_on.is_(None)) | (Certificate.expires_on >= utcnow().date()),
    )
    return db.session.scalar(query.limit(1)) is not None


def _review_licences(person: User) -> None:
    """Flag the open cohorts ``person`` trains when her licence went with this certificate."""
    from courses.cohorts.licences import review_trainer

    review_trainer(person)


def holds_valid_certificate(user: User, courses: list[Course], today: date | None = None) -> bool:
    """Does ``user`` hold a valid, unexpired certificate of one of ``courses``?"""
    today = today or utcnow().date()
    if not courses:
        return False
    query = select(Certificate.id).where(
        Certificate.user_id == user.id,
        Certificate.course_id.in_([course.id for course in courses]),
        Certificate.status == Status.VALID.value,
        (Certificate.expires_on.is_(None)) | (Certificate.expires_on >= today),
    )
    return db.session.scalar(query.limit(1)) is not None
