"""Monitoring pages: the dashboard, the certificates behind each number, external certificates,
report presets with their exports and frozen versions."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.services import target_groups
from lms.extensions import db
from lms.imports.views import add_import_routes
from lms.monitoring import aggregates, charts, external, frozen, reports
from lms.monitoring.aggregates import DIMENSION_LABELS, DIMENSIONS, SOURCES, Filters
from lms.monitoring.forms import ExternalCertificateForm
from lms.monitoring.models import (
    SOURCE_LABELS,
    CertificateFact,
    ExternalCertificate,
    FrozenReport,
    Source,
    fact_target_group,
)
from lms.monitoring.periods import Period, trailing_quarters
from lms.orgs.models import Kind, Organisation
from lms.permissions import can, require, scope
from lms.plugins import registry

bp = Blueprint("monitoring", __name__, url_prefix="/monitoring")


# --- filters ---------------------------------------------------------------------------------------


def period_choices(today: date | None = None) -> list[tuple[str, str]]:
    """Quarters, half-years and years of this year and the two before, newest first."""
    today = today or date.today()
    choices: list[tuple[str, str]] = []
    for year in range(today.year, today.year - 3, -1):
        for number in (4, 3, 2, 1):
            quarter = Period.quarter(year, number)
            if quarter.start <= today:
                choices.append((quarter.code, quarter.label()))
        for number in (2, 1):
            half = Period.half(year, number)
            if half.start <= today:
                choices.append((half.code, half.label()))
        choices.append((str(year), str(year)))
    return choices


def request_filters(action: str = "monitoring.view", source: Any = None) -> tuple[Filters, list[str]]:
    """The filters a page was asked for, within the viewer's scope; problems are shown, not raised."""
    where = scope(current_user, action)
    problems: list[str] = []
    args = source if source is not None else request.args
    period = Period.containing(date.today())
    start, end = args.get("start", "").strip(), args.get("end", "").strip()
    try:
        if start or end:
            period = Period.parse(f"{start}..{end}")
        elif args.get("period"):
            period = Period.parse(args["period"])
    except ValueError as problem:
        problems.append(str(problem))
    source = args.get("source", "all")
    if source not in SOURCES:
        source = "all"
    try:
        region_id = int(args["region"]) if args.get("region") else None
    except ValueError:
        region_id = None
    as_of = None
    if args.get("as_of"):
        try:
            as_of = date.fromisoformat(args["as_of"])
        except ValueError:
            problems.append(_("The date must be written as 2026-09-15 or 15.09.2026."))
    filters = Filters(
        where,
        period,
        source,
        region_id,
        args.get("course") or None,
        args.get("target_group") or None,
        as_of,
    )
    return filters, problems


def filter_options(filters: Filters) -> dict[str, Any]:
    regions = aggregates.region_rows(Filters(filters.scope, filters.period))
    # The courses of the chosen period only (over all time it would read every certificate): their
    # codes from the course index alone, then one title each.
    fact = CertificateFact.__table__.c
    in_period = (filters.scope.filter(fact.scope_path), aggregates.period_clause(filters.period))
    codes = select(fact.course_code).where(*in_period, fact.course_code != "").distinct().subquery("codes")
    title = (
        select(fact.course_title)
        .where(fact.course_code == codes.c.course_code, aggregates.period_clause(filters.period))
        .limit(1)
        .scalar_subquery()
    )
    courses = db.session.execute(select(codes.c.course_code, title).order_by(codes.c.course_code)).all()
    return {
        "periods": period_choices(),
        "regions": regions,
        "courses": courses,
        "groups": target_groups(),
        "sources": SOURCE_LABELS,
    }


# --- dashboard -------------------------------------------------------------------------------------


SOURCE_INDICATORS = {
    "certificates.kaskad": Source.KASKAD.value,
    "certificates.external": Source.EXTERNAL.value,
}


def headline(filters: Filters) -> list[dict[str, Any]]:
    """Every registered indicator for the period and the previous one, with the change."""
    previous = filters.with_period(filters.period.previous())
    figures = []
    for indicator in registry().indicators.values():
        now = indicator.value(filters)
        # A figure without a period (the hubs there are) has no previous period to compare with.
        before = indicator.value(previous) if indicator.by_period else None
        url = None
        if indicator.link:
            args = filters.args()
            if indicator.name in SOURCE_INDICATORS:
                args["source"] = SOURCE_INDICATORS[indicator.name]
            url = url_for(indicator.link, **args)
        figures.append(
            {
                "name": indicator.name,
                "label": indicator.label,
                "value": now,
                "previous": before,
                "change": None if before is None or now is None else now - before,
                "is_share": indicator.unit == "share",
                "url": url,
            }
        )
    return figures


