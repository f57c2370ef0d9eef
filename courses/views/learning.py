"""Learners' pages: the catalogue, a course with its progress per module, lessons with previous/next.

Every change of state is a POST form (enrol, mark as done, next), so no JavaScript is needed. Visiting a
lesson records it as the place to resume. Drafts are invisible (404) to everyone who may not author;
a course by enrolment only is closed (403) to those not enrolled in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from courses import services
from courses.markdown import render as render_markdown
from courses.media import media_url
from courses.models import ITEM_KIND_LABELS, Completion, Course, Enrolment, Item, ItemKind, Media, Module
from courses.outline import Outline, outline_of
from courses.views import bp
from courses.views.authoring import may_author
from lms.extensions import db
from lms.i18n import LOCALE_NAMES


@dataclass(frozen=True)
class Entry:
    """A course in the catalogue, with the learner's enrolment and required items done."""

    course: Course
    enrolment: Enrolment | None
    done: int
    total: int


def course_language(code: str) -> str:
    return LOCALE_NAMES.get(code, code)


def file_size(size: int) -> str:
    """A size for people: 820 KB, 1.4 MB (number formatted for the locale)."""
    if size < 1024 * 1024:
        return _("%(size)s KB", size=format_decimal(max(1, round(size / 1024))))
    return _("%(size)s MB", size=format_decimal(round(size / (1024 * 1024), 1)))


def safe_url(url: str) -> str:
    """``url`` when it is a web or mail address; anything else (``javascript:``…) becomes empty."""
    try:
        scheme = urlsplit(url or "").scheme.lower()
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return ""
    return url if scheme in {"http", "https", "mailto"} else ""


def file_type(media: Media) -> str:
    """PDF, DOCX…: the extension of the stored name, else the content type."""
    stem, dot, extension = media.filename.rpartition(".")
    return extension.upper() if dot and stem else media.content_type.split(";")[0]


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "media_url": media_url,
        "file_size": file_size,
        "file_type": file_type,
        "course_language": course_language,
        "markdown": render_markdown,
        "safe_url": safe_url,
    }


# --- loading, with the rules of who may see what --------------------------------------------------


def _outlined(code: str) -> Course | None:
    """The course with its modules and their items, in one query: every learning page walks the
    whole outline (progress, unlocking, previous/next), which would otherwise load each module's
    items with a query of its own."""
    return (
        db.session.execute(
            select(Course)
            .where(Course.code == code)
            .options(joinedload(Course.modules).joinedload(Module.items))
        )
        .unique()
        .scalar_one_or_none()
    )


def _item(course: Course, key: str) -> Item:
    item = next((item for item in course.items if item.key == key), None)  # the outline is loaded
    if item is None:
        abort(404)
    return item


def _learning(code: str, key: str) -> tuple[Course, Item, Enrolment]:
    """For the POSTs of a lesson: a published course the learner is enrolled in."""
    course = _outlined(code)
    if course is None or not course.is_published:
        abort(404)
    item = _item(course, key)
    enrolment = services.enrolment_of(current_user, course)
    if enrolment is None or (not course.is_open and services.withdrawn_from(enrolment.id)):
        abort(403)
    return course, item, enrolment


def _complete(enrolment: Enrolment, item: Item) -> bool:
    """Complete ``item``; True when that completed the course."""
    was_complete = enrolment.completed_at is not None
    services.complete_item(enrolment, item)
    db.session.commit()
    return not was_complete and enrolment.completed_at is not None


def _locked(enrolment: Enrolment, item: Item) -> bool:
    return not services.is_unlocked(enrolment, item.module)


# --- pages -----------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index() -> Any:
    page = db.paginate(
        services.catalogue(current_user).options(selectinload(Course.modules).selectinload(Module.items)),
        per_page=current_app.config["LMS_PAGE_SIZE"],
        error_out=False,
    )
    enrolments = {
        enrolment.course_id: enrolment
        for enrolment in db.session.scalars(
            select(Enrolment)
            .where(
                Enrolment.user_id == current_user.id,
                Enrolment.course_id.in_([course.id for course in page.items]),
            )
            .options(selectinload(Enrolment.completions))
        )
    }
    entries = []
    for course in page.items:
        enrolment = enrolments.get(course.id)
        done = total = 0
        if enrolment is not None:
            for entry in services.progress(enrolment):
                if entry.module.is_required:
                    done, total = done + entry.done, total + entry.total
        entries.append(Entry(course, enrolment, done, total))
    may_open_authoring = "courses.author_index" in current_app.view_functions and may_author(current_user)
    return render_template(
        "courses/index.html", page=page, entries=entries, may_open_authoring=may_open_authoring
    )


@bp.post("/<code>/enrol")
@login_required
def enrol(code: str) -> Any:
    course = services.by_code(code)
    if course is None or not course.is_published:
        abort(404)
    if not course.is_open:
        enrolment = services.enrolment_of(current_user, course)
        if enrolment is None or services.withdrawn_from(enrolment.id):
            abort(403)
    services.enrol(current_user, course)
    db.session.commit()
    flash(_("You are enrolled in “%(course)s”.", course=course.title), "success")
    return redirect(url_for(".course", code=course.code))


