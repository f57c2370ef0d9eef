"""Signals of the courses plugin. The sender is always the app; connect with ``sender=app``."""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

item_completed = signals.signal(
    "courses.item-completed", doc="A learner completed an item. Kwargs: enrolment, item."
)
module_completed = signals.signal(
    "courses.module-completed",
    doc="A learner completed every required item of a module. Kwargs: enrolment, module.",
)
course_completed = signals.signal(
    "courses.course-completed",
    doc="""A learner completed a course. Kwargs: enrolment; cohort and member (a
    ``courses.cohorts.models.CohortMember``) when she completed it in a cohort, else None. Outside a
    cohort it is sent when every required item is done (quizzes included); in a cohort, when she meets
    the course's completion rule there (items, quizzes, attendance) or an admin records the completion,
    and at most once per member.""",
)
cohort_closed = signals.signal(
    "courses.cohort-closed",
    doc="A trainer or manager closed a cohort (sent once). Kwargs: cohort, closed_by (a User or None).",
)
