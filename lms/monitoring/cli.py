"""``lms reports …``: the report presets from the command line (national scope)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from lms.monitoring.aggregates import Filters
from lms.monitoring.periods import Period
from lms.permissions import Scope

reports_group = click.Group("reports", help="Monitoring reports.")


@reports_group.command("quarterly")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--quarter", type=click.IntRange(1, 4), required=True)
@click.option("--format", "format_", type=click.Choice(["csv", "xlsx", "pdf"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.option("--region", "region_code", help="Code of one region (default: every region).")
@click.option("--source", type=click.Choice(["kaskad", "external", "all"]), default="all", show_default=True)
@with_appcontext
def quarterly(
    year: int, quarter: int, format_: str, output: Path, region_code: str | None, source: str
) -> None:
    """Quarterly information on digital literacy: certificates by region and target group.

    The CSV has one row per (region, target group): region_code, target_group, certificates; and a
    row per region with target_group * for its de-duplicated total."""
    from lms.monitoring import reports
    from lms.orgs.models import Kind
    from lms.orgs.services import by_code

    region_id = None
    if region_code:
        region = by_code(region_code)
        if region is None or region.kind != Kind.REGION:
            raise click.ClickException(f"There is no region with the code {region_code}.")
        region_id = region.id
    filters = Filters(Scope((), is_everything=True), Period.quarter(year, quarter), source, region_id)
    content = reports.quarterly(filters, rows_by="region")
    data, _mime = reports.export(content, format_)
    output.write_bytes(data)
    click.echo(
        f"Wrote {output} ({len(content['rows'])} regions, {content['total']['*']} certificates, "
        f"source {source}, as of {content['as_of']})."
    )
