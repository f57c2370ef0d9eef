"""The quizzes' figures on the monitoring dashboard, through the core's registries: the pass rate of
the quiz attempts graded in a period, the share of assessed competences below the minimum, and the
competence-gap heat map (competence × region).

A learner counts where her home organisation is (the viewer's scope, the chosen region). "Assessed"
means: by the period's end she had a graded attempt of a quiz that tests the competence, and her
minimum profile (through her job) requires a level of it. She is "below the minimum" when the highest
level she had demonstrated by the period's end is lower than the required one. One SQL statement per
figure, grouped in the database; no loops over people.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, select

from courses.frameworks.models import Competence, ProfileRequirement, job_profile
from courses.quizzes.models import Attempt, CompetenceLevel, QuizCompetence
from lms.accounts.models import User
from lms.extensions import db
from lms.monitoring.aggregates import region_rows, within
from lms.orgs.models import Kind, Organisation
from lms.plugins import HeatCell, HeatMapData, add_heat_map, add_indicator

USER, HOME, ATTEMPT = User.__table__.c, Organisation.__table__.alias("home"), Attempt.__table__.c
REQUIREMENT, LEVEL, TESTED = (
    ProfileRequirement.__table__.c,
    CompetenceLevel.__table__.c,
    QuizCompetence.__table__.c,
)


def _bounds(filters: Any) -> tuple[datetime, datetime]:
    """The period as [start, end) in UTC datetimes."""
    start = datetime.combine(filters.period.start, time())
    return start, datetime.combine(filters.period.end + timedelta(days=1), time())


def quiz_pass_rate(filters: Any) -> float | None:
    """Of the attempts graded that finished in the period, the share that passed."""
    start, end = _bounds(filters)
    query = (
        select(func.count(), func.count(case((ATTEMPT.passed.is_(True), 1))))
        .select_from(
            Attempt.__table__.join(User.__table__, USER.id == ATTEMPT.user_id).join(
                HOME, HOME.c.id == USER.organisation_id
            )
        )
        .where(
            within(filters, HOME.c.path),
            ATTEMPT.score.is_not(None),
            ATTEMPT.finished_at >= start,
            ATTEMPT.finished_at < end,
        )
    )
    graded, passed = db.session.execute(query).one()
    return passed / graded if graded else None


def _assessed(filters: Any) -> tuple[Any, Any, Any]:
    """The FROM and WHERE of (learner, required competence) pairs assessed by the period's end, and
    the "below the minimum" flag of a pair."""
    _start, end = _bounds(filters)
    # From the people with a graded attempt by then, not from everyone with a job.
    graded = (
        select(ATTEMPT.user_id).where(ATTEMPT.score.is_not(None), ATTEMPT.finished_at < end).distinct()
    ).subquery("graded")
    joined = (
        graded.join(User.__table__, USER.id == graded.c.user_id)
        .join(HOME, HOME.c.id == USER.organisation_id)
        .join(job_profile, job_profile.c.job_id == USER.job_id)
        .join(ProfileRequirement.__table__, REQUIREMENT.profile_id == job_profile.c.profile_id)
    )
    tested = exists().where(
        ATTEMPT.user_id == USER.id,
        ATTEMPT.score.is_not(None),
        ATTEMPT.finished_at < end,
        TESTED.quiz_id == ATTEMPT.quiz_id,
        TESTED.competence_id == REQUIREMENT.competence_id,
    )
    reached = exists().where(
        LEVEL.user_id == USER.id,
        LEVEL.competence_id == REQUIREMENT.competence_id,
        LEVEL.level >= REQUIREMENT.level,
        LEVEL.demonstrated_at < end,
    )
    where = and_(within(filters, HOME.c.path), USER.is_active.is_(True), tested)
    return joined, where, case((~reached, 1))


def below_minimum(filters: Any) -> float | None:
    """Of the assessed (learner, competence) pairs, the share below the required level."""
    joined, where, below = _assessed(filters)
    total, count = db.session.execute(
        select(func.count(), func.count(below)).select_from(joined).where(where)
    ).one()
    return count / total if total else None


def competence_gaps(filters: Any) -> HeatMapData:
    """Per competence (rows) and region (columns): assessed learners below the minimum, of all
    assessed; only the competences and regions where someone was assessed."""
    regions = region_rows(filters)
    if not regions:
        return HeatMapData([], [], {})
    joined, where, below = _assessed(filters)
    region = Organisation.__table__.alias("region")
    joined = joined.join(
        region, and_(region.c.kind == Kind.REGION.value, HOME.c.path.startswith(region.c.path))
    )
    query = (
        select(REQUIREMENT.competence_id, region.c.id, func.count(), func.count(below))
        .select_from(joined)
        .where(where, region.c.id.in_([region_.id for region_ in regions]))
        .group_by(REQUIREMENT.competence_id, region.c.id)
    )
    cells = {
        (competence_id, region_id): HeatCell(count, total)
        for competence_id, region_id, total, count in db.session.execute(query)
    }
    shown = {competence_id for competence_id, _region in cells}
    counted = {region_id for _competence, region_id in cells}
    competences = db.session.scalars(
        select(Competence)
        .where(Competence.id.in_(shown))
        .order_by(Competence.framework_id, Competence.path, Competence.id)
    )
    return HeatMapData(
        rows=[(competence.id, str(competence)) for competence in competences],
        # Regions with nobody assessed would only add empty columns.
        columns=[(region_.id, str(region_.name)) for region_ in regions if region_.id in counted],
        cells=cells,
    )


def install(app: Flask) -> None:
    add_indicator(
        app, "quizzes.pass-rate", _l("Quiz pass rate"), quiz_pass_rate, by_period=True, unit="share"
    )
    add_indicator(
        app,
        "quizzes.below-minimum",
        _l("Assessed competences below the minimum"),
        below_minimum,
        by_period=True,
        unit="share",
    )
    add_heat_map(
        app,
        "quizzes.competence-gaps",
        _l("Competence gaps: learners below the minimum"),
        _l(
            "For each competence and region, the share of assessed learners whose highest level "
            "demonstrated by the end of the period is below the level their minimum profile requires."
        ),
        competence_gaps,
        rows_label=_l("Competence"),
    )
