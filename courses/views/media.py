"""Serving uploaded media with the right type, disposition and byte ranges.

The app answers ranges itself (206 Partial Content, so a video can seek), or, when
``COURSES_X_ACCEL_REDIRECT`` names an internal nginx location, answers with an empty response whose
``X-Accel-Redirect`` header lets nginx stream the file: a slow download then never holds an app worker.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

from flask import abort, current_app, send_file
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from werkzeug.datastructures import Headers

from courses.media import kind_of, path_of
from courses.models import Course, Enrolment, Item, Media, Module, Status
from courses.views import bp
from courses.views.authoring import may_author
from lms.extensions import db

INLINE_KINDS = {"video", "audio", "captions", "image"}  # everything else is offered as a download
CACHE_CONTROL = "private, no-cache"  # browsers keep it, revalidate by ETag; shared caches never keep it


@bp.get("/media/<int:media_id>/<path:filename>")
@login_required
def media(media_id: int, filename: str) -> Any:
    """The file of a Media row; the name in the address is only for people and is not used."""
    item = db.session.get(Media, media_id)
    if item is None or not _may_fetch(media_id):
        abort(404)  # a file of a draft or of a closed course is not there for those who may not see it
    path = path_of(item)
    if not path.is_file():
        abort(404)
    as_attachment = kind_of(item) not in INLINE_KINDS
    prefix = current_app.config["COURSES_X_ACCEL_REDIRECT"]
    if prefix:
        response = current_app.response_class(b"", content_type=item.content_type)
        response.headers["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + item.storage_name
        _set_disposition(response.headers, item.filename, as_attachment)
    else:
        response = send_file(
            path,
            mimetype=item.content_type,
            as_attachment=as_attachment,
            download_name=item.filename,
            conditional=True,
            etag=item.sha256,
            max_age=None,
        )
    response.headers["Content-Type"] = item.content_type  # as stored: werkzeug would add a second charset
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def _may_fetch(media_id: int) -> bool:
    """Authors may fetch any file; others those of an item of a published course they may open (open
    to everyone, or one they are enrolled in)."""
    if may_author(current_user):
        return True
    from courses.services import only_withdrawn

    enrolled = select(Enrolment.course_id).where(
        Enrolment.user_id == current_user.id, ~only_withdrawn(Enrolment.id)
    )
    used = db.session.scalar(
        select(Item.id)
        .join(Module, Item.module_id == Module.id)
        .join(Course, Module.course_id == Course.id)
        .where(
            or_(Item.media_id == media_id, Item.captions_id == media_id),
            Course.status == Status.PUBLISHED.value,
            or_(Course.is_open.is_(True), Course.id.in_(enrolled)),
        )
        .limit(1)
    )
    return used is not None


def _set_disposition(headers: Headers, filename: str, as_attachment: bool) -> None:
    """``Content-Disposition`` as ``send_file`` writes it: an ASCII ``filename`` and, for any other
    name, a UTF-8 ``filename*`` (RFC 5987)."""
    names: dict[str, str]
    try:
        filename.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
        names = {"filename": simple, "filename*": "UTF-8''" + quote(filename, safe="!#$&+-.^_`|~")}
    else:
        names = {"filename": filename}
    headers.set("Content-Disposition", "attachment" if as_attachment else "inline", **names)
