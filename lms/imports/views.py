"""The upload → preview → confirm pages every CSV import shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.extensions import db
from lms.forms import CsvUploadForm
from lms.imports.services import Importer, Plan, check_file, keep_upload, take_upload, template_csv
from lms.permissions import require


def add_import_routes(
    bp: Blueprint,
    prefix: str,
    kind: str,
    make_importer: Callable[[], Importer],
    action: str,
    title: Any,
    done_endpoint: str,
) -> None:
    """Register ``<prefix>/import``, ``<prefix>/import/confirm`` and ``<prefix>/import/template.csv``."""

    def page(form: CsvUploadForm, importer: Importer, plan: Plan | None, token: str | None) -> Any:
        return render_template(
            "imports/import.html",
            form=form,
            importer=importer,
            plan=plan,
            token=token,
            title=title,
            template_url=url_for(f"{bp.name}.import_template"),
            confirm_url=url_for(f"{bp.name}.import_confirm"),
        )

    def upload() -> Any:
        require(action)
        importer = make_importer()
        form = CsvUploadForm()
        plan = token = None
        if form.validate_on_submit():
            data = form.file.data.read()
            plan = check_file(importer, data)
            if plan.is_valid:
                token = keep_upload(kind, current_user.id, form.file.data.filename or "", data)
                db.session.commit()
        return page(form, importer, plan, token)

    def confirm() -> Any:
        require(action)
        importer = make_importer()
        # CSRFProtect has already checked the token of this POST.
        upload = take_upload(kind, current_user.id, request.form.get("token", ""))
        if upload is None:
            flash(_("This import was already done or has expired. Please upload the file again."), "error")
            return redirect(url_for(f"{bp.name}.import_upload"))
        plan = check_file(importer, upload.content)  # the data may have changed since the preview
        if not plan.is_valid:
            return page(CsvUploadForm(formdata=None), importer, plan, None)
        importer.apply(plan)
        db.session.delete(upload)
        db.session.commit()
        created, updated = plan.count("create"), plan.count("update")
        flash(
            ngettext("%(num)d row imported", "%(num)d rows imported", created + updated)
            + " "
            + _("(%(created)d created, %(updated)d updated).", created=created, updated=updated),
            "success",
        )
        return redirect(url_for(done_endpoint))

    def template() -> Any:
        require(action)
        return Response(
            template_csv(make_importer().columns),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{kind}-template.csv"'},
        )

    bp.add_url_rule(f"{prefix}/import", "import_upload", upload, methods=["GET", "POST"])
    bp.add_url_rule(f"{prefix}/import/confirm", "import_confirm", confirm, methods=["POST"])
    bp.add_url_rule(f"{prefix}/import/template.csv", "import_template", template)
