"""The audit log page, filtered to the viewer's scope."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.extensions import db
from lms.permissions import require, scope

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@login_required
def index() -> Any:
    require("audit.view")
    where = scope(current_user, "audit.view")
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if not where.is_everything:
        query = query.where(where.filter(AuditEntry.scope_path))
    page = db.paginate(query, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template("audit/index.html", page=page)
