"""The plans' tables hold a whole reporting cycle: a plan, its actions, executors and indicators, a
round, an executor's submission with its values, and the computed values frozen at the close."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from lms.plans.models import (
    Action,
    FrozenValue,
    Indicator,
    IndicatorKind,
    Plan,
    ReportingRound,
    Submission,
    SubmissionState,
    SubmittedValue,
)


def test_a_plan_holds_actions_indicators_rounds_submissions_and_frozen_values(world, db):
    region, executor = world.orgs["r1"], world.orgs["tc@r1"]
    plan = Plan(code="P-1", title="План", owner=region, start_year=2021, end_year=2025)
    action = Action(number="1", name="Моніторинг", term="2021-2025", position=1, executors=[executor])
    computed = Indicator(
        text="Кількість отриманих сертифікатів",
        kind=IndicatorKind.COMPUTED,
        registry_key="certificates.all",
        filters={"target_groups": ["civil_servants"], "region": "owner"},
        targets={"2025": 120},
    )
    reported = Indicator(text="Кількість проведених курсів", position=1)
    action.indicators = [computed, reported]
    plan.actions.append(action)
    db.session.add(plan)
    db.session.flush()
    round_ = ReportingRound(plan=plan, period="2026-H1", deadline=date(2026, 7, 15))
    submission = Submission(round=round_, organisation=executor)
    submission.values.append(SubmittedValue(indicator=reported, value=3, note="Три курси"))
    round_.frozen_values.append(FrozenValue(indicator=computed, value=42))
    db.session.add_all([round_, submission])
    db.session.commit()

    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    assert [str(a) for a in plan.actions] == ["1. Моніторинг"]
    assert plan.actions[0].executors == [executor]
    assert [i.kind for i in plan.actions[0].indicators] == ["computed", "reported"]
    assert plan.actions[0].indicators[0].target_for(2025) == 120
    assert plan.actions[0].indicators[0].target_for(2024) is None
    assert plan.years == [2021, 2022, 2023, 2024, 2025]
    (kept,) = plan.rounds
    assert kept.is_open and kept.submissions[0].state == SubmissionState.DRAFT
    assert kept.submissions[0].values[0].value == 3
    assert kept.frozen_values[0].value == 42


def test_action_numbers_are_unique_within_a_plan(world, db):
    region = world.orgs["r1"]
    plan = Plan(code="P-2", title="План", owner=region, start_year=2021, end_year=2025)
    plan.actions = [Action(number="1", name="A", position=1), Action(number="1", name="B", position=2)]
    db.session.add(plan)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
