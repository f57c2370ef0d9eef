"""``/api/v1``: the indicators and the certificates behind them, for a person's API token, within what
that person may see; and the token pages on the person's own profile."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from lms.api import tokens
from lms.api.openapi import document
from lms.extensions import csrf, db
from lms.monitoring import aggregates
from lms.monitoring.aggregates import GROUPS, SOURCES, Filters
from lms.monitoring.models import ApiToken, CertificateFact, ExternalCertificate, Source, fact_target_group
from lms.monitoring.periods import Period
from lms.orgs.models import Kind, Organisation
from lms.permissions import scope
from lms.plugins import registry

bp = Blueprint("api", __name__)
MAX_PAGE = 500


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name of the token"),
        validators=[DataRequired(_l("This field is required.")), Length(max=100)],
        description=_l("What the token is for, e.g. the regional spreadsheet."),
    )


# --- the person's own tokens -----------------------------------------------------------------------


@bp.route("/profile/api-tokens", methods=["GET", "POST"])
@login_required
def token_list() -> Any:
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        _row, new_token = tokens.create_token(current_user._get_current_object(), form.name.data or "")
        db.session.commit()
        form = TokenForm(formdata=None)
    return render_template(
        "monitoring/api_tokens.html",
        form=form,
        new_token=new_token,
        rows=tokens.tokens_of(current_user._get_current_object()),
        may_monitor=bool(scope(current_user, "monitoring.view").paths),
    )


@bp.post("/profile/api-tokens/<int:token_id>/revoke")
@login_required
def token_revoke(token_id: int) -> Any:
    row = db.get_or_404(ApiToken, token_id)
    if row.user_id != current_user.id:
        abort(404)
    tokens.revoke_token(row)
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("api.token_list"))


# --- the API ---------------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Any:
    response = jsonify(error=error.error, message=error.message)
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="kaskad"'
    return response


def _viewer_scope() -> Any:
    user = tokens.user_for(request.headers.get("Authorization"))
    if user is None:
        raise ApiError(401, "unauthorized", "Send a valid API token: Authorization: Bearer ksk_…")
    g.api_user = user
    where = scope(user, "monitoring.view")
    if not (where.paths or where.is_everything):
        raise ApiError(403, "forbidden", "This token's owner may not see monitoring figures.")
    return where


def _filters() -> Filters:
    where = _viewer_scope()
    args = request.args
    try:
        period = Period.parse(args["period"]) if args.get("period") else Period.containing(date.today())
    except ValueError as problem:
        raise ApiError(400, "bad_period", str(problem)) from problem
    source = args.get("source", "all")
    if source not in SOURCES:
        raise ApiError(400, "bad_source", "source must be kaskad, external or all.")
    region_id = None
    if args.get("region"):
        region_id = db.session.scalar(
            select(Organisation.id).where(
                Organisation.code == args["region"], Organisation.kind == Kind.REGION
            )
        )
        if region_id is None:
            raise ApiError(400, "bad_region", "There is no region with this code.")
    as_of = None
    if args.get("as_of"):
        try:
            as_of = date.fromisoformat(args["as_of"])
        except ValueError as problem:
            raise ApiError(400, "bad_date", "as_of must be a date: 2026-09-30.") from problem
    return Filters(
        where, period, source, region_id, args.get("course") or None, args.get("target_group") or None, as_of
    )


def _page() -> tuple[int, int]:
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(
            MAX_PAGE, max(1, int(request.args.get("per_page", current_app.config["LMS_PAGE_SIZE"])))
        )
    except ValueError as problem:
        raise ApiError(400, "bad_page", "page and per_page must be whole numbers.") from problem
    return page, per_page


@bp.get("/api/v1/indicators")
@csrf.exempt
def indicators() -> Any:
    filters = _filters()
    group_by = [name.strip() for name in request.args.get("group_by", "").split(",") if name.strip()]
    unknown = [name for name in group_by if name not in GROUPS]
    if unknown or len(group_by) > 3 or len(set(group_by)) != len(group_by):
        raise ApiError(400, "bad_group_by", f"group_by takes up to three of: {', '.join(GROUPS)}.")
    figures = [
        {
            "name": indicator.name,
            "label": str(indicator.label),
            "unit": indicator.unit,
            "value": indicator.value(filters),
        }
        for indicator in registry().indicators.values()
    ]
    body: dict[str, Any] = {
        "period": filters.period.as_json(),
        "as_of": filters.on().isoformat(),
        "source": filters.source,
        "counting_rule": str(aggregates.COUNTING_RULE),
        "indicators": figures,
        "total": aggregates.count_certificates(filters),
    }
    if group_by:
        body["group_by"] = group_by
        body["groups"] = aggregates.grouped(filters, group_by)
    return jsonify(body)


@bp.get("/api/v1/certificates")
@csrf.exempt
def certificates() -> Any:
    """The counted certificates behind the figures, newest first, a page at a time."""
    filters = _filters()
    dimension = request.args.get("by")
    key: Any = request.args.get("key")
    if dimension is not None and dimension not in aggregates.DIMENSIONS:
        raise ApiError(400, "bad_by", f"by takes one of: {', '.join(aggregates.DIMENSIONS)}.")
    if dimension in ("region", "institution", "hub") and key:
        key = db.session.scalar(select(Organisation.id).where(Organisation.code == key)) or -1
    elif dimension == "quarter" and key:
        try:
            key = Period.parse(key).key
        except ValueError as problem:
            raise ApiError(400, "bad_key", str(problem)) from problem
    page, per_page = _page()
    query = aggregates.fact_rows(filters, dimension, key)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    items: list[CertificateFact] = list(result.items)
    return jsonify(
        {
            "page": page,
            "per_page": per_page,
            "total": result.total,
            "pages": result.pages,
            "items": _items(items),
        }
    )


def _items(items: list[CertificateFact]) -> list[dict[str, Any]]:
    from lms.accounts.models import User

    people = {
        user.id: user.full_name
        for user in db.session.scalars(
            select(User).where(User.id.in_({f.person_id for f in items if f.person_id}))
        )
    }
    records = {
        record.id: record
        for record in db.session.scalars(
            select(ExternalCertificate).where(
                ExternalCertificate.id.in_({f.source_id for f in items if f.source == Source.EXTERNAL})
            )
        )
    }
    org_ids = {i for f in items for i in (f.region_id, f.institution_id, f.hub_id) if i}
    codes = dict(
        db.session.execute(
            select(Organisation.id, Organisation.code).where(Organisation.id.in_(org_ids))
        ).all()
    )
    groups: dict[int, list[str]] = {}
    for fact_id, code in db.session.execute(
        select(fact_target_group.c.fact_id, fact_target_group.c.target_group)
        .where(fact_target_group.c.fact_id.in_([f.id for f in items]))
        .order_by(fact_target_group.c.target_group)
    ):
        groups.setdefault(fact_id, []).append(code)
    out = []
    for fact in items:
        record = records.get(fact.source_id) if fact.source == Source.EXTERNAL else None
        out.append(
            {
                "id": fact.id,
                "source": fact.source,
                "name": record.full_name if record else people.get(fact.person_id or 0),
                "reference": f"{record.source_label} {record.reference}" if record else None,
                "course_code": fact.course_code or None,
                "course_title": fact.course_title or None,
                "issued_on": fact.issued_on.isoformat(),
                "revoked_on": fact.revoked_on.isoformat() if fact.revoked_on else None,
                "region": codes.get(fact.region_id or 0),
                "institution": codes.get(fact.institution_id or 0),
                "hub": codes.get(fact.hub_id or 0),
                "target_groups": groups.get(fact.id, []),
            }
        )
    return out


@bp.get("/api/v1/openapi.json")
def openapi() -> Any:
    return jsonify(document())