def shown(value: Any, is_share: bool = False) -> str:
    if value is None:
        return "—"
    return format_percent(value, "#,##0.0%") if is_share else format_decimal(value)


@bp.get("/")
@login_required
def dashboard() -> Any:
    require("monitoring.view")
    filters, problems = request_filters()
    by = request.args.get("by", "region" if filters.scope.is_everything else "institution")
    if by not in DIMENSIONS:
        by = "region"
    rows = aggregates.breakdown(filters, by, limit=100)
    groups = aggregates.breakdown(filters, "target_group")
    total = aggregates.count_certificates(filters)
    quarters = trailing_quarters(filters.period, 8)
    trend = aggregates.trend(filters, quarters)
    coverage = aggregates.coverage(filters)
    trend_chart = charts.column_chart(
        "trend",
        _("Certificates per quarter"),
        _("Certificates counted in each of the last eight quarters; the numbers are in the table below."),
        [charts.Bar(quarter.label(), count, format_decimal(count)) for quarter, count in trend],
    )
    by_chart = charts.bar_chart(
        "by",
        _("Certificates by %(dimension)s", dimension=str(DIMENSION_LABELS[by]).lower()),
        _("The largest counts of the period; the numbers are in the table beside."),
        [charts.Bar(row.label, row.certificates, format_decimal(row.certificates)) for row in rows[:15]],
    )
    coverage_chart = charts.bar_chart(
        "coverage",
        _("Hubs with a certified coordinator"),
        _("Share of open hubs whose coordinator holds a counted certificate, per region."),
        [
            charts.Bar(row.label, row.extra["share"], format_percent(row.extra["share"], "#,##0.0%"))
            for row in coverage
        ],
    )
    share = lambda value: format_percent(value, "#,##0%")  # noqa: E731
    heat_maps = []
    for heat_map in registry().heat_maps.values():
        data = heat_map.build(filters)
        chart = charts.heat_map(
            heat_map.name.replace(".", "-"), str(heat_map.title), str(heat_map.description), data, share
        )
        heat_maps.append({"map": heat_map, "data": data, "chart": chart})
    return render_template(
        "monitoring/dashboard.html",
        heat_maps=heat_maps,
        filters=filters,
        problems=problems,
        options=filter_options(filters),
        figures=headline(filters),
        shown=shown,
        by=by,
        dimensions=DIMENSION_LABELS,
        rows=rows,
        groups=groups,
        total=total,
        trend=trend,
        coverage=coverage,
        trend_chart=trend_chart,
        by_chart=by_chart,
        coverage_chart=coverage_chart,
        rule=aggregates.COUNTING_RULE,
    )


# --- the certificates behind a number --------------------------------------------------------------


def _described(facts: list[CertificateFact]) -> list[dict[str, Any]]:
    """Who and where for a page of facts (names from the people and the external records)."""
    people = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_({f.person_id for f in facts if f.person_id}))
        )
    }
    records = {
        record.id: record
        for record in db.session.scalars(
            select(ExternalCertificate).where(
                ExternalCertificate.id.in_({f.source_id for f in facts if f.source == Source.EXTERNAL})
            )
        )
    }
    org_ids = {i for f in facts for i in (f.region_id, f.hub_id, f.institution_id) if i}
    orgs = {
        org.id: org for org in db.session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
    }
    groups: dict[int, list[str]] = {}
    for fact_id, code in db.session.execute(
        select(fact_target_group.c.fact_id, fact_target_group.c.target_group).where(
            fact_target_group.c.fact_id.in_([f.id for f in facts])
        )
    ):
        groups.setdefault(fact_id, []).append(code)
    names = aggregates.target_group_names()
    described = []
    for fact in facts:
        record = records.get(fact.source_id) if fact.source == Source.EXTERNAL else None
        person = people.get(fact.person_id) if fact.person_id else None
        place = orgs.get(fact.hub_id or fact.institution_id or 0)
        described.append(
            {
                "fact": fact,
                "name": record.full_name if record else (person.full_name if person else "—"),
                "person": person,
                "record": record,
                "source": SOURCE_LABELS[fact.source],
                "reference": (f"{record.source_label} {record.reference}" if record else ""),
                "region": orgs.get(fact.region_id or 0),
                "place": place or (record.institution_name if record else ""),
                "groups": [names.get(code, code) for code in groups.get(fact.id, [])],
            }
        )
    return described


