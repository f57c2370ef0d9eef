"""Demo data of the courses plugin: the two shipped courses, and enrolments for the demo people."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from courses.services import by_code, enrol
from lms.accounts.models import User

CONTENT = Path(__file__).parent / "content"
# (package folder, course code); the trainer-of-trainers course qualifies for the coordinator course.
SHIPPED = (("hub-coordinator", "DEH-COORD"), ("tot-regional-centres", "TOT-RTC"))
# Regional trainers take the training of trainers (a course by enrolment only).
TOT_LEARNERS = ("trainer.zhytomyr@kaskad.demo", "trainer.lviv@kaskad.demo")


def load_demo() -> None:
    """Load the shipped competence frameworks, import the shipped courses that are not installed yet,
    and enrol the regional trainers."""
    from courses.frameworks.services import load_shipped
    from courses.packages import import_packages

    load_shipped()  # first: the courses' modules and items are tagged with its competences
    missing = [CONTENT / folder for folder, code in SHIPPED if by_code(code) is None]
    if missing:
        import_packages(missing)
    course = by_code("TOT-RTC")
    if course is None:
        return
    for user in db_users(TOT_LEARNERS):
        enrol(user, course)


def db_users(emails: tuple[str, ...]) -> list[User]:
    from lms.extensions import db

    return list(db.session.scalars(select(User).where(User.email_casefold.in_(emails))))