def opened(code: str) -> tuple[services.LessonState, Outline, bool]:
    """Where the learner stands in the course, its cached outline, and whether she may author:
    404 for an unknown code or a draft (unless she may author), 403 for a course by enrolment only
    that she is not enrolled in, or withdrew from every cohort of."""
    state = services.lesson_state(code, current_user)
    if state is None:
        abort(404)
    outline = outline_of(code, state.course_id, state.revision)
    author = may_author(current_user)
    if not outline.is_published and not author:
        abort(404)
    if (
        not outline.is_open
        and not author
        and (state.enrolment_id is None or services.withdrawn_from(state.enrolment_id))
    ):
        abort(403)
    return state, outline, author


@bp.get("/<code>")
@login_required
def course(code: str) -> Any:
    """The course and the learner's progress, from the course's cached outline and one query for
    where she stands (as the lesson page). 404 for an unknown code or a draft (unless the viewer may
    author), 403 for a course by enrolment only that the viewer is not enrolled in."""
    state, outline, author = opened(code)
    is_enrolled = state.enrolment_id is not None
    done_ids = state.done_ids if is_enrolled else frozenset()
    modules = [
        services.ModuleProgress(module, done, total, unlocked or not is_enrolled)  # type: ignore[arg-type]
        for module, done, total, unlocked in outline.progress(done_ids)
    ]
    resume = outline.resume(done_ids, state.last_item_id) if is_enrolled else None
    required = [entry for entry in modules if entry.module.is_required]
    return render_template(
        "courses/course.html",
        course=outline,
        lesson_paths=outline.lesson_paths(),
        is_enrolled=is_enrolled,
        completed_at=state.completed_at,
        modules=modules,
        done_ids=done_ids,
        resume=resume,
        has_started=bool(state.last_item_id or done_ids),
        preview=not is_enrolled and author,
        kind_labels={kind.value: str(label) for kind, label in ITEM_KIND_LABELS.items()},  # not per item
        done=sum(entry.done for entry in required),
        total=sum(entry.total for entry in required),
    )


@bp.get("/<code>/items/<key>")
@login_required
def lesson(code: str, key: str) -> Any:
    """A lesson, from the course's cached outline: the page costs a handful of small queries, and the
    item's content is rendered once per course revision and language (see lesson.html)."""
    state, course, author = opened(code)
    enrolment_id, last_item_id, done_ids = state.enrolment_id, state.last_item_id, state.done_ids
    item = course.item(key)
    if item is None:
        abort(404)
    if enrolment_id is None and not author:
        flash(_("Enrol in the course to open its lessons."), "info")
        return redirect(url_for(".course", code=course.code))
    locked = enrolment_id is not None and item.module_id not in course.unlocked_modules(done_ids)
    if enrolment_id is not None and not locked and last_item_id != item.id:
        services.visit_item(enrolment_id, item.id)
        db.session.commit()
    previous, following = course.neighbours(item)
    return render_template(
        "courses/lesson.html",
        course=course,
        item=item,
        module=course.module_of(item),
        kind_label=ITEM_KIND_LABELS[ItemKind(item.kind)],
        is_enrolled=enrolment_id is not None,
        is_done=item.id in done_ids,
        is_locked=locked,
        previous=previous,
        following=following,
        count=len(course.items),
        load_item=lambda: db.session.get(
            Item, item.id, options=[joinedload(Item.media), joinedload(Item.captions)]
        ),
        Completion=Completion,
        ItemKind=ItemKind,
    )


@bp.post("/<code>/items/<key>/complete")
@login_required
def complete(code: str, key: str) -> Any:
    """Mark as done."""
    course, item, enrolment = _learning(code, key)
    if _locked(enrolment, item):
        flash(_("Finish the modules before this one first."), "error")
        return redirect(url_for(".lesson", code=course.code, key=item.key))
    if item.kind == ItemKind.QUIZ:  # a quiz is completed by passing it
        abort(400)
    if _complete(enrolment, item):
        return redirect(url_for(".course", code=course.code))
    flash(_("Marked as done."), "success")
    return redirect(url_for(".lesson", code=course.code, key=item.key))


@bp.post("/<code>/items/<key>/next")
@login_required
def next_item(code: str, key: str) -> Any:
    """Next: completes an item whose author chose "completed by Next", then goes on."""
    course, item, enrolment = _learning(code, key)
    if _locked(enrolment, item):
        flash(_("Finish the modules before this one first."), "error")
        return redirect(url_for(".lesson", code=course.code, key=item.key))
    finished = False
    if item.completion == Completion.NEXT and item.kind != ItemKind.QUIZ:
        finished = _complete(enrolment, item)
    _previous, following = services.neighbours(item)
    if finished or following is None:
        return redirect(url_for(".course", code=course.code))
    return redirect(url_for(".lesson", code=course.code, key=following.key))
