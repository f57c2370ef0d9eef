"""``lms cohorts``, ``lms licences`` and ``lms lineage``: the cascade from the command line."""

from __future__ import annotations

import click

cohorts_group = click.Group("cohorts", help="Cohorts: create, enrol, complete, close, show.")
licences_group = click.Group("licences", help="Trainer licences: grant one by hand, with a reason.")
