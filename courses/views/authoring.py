"""Authors' pages: create and edit courses, modules and items, reorder, preview, publish.

Admins author courses; trainers too when ``COURSES_TRAINERS_AUTHOR`` is on. Every change is a POST
with a CSRF token and works without JavaScript: moving is an "Up"/"Down" button, the Markdown
preview is a submit button that renders the form again with the server-rendered text below it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from courses import markdown
from courses.forms import (
    AUTHORED_KINDS,
    CAPTION_KINDS,
    LANGUAGES,
    MEDIA_KINDS,
    CourseForm,
    DeleteForm,
    ItemForm,
    ModuleForm,
    kind_choices,
)
from courses.models import ITEM_KIND_LABELS, STATUS_LABELS, Course, Enrolment, Item, ItemKind, Module, Status
from courses.views import bp
from lms.accounts.models import Role
from lms.audit.models import ACTION_LABELS, TARGET_LABELS
from lms.audit.services import record
from lms.extensions import db
from lms.permissions import can, may_act, roles_of

ACTION_LABELS.update(
    {
        "course.created": _l("Course created"),
        "course.updated": _l("Course changed"),
        "course.published": _l("Course published"),
        "course.unpublished": _l("Course returned to draft"),
        "course.deleted": _l("Course deleted"),
    }
)
TARGET_LABELS.setdefault("Course", _l("Course"))

GAP_MESSAGES = {
    ItemKind.VIDEO: _l("Video without captions or transcript"),
    ItemKind.AUDIO: _l("Audio without transcript"),
}


def may_author(user: Any) -> bool:
    """May ``user`` create and change courses? Admins may; trainers too when the admin allows it."""
    if not may_act(user):  # a learner (or a visitor): asked on every lesson and course page
        return False
    if can(user, "courses.author"):
        return True
    if not current_app.config.get("COURSES_TRAINERS_AUTHOR"):
        return False
    return Role.TRAINER in roles_of(user)


def _require_author() -> None:
    if not may_author(current_user):
        abort(403)


def _course(code: str) -> Course:
    _require_author()
    course = db.session.scalar(
        select(Course)
        .where(Course.code == code)
        .options(selectinload(Course.modules).selectinload(Module.items))
    )
    if course is None:
        abort(404)
    return course


def _module(course: Course, module_id: int) -> Module:
    module = next((module for module in course.modules if module.id == module_id), None)
    if module is None:
        abort(404)
    return module


def _item(course: Course, item_id: int) -> Item:
    item = next((item for item in course.items if item.id == item_id), None)
    if item is None:
        abort(404)
    return item


@dataclass(frozen=True)
class Gap:
    module: Module
    item: Item
    message: Any


def accessibility_gaps(course: Course) -> list[Gap]:
    """Items a learner who cannot hear could not use: video without captions or transcript, audio
    without a transcript."""
    return [
        Gap(module, item, GAP_MESSAGES[ItemKind(item.kind)])
        for module in course.modules
        for item in module.items
        if item.accessibility_gap
    ]


def _author_page(course: Course, anchor: str = "") -> Any:
    url = url_for("courses.author_course", code=course.code)
    return redirect(f"{url}#{anchor}" if anchor else url)


def _with_competences(form: Any) -> Any:
    """Offer every competence of every framework in the form's "Competences taught"."""
    from courses.frameworks import services as frameworks

    form.competences.choices = [
        (competence.id, str(competence)) for competence in frameworks.all_competences()
    ]
    return form


def _competence_groups() -> Any:
    from courses.frameworks import services as frameworks

    return frameworks.competence_groups()


def _taught(form: Any) -> Any:
    from courses.frameworks import services as frameworks

    return frameworks.by_ids(form.competences.data or [])


# --- courses -------------------------------------------------------------------------------------------


@bp.get("/author/")
@login_required
def author_index() -> Any:
    _require_author()
    courses = db.session.scalars(
        select(Course).order_by(Course.code).options(selectinload(Course.modules).selectinload(Module.items))
    ).all()
    return render_template(
        "courses/author/index.html",
        courses=courses,
        gaps={course.id: len(accessibility_gaps(course)) for course in courses},
        status_labels=STATUS_LABELS,
    )


