"""Monitoring fixtures: certificates of both sources written straight into the fact table."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from lms.monitoring import facts

_numbers = itertools.count(1)


@pytest.fixture
def issue(db):
    """``issue(person, on, groups, …)``: a Kaskad certificate's fact, as the certificates plugin writes it."""

    def make(person, on: date, groups=(), organisation=None, course="DEH-COORD", job="hub_coordinator", **kw):
        return facts.record_certificate(
            "kaskad",
            next(_numbers),
            on,
            person=person,
            organisation=organisation if organisation is not None else person.organisation,
            job_code=job,
            course_code=course,
            course_title=f"Курс {course}",
            target_groups=groups,
            **kw,
        )

    return make
