"""Cohorts and the cascade: cohorts of a course, enrolment, sessions and attendance, trainer licences,
completion and the gradebook, and the lineage of who trained whom."""