@bp.get("/certificates")
@login_required
def certificates() -> Any:
    require("monitoring.view")
    filters, problems = request_filters()
    dimension = request.args.get("by") or None
    key = request.args.get("key")
    if dimension not in (None, *DIMENSIONS):
        dimension = None
    query = aggregates.fact_rows(filters, dimension, key)
    if request.args.get("format") == "csv":
        return _certificates_csv(query)
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    label = None
    if dimension and key is not None:
        label = aggregates.dimension_labels(dimension, [aggregates._coerce(dimension, key)]).get(
            aggregates._coerce(dimension, key), key
        )
    return render_template(
        "monitoring/certificates.html",
        filters=filters,
        problems=problems,
        page=page,
        rows=_described(list(page.items)),
        dimension=dimension,
        dimension_label=DIMENSION_LABELS.get(dimension or "", ""),
        key=key,
        key_label=label,
        rule=aggregates.COUNTING_RULE,
    )


def _certificates_csv(query: Any) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Name"),
            _("Source"),
            _("Certificate"),
            _("Course"),
            _("Date"),
            _("Region"),
            _("Organisation"),
            _("Target groups"),
        ]
    )
    batch = 1000
    offset = 0
    while True:
        facts = list(db.session.scalars(query.limit(batch).offset(offset)))
        if not facts:
            break
        for row in _described(facts):
            fact = row["fact"]
            writer.writerow(
                [
                    row["name"],
                    str(row["source"]),
                    row["reference"],
                    fact.course_title or fact.course_code,
                    fact.issued_on.isoformat(),
                    str(row["region"].code if row["region"] else ""),
                    str(row["place"] or ""),
                    " | ".join(row["groups"]),
                ]
            )
        offset += batch
    writer.writerow([str(aggregates.COUNTING_RULE)])
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="certificates.csv"'},
    )


# --- external certificates -------------------------------------------------------------------------


@bp.get("/external")
@login_required
def external_index() -> Any:
    require("monitoring.view")
    where = scope(current_user, "monitoring.view")
    query = (
        select(ExternalCertificate)
        .where(where.filter(ExternalCertificate.scope_path))
        .order_by(ExternalCertificate.issued_on.desc(), ExternalCertificate.id.desc())
    )
    search = request.args.get("q", "").strip()
    if search:
        query = query.where(
            ExternalCertificate.surname.ilike(f"%{search}%")
            | ExternalCertificate.reference.ilike(f"%{search}%")
        )
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template(
        "monitoring/external_index.html",
        page=page,
        search=search,
        may_record=bool(scope(current_user, "monitoring.record").paths),
    )


@bp.route("/external/new", methods=["GET", "POST"])
@login_required
def external_new() -> Any:
    require("monitoring.record")
    form = ExternalCertificateForm()
    form.target_groups.choices = [(group.code, str(group.name)) for group in target_groups()]
    if form.validate_on_submit():
        institution, region = form.institution.organisation, form.region.organisation
        where = scope(current_user, "monitoring.record")
        if institution is not None and institution.kind != Kind.INSTITUTION:
            form.institution.errors.append(_("This organisation is not an institution."))
        elif region is not None and region.kind != Kind.REGION:
            form.region.errors.append(_("This organisation is not a region."))
        elif institution is None and region is None:
            form.region.errors.append(_("Give an institution code or a region code."))
        else:
            from lms.monitoring.facts import region_of

            own_region = region_of(institution) if institution is not None else region
            if region is not None and own_region is not None and own_region.id != region.id:
                form.region.errors.append(_("The institution is not in that region."))
            elif not where.contains(institution or own_region):
                form.institution.errors.append(_("You may only record certificates inside your scope."))
            elif external.is_duplicate(form.source.data or "", form.reference.data or ""):
                form.reference.errors.append(
                    _("This certificate (same source and number) is already recorded.")
                )
            else:
                assert own_region is not None
                external.create_external(
                    source=form.source.data or "",
                    reference=form.reference.data or "",
                    course_title=form.course_title.data or "",
                    issued_on=form.issued_on.data,
                    surname=form.surname.data or "",
                    given_name=form.given_name.data or "",
                    patronymic=form.patronymic.data or "",
                    email=form.email.data or "",
                    position=form.position.data or "",
                    institution=institution,
                    institution_name=form.institution_name.data or "",
                    region=own_region,
                    target_groups=form.target_groups.data or [],
                    created_by=current_user._get_current_object(),
                )
                db.session.commit()
                flash(_("The external certificate has been recorded."), "success")
                return redirect(url_for("monitoring.external_index"))
    return render_template("monitoring/external_form.html", form=form)