def _qualification_choices(form: CourseForm, course: Course | None) -> None:
    others = db.session.scalars(select(Course).order_by(Course.code)).all()
    form.qualifies_for.choices = [
        (other.id, f"{other.code} — {other.title}")
        for other in others
        if course is None or other.id != course.id
    ]


def _apply_course_form(form: CourseForm, course: Course) -> None:
    course.title = form.titles()
    course.summary = form.summaries()
    course.language = form.language.data or "uk"
    course.hours = float(form.hours.data or 0)
    course.ects = float(form.ects.data) if form.ects.data is not None else None
    course.version = int(form.version.data or 1)
    course.is_open = form.enrolment.data == "open"
    course.unlock_in_order = bool(form.unlock_in_order.data)
    chosen = set(form.qualifies_for.data or [])
    course.qualifies_for = list(
        db.session.scalars(select(Course).where(Course.id.in_(chosen)).order_by(Course.code))
    )


@bp.route("/author/new", methods=["GET", "POST"])
@login_required
def author_new_course() -> Any:
    _require_author()
    form = CourseForm(version=1, hours=0, language="uk", enrolment="open")
    _qualification_choices(form, None)
    if form.validate_on_submit():
        if db.session.scalar(select(Course.id).where(Course.code == form.code.data)) is not None:
            form.code.errors.append(_("Another course has this code."))
        else:
            course = Course(code=form.code.data, status=Status.DRAFT.value)
            db.session.add(course)
            _apply_course_form(form, course)
            db.session.flush()
            record("course.created", course, code=course.code)
            db.session.commit()
            flash(_("The course %(code)s has been created as a draft.", code=course.code), "success")
            return _author_page(course)
    return render_template("courses/author/course_form.html", form=form, course=None)


def _course_form(course: Course, formdata: Any = ...) -> CourseForm:
    """The course's form; ``formdata=None`` for the stored values only (not the request's)."""
    form = CourseForm(
        **({} if formdata is ... else {"formdata": formdata}),
        **{f"title_{code}": text for code, text in course.title.items()},
        **{f"summary_{code}": text for code, text in (course.summary or {}).items()},
        language=course.language,
        hours=course.hours,
        ects=course.ects,
        version=course.version,
        enrolment="open" if course.is_open else "by_enrolment",
        unlock_in_order=course.unlock_in_order,
        qualifies_for=[other.id for other in course.qualifies_for],
    )
    form.code.data = course.code  # not changed here: packages and certificates refer to it
    _qualification_choices(form, course)
    return form


@bp.route("/author/<code>/edit", methods=["GET", "POST"])
@login_required
def author_edit_course(code: str) -> Any:
    course = _course(code)
    form = _course_form(course)
    if form.validate_on_submit():
        if (form.version.data or 0) < course.version:
            form.version.errors.append(
                _("The version may not go down: it is %(version)s now.", version=course.version)
            )
        else:
            _apply_course_form(form, course)
            record("course.updated", course, code=course.code, version=course.version)
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return _author_page(course)
    return render_template(
        "courses/author/course_form.html", form=form, course=course, delete_form=DeleteForm(formdata=None)
    )


@bp.post("/author/<code>/delete")
@login_required
def author_delete_course(code: str) -> Any:
    course = _course(code)
    delete_form = DeleteForm()
    learners = db.session.scalar(
        select(func.count()).select_from(Enrolment).where(Enrolment.course_id == course.id)
    )
    if course.is_published:
        delete_form.confirm.errors = [_("A published course cannot be deleted: return it to draft first.")]
    elif learners:
        delete_form.confirm.errors = [_("Learners are enrolled in this course: it cannot be deleted.")]
    elif delete_form.validate_on_submit():
        record("course.deleted", course, code=course.code)
        db.session.delete(course)
        db.session.commit()
        flash(_("The course %(code)s has been deleted.", code=code), "success")
        return redirect(url_for("courses.author_index"))
    form = _course_form(course, formdata=None)
    return render_template(
        "courses/author/course_form.html", form=form, course=course, delete_form=delete_form
    )


