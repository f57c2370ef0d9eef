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
    doc="A learner completed every required item of a course (quizzes included). Kwargs: enrolment.",
)
