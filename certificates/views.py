"""Certificate pages: a learner's certificates and their downloads; the public verification page and
API (no login, rate-limited per address)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user, login_required

from certificates import access, numbers, services
from certificates.models import Certificate, Status
from lms.extensions import limiter

bp = Blueprint("certificates", __name__, url_prefix="/certificates", template_folder="templates")
public = Blueprint("certificates_public", __name__, template_folder="templates")


@bp.app_template_filter("certificate_day")
def certificate_day(value: Any) -> str:
    """A date (or a UTC timestamp, in the viewer's zone) in the viewer's locale, e.g. 3 грудня 2026 р."""
    return format_date(value, "long") if value else ""


def _verify_limit() -> str:
    return str(current_app.config["CERTIFICATES_VERIFY_LIMIT"])


def verify_limit(view: Any) -> Any:
    """One budget per address for the page, the form and the API together: a shared limit, checked
    when the view is called as :func:`lms.extensions.limit` checks its limits (auto_check is off)."""
    shared = limiter.shared_limit(_verify_limit, scope="certificates-verify")(view)

    @wraps(shared)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not request.environ.get("lms.limits_checked"):
            request.environ["lms.limits_checked"] = True
            limiter.check()
        return shared(*args, **kwargs)

    return checked


def certificate_or_abort(number: str, check: Any) -> Certificate:
    """The certificate of ``number`` for the current user: 404 when there is none, 401/403 when
    ``check(user, certificate)`` says no."""
    parsed = numbers.parse(number)
    certificate = services.by_number(parsed.number) if parsed.number else None
    if certificate is None:
        abort(404)
    if not current_user.is_authenticated:
        abort(401)
    if not check(current_user, certificate):
        abort(403)
    return certificate


def _may_download(user: Any, certificate: Certificate) -> bool:
    return access.is_holder(user, certificate) or access.may(user, access.VIEW, certificate)


@bp.get("/")
@login_required
def index() -> Any:
    return render_template(
        "certificates/index.html", certificates=services.certificates_of(current_user), Status=Status
    )


@bp.get("/<number>/certificate.pdf")
def download_pdf(number: str) -> Any:
    certificate = certificate_or_abort(number, _may_download)
    response = current_app.response_class(certificate.pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{certificate.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-SHA256"] = certificate.pdf_sha256
    return response


# --- public verification --------------------------------------------------------------------------


@public.get("/verify")
@verify_limit
def verify() -> Any:
    typed = request.args.get("number", "")
    if not typed.strip():
        return render_template("certificates/verify.html", typed="", problem=None)
    parsed = numbers.parse(typed)
    if parsed.number is None:
        return render_template("certificates/verify.html", typed=typed, problem=parsed.problem), 400
    return redirect(url_for("certificates_public.verify_number", number=parsed.number))


@public.get("/verify/<number>")
@verify_limit
def verify_number(number: str) -> Any:
    parsed = numbers.parse(number)
    if parsed.number is None:
        return render_template("certificates/verify.html", typed=number, problem=parsed.problem), 400
    if parsed.number != number:
        return redirect(url_for("certificates_public.verify_number", number=parsed.number))
    certificate = services.by_number(parsed.number)
    if certificate is None:
        return render_template("certificates/verify.html", typed=number, problem="not_found"), 404
    return render_template(
        "certificates/verified.html",
        certificate=certificate,
        record=services.public_record(certificate),
        Status=Status,
    )


@public.get("/api/v1/certificates/<number>")
@verify_limit
def api_certificate(number: str) -> Any:
    parsed = numbers.parse(number)
    if parsed.number is None:
        return jsonify(error="mistyped"), 400
    certificate = services.by_number(parsed.number)
    if certificate is None:
        return jsonify(error="not_found"), 404
    response = jsonify(services.public_record(certificate))
    response.headers["Cache-Control"] = "no-cache"
    return response