@bp.get("/author/<code>")
@login_required
def author_course(code: str) -> Any:
    course = _course(code)
    return render_template(
        "courses/author/course.html",
        course=course,
        gaps=accessibility_gaps(course),
        kinds=kind_choices(),
        status_labels=STATUS_LABELS,
        kind_labels=ITEM_KIND_LABELS,
        authored_kinds=AUTHORED_KINDS,
        gap_messages=GAP_MESSAGES,
    )


@bp.post("/author/<code>/publish")
@login_required
def author_publish(code: str) -> Any:
    course = _course(code)
    if not course.items:
        flash(_("Add at least one item before publishing the course."), "error")
    elif not course.is_published:
        course.status = Status.PUBLISHED.value
        record("course.published", course, code=course.code, version=course.version)
        db.session.commit()
        flash(_("The course has been published: learners can find it now."), "success")
        gaps = len(accessibility_gaps(course))
        if gaps:
            message = ngettext(
                "It still has %(num)d accessibility gap: please add what is missing.",
                "It still has %(num)d accessibility gaps: please add what is missing.",
                gaps,
            )
            flash(message, "error")
    return _author_page(course)


@bp.post("/author/<code>/unpublish")
@login_required
def author_unpublish(code: str) -> Any:
    course = _course(code)
    if course.is_published:
        course.status = Status.DRAFT.value
        record("course.unpublished", course, code=course.code)
        db.session.commit()
        flash(_("The course is a draft again: only authors can see it."), "success")
    return _author_page(course)


# --- modules -------------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def _unique_key(wanted: str, taken: set[str], fallback: str) -> str:
    base = wanted or fallback
    key, number = base, 2
    while key in taken:
        key = f"{base}-{number}"[:80]
        number += 1
    return key


def _renumber(rows: list[Any]) -> None:
    for position, row in enumerate(rows):
        row.position = position


@bp.route("/author/<code>/modules/new", methods=["GET", "POST"])
@login_required
def author_new_module(code: str) -> Any:
    course = _course(code)
    form = _with_competences(ModuleForm())
    if form.validate_on_submit():
        taken = {module.key for module in course.modules}
        if form.key.data and form.key.data in taken:
            form.key.errors.append(_("Another module of this course has this id."))
        else:
            key = form.key.data or _unique_key(
                _slug(form.title_en.data or ""), taken, f"module-{len(course.modules) + 1}"
            )
            module = Module(
                key=key,
                title=form.titles(),
                is_required=bool(form.is_required.data),
                position=len(course.modules),
                competences=_taught(form),
            )
            course.modules.append(module)
            db.session.commit()
            flash(_("The module has been added."), "success")
            return _author_page(course, f"module-{module.id}")
    return render_template(
        "courses/author/module_form.html",
        form=form,
        course=course,
        module=None,
        competence_groups=_competence_groups(),
    )


def _module_form(module: Module, formdata: Any = ...) -> ModuleForm:
    form = ModuleForm(
        **({} if formdata is ... else {"formdata": formdata}),
        **{f"title_{code}": module.title.get(code, "") for code in LANGUAGES},
        is_required=module.is_required,
        competences=[competence.id for competence in module.competences],
    )
    form.key.data = module.key  # stable: course packages update the module by it
    return _with_competences(form)


@bp.route("/author/<code>/modules/<int:module_id>/edit", methods=["GET", "POST"])
@login_required
def author_edit_module(code: str, module_id: int) -> Any:
    course = _course(code)
    module = _module(course, module_id)
    form = _module_form(module)
    if form.validate_on_submit():
        module.title = form.titles()
        module.is_required = bool(form.is_required.data)
        module.competences = _taught(form)
        db.session.commit()
        flash(_("The changes have been saved."), "success")
        return _author_page(course, f"module-{module.id}")
    return render_template(
        "courses/author/module_form.html",
        form=form,
        course=course,
        module=module,
        delete_form=DeleteForm(formdata=None),
        competence_groups=_competence_groups(),
    )


@bp.post("/author/<code>/modules/<int:module_id>/delete")
@login_required
def author_delete_module(code: str, module_id: int) -> Any:
    course = _course(code)
    module = _module(course, module_id)
    delete_form = DeleteForm()
    if delete_form.validate_on_submit():
        course.modules.remove(module)
        _renumber(course.modules)
        db.session.commit()
        flash(_("The module and its items have been deleted."), "success")
        return _author_page(course)
    form = _module_form(module, formdata=None)
    return render_template(
        "courses/author/module_form.html",
        form=form,
        course=course,
        module=module,
        delete_form=delete_form,
        competence_groups=_competence_groups(),
    )


