"""``lms plans …``: regional action plans from the command line (national scope)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.extensions import db

plans_group = click.Group("plans", help="Regional action plans.")


@plans_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--code", required=True, help="The new plan's code, e.g. ZHY-2021-2025.")
@click.option("--owner", "owner_code", required=True, help="Code of the owner organisation (a region).")
@click.option("--title", required=True, help="The plan's title.")
@with_appcontext
def plans_import(path: Path, code: str, owner_code: str, title: str) -> None:
    """Import a plan from a CSV or XLSX file laid out like the decree's table (all rows or none).

    Years come from the code or title («2021-2025»), else from the actions' terms."""
    from lms.cli import refuse_import
    from lms.orgs.services import by_code
    from lms.plans.importer import PlanImporter, summary

    owner = by_code(owner_code)
    if owner is None:
        raise click.ClickException(f"There is no organisation with the code {owner_code}.")
    importer = PlanImporter(code, title, owner)
    checked = importer.read(path.read_bytes())
    if checked.errors:
        refuse_import(checked.errors, path)
    plan = importer.apply(checked)
    db.session.commit()
    facts = summary(checked, importer)
    click.echo(
        f"Imported plan {plan.code} ({plan.start_year}-{plan.end_year}, owner {owner.code}): "
        f"{facts['actions']} actions, {facts['indicators']} indicators ({facts['computed']} computed)."
    )
    for action in plan.actions:
        kinds = ", ".join(indicator.kind for indicator in action.indicators) or "no indicator"
        click.echo(f"  {action.number}. {action.name[:70]} [{kinds}; {len(action.executors)} executors]")
    for name in facts["new_executors"]:
        click.echo(f"  new institution: {name}")
    if facts["ignored"]:
        click.echo(f"  columns not read: {', '.join(facts['ignored'])}")


@plans_group.command("report")
@click.argument("code")
@click.option("--period", required=True, help="A half-year (2026-H1, 2026-H2) or a quarter (2026-Q3).")
@click.option("--format", "export_format", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv")
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
@with_appcontext
def plans_report(code: str, period: str, export_format: str, output: Path) -> None:
    """Write the execution report of plan CODE for a period: the whole plan, as it stands now (the
    values of a closed round are those kept at its close)."""
    from lms.plans import report, services

    plan = services.by_code(code)
    if plan is None:
        raise click.ClickException(f"There is no plan with the code {code}.")
    try:
        chosen = report.parse_period(period)
    except report.PeriodError as error:
        raise click.ClickException(str(error)) from error
    content = report.build(plan, chosen)
    data, _mime = report.export(content, export_format)
    output.write_bytes(data)
    state = "provisional, round not closed" if content["provisional"] else "round closed"
    click.echo(f"Wrote {output} ({export_format}, {len(content['rows'])} rows, {chosen.code}: {state}).")