@bp.post("/external/<int:certificate_id>/delete")
@login_required
def external_delete(certificate_id: int) -> Any:
    certificate = db.get_or_404(ExternalCertificate, certificate_id)
    require("monitoring.record")
    if not scope(current_user, "monitoring.record").contains(certificate.institution or certificate.region):
        abort(403)
    external.delete_external(certificate)
    db.session.commit()
    flash(_("The record has been deleted."), "success")
    return redirect(url_for("monitoring.external_index"))


add_import_routes(
    bp,
    "/external",
    "external-certificates",
    external.ExternalCertificateImporter,
    "monitoring.record",
    _l("Import external certificates"),
    "monitoring.external_index",
)


# --- reports ---------------------------------------------------------------------------------------


def _preset(preset: str) -> str:
    if preset not in reports.PRESETS:
        abort(404)
    return preset


@bp.get("/reports/<preset>")
@login_required
def report(preset: str) -> Any:
    require("monitoring.view")
    _preset(preset)
    filters, problems = request_filters()
    content = reports.build(preset, filters)
    export_format = request.args.get("format")
    if export_format in reports.FORMATS:
        data, mime = reports.export(content, export_format)
        return Response(
            data,
            mimetype=mime,
            headers={
                "Content-Disposition": f'attachment; filename="{reports.filename(content, export_format)}"'
            },
        )
    return render_template(
        "monitoring/report.html",
        preset=preset,
        content=content,
        filters=filters,
        problems=problems,
        options=filter_options(filters),
        versions=frozen.versions(preset, filters),
        may_freeze=can(current_user, "monitoring.freeze"),
    )


@bp.post("/reports/<preset>/freeze")
@login_required
def freeze(preset: str) -> Any:
    """Freeze the report as the page showed it (its filters come back as hidden fields)."""
    require("monitoring.freeze")
    _preset(preset)
    filters, problems = request_filters("monitoring.freeze", source=request.form)
    if problems:
        for problem in problems:
            flash(problem, "error")
        return redirect(url_for("monitoring.report", preset=preset))
    content = reports.build(preset, filters)
    report = frozen.freeze(preset, filters, content, current_user._get_current_object())
    db.session.commit()
    flash(_("Version %(number)s of the report has been frozen.", number=report.version), "success")
    return redirect(url_for("monitoring.frozen_report", report_id=report.id))


def _frozen(report_id: int) -> FrozenReport:
    report = db.get_or_404(FrozenReport, report_id)
    if report.preset not in reports.PRESETS:  # another report's frozen version (a plan's): its own pages
        abort(404)
    require("monitoring.view")
    if not frozen.may_see(report, scope(current_user, "monitoring.view")):
        abort(403)
    return report


@bp.get("/reports/frozen/<int:report_id>")
@login_required
def frozen_report(report_id: int) -> Any:
    report = _frozen(report_id)
    export_format = request.args.get("format")
    if export_format in reports.FORMATS:
        data, mime = reports.export(report.content, export_format, version=report)
        name = reports.filename(report.content, export_format, report.version)
        return Response(
            data, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )
    others = [
        other
        for other in db.session.scalars(
            select(FrozenReport).where(FrozenReport.key == report.key).order_by(FrozenReport.version.desc())
        )
    ]
    against_id = request.args.get("against", type=int)
    against = next((other for other in others if other.id == against_id), None)
    changes = frozen.differences(against.content, report.content) if against is not None else None
    return render_template(
        "monitoring/frozen.html",
        report=report,
        content=report.content,
        others=others,
        against=against,
        changes=changes,
        current_args={key: value for key, value in report.parameters.items() if key != "as_of"},
    )