@bp.post("/author/<code>/modules/<int:module_id>/move")
@login_required
def author_move_module(code: str, module_id: int) -> Any:
    course = _course(code)
    module = _module(course, module_id)
    modules = list(course.modules)
    index = modules.index(module)
    direction = request.form.get("direction")
    target = index - 1 if direction == "up" else index + 1 if direction == "down" else index
    if 0 <= target < len(modules) and target != index:
        modules[index], modules[target] = modules[target], modules[index]
        _renumber(modules)
        db.session.commit()
        flash(_("“%(title)s” has been moved.", title=str(module.title)), "success")
    return _author_page(course, f"module-{module.id}")


# --- items ---------------------------------------------------------------------------------------------


def _kind(value: str | None) -> ItemKind:
    try:
        kind = ItemKind(value or ItemKind.TEXT.value)
    except ValueError:
        abort(404)
    if kind not in AUTHORED_KINDS:
        abort(404)
    return kind


def _store(field: Any, kinds: set[str]) -> Any:
    """The uploaded file as a stored Media, or None when nothing was chosen; a rejected file adds an
    error to its field and raises ValueError."""
    from courses import media

    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return media.store(upload, kinds)
    except media.MediaError as problem:
        field.errors.append(str(problem))
        raise ValueError(str(problem)) from problem


def _has_upload(form: ItemForm, name: str) -> bool:
    upload = form.value(name)
    return bool(upload and getattr(upload, "filename", ""))


def _save_item(form: ItemForm, item: Item) -> bool:
    """Check the kind's rules, store the uploads and copy the form onto ``item``; False when the form
    has errors (then nothing is stored)."""
    kind = form.kind
    new_media = _has_upload(form, "media")
    keeps_media = item.media_id is not None and not form.value("remove_media")
    has_media = new_media or keeps_media
    url = form.value("url") or ""
    if kind == ItemKind.VIDEO:
        if not has_media and not url:
            form.media.errors.append(_("Upload a video file or give its web address."))
            return False
        if has_media and url:
            form.url.errors.append(
                _("Give a video file or a web address, not both (tick “Remove” to drop the file).")
            )
            return False
    if kind in (ItemKind.AUDIO, ItemKind.FILE) and not has_media:
        form.media.errors.append(_("Choose a file to upload."))
        return False
    try:
        media = _store(form.media, MEDIA_KINDS[kind]) if form.has("media") else None
        captions = _store(form.captions, CAPTION_KINDS) if form.has("captions") else None
    except ValueError:
        return False
    item.title = form.titles()
    item.body = form.body.data or ""
    item.transcript = form.value("transcript") or ""
    item.url = url or ""
    item.completion = form.value("completion") or "button"
    item.is_required = bool(form.is_required.data)
    item.competences = _taught(form)
    if media is not None:
        item.media = media
    elif form.value("remove_media"):
        item.media = None
    if captions is not None:
        item.captions = captions
    elif form.value("remove_captions"):
        item.captions = None
    return True


def _item_page(form: ItemForm, course: Course, module: Module, item: Item | None, **context: Any) -> Any:
    preview = None
    if "preview" in request.form:
        preview = {
            "body": markdown.render(form.body.data or ""),
            "transcript": markdown.render(form.value("transcript") or "") if form.has("transcript") else None,
            "lost_files": _has_upload(form, "media") or _has_upload(form, "captions"),
        }
    return render_template(
        "courses/author/item_form.html",
        form=form,
        course=course,
        module=module,
        item=item,
        kind_label=ITEM_KIND_LABELS[form.kind],
        gap_message=GAP_MESSAGES.get(form.kind),
        preview=preview,
        competence_groups=_competence_groups(),
        **context,
    )


