"""What the courses plugin puts on a person's home page: where a learner resumes, and the essays a
trainer has to grade (the cohorts part adds its sessions: ``courses/cohorts/home.py``)."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from courses import services
from courses.models import Course, Enrolment, Status
from lms.extensions import db
from lms.permissions import scope
from lms.plugins import HomeEntry, add_home_section

RESUME_LIMIT = 5  # courses listed under "where to resume"


def resume_entries(user: Any) -> list[HomeEntry]:
    """The published courses ``user`` is enrolled in and has not completed, latest enrolment first,
    each with the item she resumes at."""
    query = (
        select(Enrolment)
        .join(Enrolment.course)
        .where(
            Enrolment.user_id == user.id,
            Enrolment.completed_at.is_(None),
            Course.status == Status.PUBLISHED,
        )
        .options(joinedload(Enrolment.course))
        .order_by(Enrolment.created_at.desc(), Enrolment.id.desc())
        .limit(RESUME_LIMIT)
    )
    entries = []
    for enrolment in db.session.scalars(query):
        course, item = enrolment.course, services.resume_item(enrolment)
        if item is None:
            entries.append(HomeEntry(str(course.title), url_for("courses.course", code=course.code)))
        else:
            url = url_for("courses.lesson", code=course.code, key=item.key)
            entries.append(HomeEntry(str(course.title), url, _("Next: %(title)s", title=str(item.title))))
    return entries


def essay_entries(user: Any) -> list[HomeEntry]:
    """One line with how many essays of her learners wait for a grade, when any do."""
    from courses.quizzes.services import count_essays_to_grade
    from courses.quizzes.views import GRADE

    count = count_essays_to_grade(scope(user, GRADE))
    if not count:
        return []
    label = ngettext("%(num)d essay waits for a grade", "%(num)d essays wait for a grade", count)
    return [HomeEntry(label, url_for("courses_quizzes.grading"))]


def install(app: Flask) -> None:
    from courses.quizzes.views import may_grade

    add_home_section(
        app,
        "courses.resume",
        _l("Where to resume"),
        resume_entries,
        lambda user: user.is_authenticated,
        order=70,
        more="courses.index",
        more_label=_l("All courses"),
    )
    add_home_section(app, "courses.essays", _l("Essays to grade"), essay_entries, may_grade, order=30)