@bp.route("/author/<code>/modules/<int:module_id>/items/new", methods=["GET", "POST"])
@login_required
def author_new_item(code: str, module_id: int) -> Any:
    course = _course(code)
    module = _module(course, module_id)
    kind = _kind(request.args.get("kind"))
    form = _with_competences(ItemForm(kind.value))
    if request.method == "POST" and "preview" in request.form:
        return _item_page(form, course, module, None)
    if form.validate_on_submit():
        taken = {item.key for item in course.items}
        if form.key.data and form.key.data in taken:
            form.key.errors.append(_("Another item of this course has this id."))
        else:
            key = form.key.data or _unique_key(
                _slug(form.title_en.data or ""), taken, f"{module.key}-{len(module.items) + 1}"
            )
            item = Item(key=key, kind=kind.value, position=len(module.items))
            if _save_item(form, item):
                module.items.append(item)
                db.session.commit()
                flash(_("The item has been added."), "success")
                if kind == ItemKind.QUIZ:  # next: what the quiz asks and how it is passed
                    return redirect(url_for("courses_quizzes.settings", item_id=item.id))
                return _author_page(course, f"item-{item.id}")
            db.session.rollback()  # a file stored before another was refused
    return _item_page(form, course, module, None)


def _item_form(item: Item, formdata: Any = ...) -> ItemForm:
    # No obj=item: the form's file fields must never take the stored Media for an upload.
    form = ItemForm(
        item.kind,
        **({} if formdata is ... else {"formdata": formdata}),
        **{f"title_{code}": item.title.get(code, "") for code in LANGUAGES},
        body=item.body,
        url=item.url,
        transcript=item.transcript,
        completion=item.completion,
        is_required=item.is_required,
        competences=[competence.id for competence in item.competences],
    )
    form.key.data = item.key  # stable: course packages update the item by it
    return _with_competences(form)


@bp.route("/author/<code>/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def author_edit_item(code: str, item_id: int) -> Any:
    course = _course(code)
    item = _item(course, item_id)
    _kind(item.kind)
    form = _item_form(item)
    if request.method == "POST" and "preview" in request.form:
        return _item_page(form, course, item.module, item, delete_form=DeleteForm(formdata=None))
    if form.validate_on_submit():
        if _save_item(form, item):
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return _author_page(course, f"item-{item.id}")
        db.session.rollback()  # a file stored before another was refused
    return _item_page(form, course, item.module, item, delete_form=DeleteForm(formdata=None))


@bp.post("/author/<code>/items/<int:item_id>/delete")
@login_required
def author_delete_item(code: str, item_id: int) -> Any:
    course = _course(code)
    item = _item(course, item_id)
    module = item.module
    delete_form = DeleteForm()
    if delete_form.validate_on_submit():
        module.items.remove(item)
        _renumber(module.items)
        db.session.commit()
        flash(_("The item has been deleted."), "success")
        return _author_page(course, f"module-{module.id}")
    if item.kind not in AUTHORED_KINDS:
        flash(_("Tick the box to confirm the deletion."), "error")
        return _author_page(course, f"item-{item.id}")
    return _item_page(_item_form(item, formdata=None), course, module, item, delete_form=delete_form)


@bp.post("/author/<code>/items/<int:item_id>/move")
@login_required
def author_move_item(code: str, item_id: int) -> Any:
    """Up or down within its module; from the first or last place, into the module before or after."""
    course = _course(code)
    item = _item(course, item_id)
    module = item.module
    items = list(module.items)
    index = items.index(item)
    modules = list(course.modules)
    where = modules.index(module)
    direction = request.form.get("direction")
    moved = True
    if direction == "up" and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
        _renumber(items)
    elif direction == "down" and index + 1 < len(items):
        items[index + 1], items[index] = items[index], items[index + 1]
        _renumber(items)
    elif direction == "up" and where > 0:
        _move_to(item, modules[where - 1], at_end=True)
    elif direction == "down" and where + 1 < len(modules):
        _move_to(item, modules[where + 1], at_end=False)
    else:
        moved = False
    if moved:
        db.session.commit()
        flash(_("“%(title)s” has been moved.", title=str(item.title)), "success")
    return _author_page(course, f"item-{item.id}")


def _move_to(item: Item, target: Module, at_end: bool) -> None:
    source = item.module
    others = [other for other in target.items if other is not item]
    item.module = target  # the backref takes it out of source.items
    _renumber([other for other in source.items if other is not item])
    _renumber([*others, item] if at_end else [item, *others])
