"""The question bank's pages, for authors: the category tree with counts by competence and level, a
category's questions, one question, its form, upload → preview → confirm of GIFT and Aiken files,
and a category's download. No JavaScript: "Add more answer rows" is a submit button."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from courses.forms import DeleteForm
from courses.frameworks.models import Competence, Framework, ProficiencyLevel
from courses.frameworks.services import all_competences, frameworks
from courses.questions import services
from courses.questions.forms import (
    ANSWER_TEXT_LABELS,
    EXTRA_ROWS,
    FILE_FORMAT_LABELS,
    FORMAT_LABELS,
    TYPE_CHOICES,
    TYPE_LABELS,
    ImportForm,
    QuestionForm,
    answer_rows,
    percent_text,
)
from courses.questions.interchange import ESSAY, TRUEFALSE, TYPES, FormatError, ParsedQuestion
from courses.questions.models import Question, QuestionCategory
from courses.questions.rendering import render_text
from courses.views.authoring import may_author
from lms.extensions import db
from lms.imports.services import keep_upload, take_upload

bp = Blueprint("courses_questions", __name__, url_prefix="/courses/questions", template_folder="../templates")

UPLOAD_KIND = "questions"
NONE = "none"  # the filter value for "no competence" / "no level"


def _require_author() -> None:
    if not may_author(current_user):
        abort(403)


def _category(category_id: int) -> QuestionCategory:
    _require_author()
    category = db.session.get(QuestionCategory, category_id)
    if category is None:
        abort(404)
    return category


def _question(question_id: int) -> Question:
    _require_author()
    question = db.session.scalar(
        select(Question)
        .where(Question.id == question_id)
        .options(selectinload(Question.answers), selectinload(Question.category))
    )
    if question is None:
        abort(404)
    return question


# --- the tree and a category ---------------------------------------------------------------------------


def _level_columns(rows: list[services.CompetenceCounts]) -> list[int | None]:
    levels = {level for row in rows for level in row.by_level}
    return sorted(level for level in levels if level is not None) + ([None] if None in levels else [])


@bp.get("/")
@login_required
def index() -> Any:
    _require_author()
    categories = db.session.scalars(select(QuestionCategory).order_by(QuestionCategory.path)).all()
    own = services.question_counts()
    # A category's total includes its sub-categories (paths sort parents first, so sum from the end).
    totals = dict(own)
    for category in reversed(categories):
        if category.parent_id is not None:
            totals[category.parent_id] = totals.get(category.parent_id, 0) + totals.get(category.id, 0)
    counts = services.counts_by_competence_and_level()
    children: dict[int | None, list[QuestionCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    return render_template(
        "courses/questions/index.html",
        roots=children.get(None, []),
        children=children,
        own=own,
        totals=totals,
        counts=counts,
        levels=_level_columns(counts),
    )


@bp.get("/categories/<int:category_id>")
@login_required
def category(category_id: int) -> Any:
    category = _category(category_id)
    query = select(Question).where(Question.category_id == category.id)
    competence_filter = request.args.get("competence", "")
    level_filter = request.args.get("level", "")
    if competence_filter == NONE:
        query = query.where(Question.competence_id.is_(None))
    elif competence_filter.isdigit():
        query = query.where(Question.competence_id == int(competence_filter))
    if level_filter == NONE:
        query = query.where(Question.level.is_(None))
    elif level_filter.isdigit():
        query = query.where(Question.level == int(level_filter))
    page = db.paginate(
        query.order_by(Question.id).options(
            selectinload(Question.competence).selectinload(Competence.framework)
        ),
        per_page=current_app.config["LMS_PAGE_SIZE"],
        error_out=False,
    )
    counts = services.counts_by_competence_and_level([category.id])
    children = db.session.scalars(
        select(QuestionCategory)
        .where(QuestionCategory.parent_id == category.id)
        .order_by(QuestionCategory.name)
    ).all()
    return render_template(
        "courses/questions/category.html",
        category=category,
        children=children,
        page=page,
        counts=counts,
        levels=_level_columns(counts),
        competence_filter=competence_filter,
        level_filter=level_filter,
        filter_competences=[row.competence for row in counts if row.competence is not None],
        filter_levels=sorted({level for row in counts for level in row.by_level if level is not None}),
        has_untagged=any(row.competence is None for row in counts),
        has_no_level=any(None in row.by_level for row in counts),
        type_labels=TYPE_LABELS,
        file_formats=FILE_FORMAT_LABELS,
        none=NONE,
    )


@bp.get("/categories/<int:category_id>/export")
@login_required
def export(category_id: int) -> Any:
    category = _category(category_id)
    fmt = request.args.get("format", "gift")
    if fmt not in services.EXPORT_FORMATS:
        abort(404)
    export = services.export_category(category.path, fmt)
    if export.skipped and not export.count:
        flash(_("No question of this category can be written as %(format)s.", format=fmt.upper()), "error")
        return redirect(url_for("courses_questions.category", category_id=category.id))
    text = export.text
    # An ASCII name: a header cannot carry Cyrillic, and the path may be all Cyrillic.
    filename = "".join(char if char.isascii() and char.isalnum() else "-" for char in category.path)
    filename = "-".join(part for part in filename.split("-") if part) or f"questions-{category.id}"
    return Response(
        text.encode("utf-8"),
        mimetype="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}.txt"'},
    )


# --- one question ---------------------------------------------------------------------------------------


@bp.get("/<int:question_id>")
@login_required
def show(question_id: int) -> Any:
    question = _question(question_id)
    return render_template(
        "courses/questions/show.html",
        question=question,
        stem=render_text(question.text, question.format),
        general_feedback=render_text(question.general_feedback, question.format)
        if question.general_feedback
        else None,
        feedback={answer.id: render_text(answer.feedback, question.format) for answer in question.answers},
        percent=percent_text,
        type_label=TYPE_LABELS.get(question.type, question.type),
        format_label=FORMAT_LABELS.get(question.format, question.format),
        tags=services.tags_of(question),
    )


def _competence_groups() -> list[tuple[Framework, list[Competence]]]:
    competences = all_competences()
    return [
        (framework, [competence for competence in competences if competence.framework_id == framework.id])
        for framework in frameworks()
    ]


def _with_choices(form: QuestionForm) -> QuestionForm:
    """The form with its competence and level choices (needed before it is validated)."""
    groups = _competence_groups()
    form.competence_groups = groups
    form.competence.choices = [("", "—")] + [
        (str(competence.id), str(competence)) for _, competences in groups for competence in competences
    ]
    top = db.session.scalar(select(func.max(ProficiencyLevel.number))) or 8
    form.level.choices = [("", "—")] + [(str(number), str(number)) for number in range(1, top + 1)]
    return form


def _form_page(form: QuestionForm, kind: str, question: Question | None, **context: Any) -> Any:
    groups = form.competence_groups
    for entry in form.answers:
        entry.form.text.label.text = ANSWER_TEXT_LABELS.get(kind, entry.form.text.label.text)
    categories = db.session.scalars(select(QuestionCategory.path).order_by(QuestionCategory.path)).all()
    return render_template(
        "courses/questions/form.html",
        form=form,
        kind=kind,
        question=question,
        groups=groups,
        categories=categories,
        type_label=TYPE_LABELS[kind],
        text_label=ANSWER_TEXT_LABELS.get(kind),
        truefalse=kind == TRUEFALSE,
        essay=kind == ESSAY,
        **context,
    )


def _save(form: QuestionForm, kind: str, question: Question | None) -> Question | None:
    """Check the whole form, the answers by the rules of ``kind``; save and return the question, or
    None with the errors on the form (nothing changed)."""
    valid = form.validate_on_submit()
    answers = form.parsed_answers(kind)
    competence = None
    if form.competence.data:
        competence = db.session.get(Competence, int(form.competence.data))
    level = int(form.level.data) if form.level.data else None
    if valid and competence is not None and services.level_problem(competence, level):
        levels = services.framework_levels(competence.framework_id)
        form.level.errors = [
            _(
                "The framework of this competence has levels %(first)s to %(last)s.",
                first=levels[0],
                last=levels[-1],
            )
        ]
        valid = False
    path = services.normalise_path(form.category.data or "") or services.DEFAULT_CATEGORY
    if valid and question is not None and question.idnumber and path != question.category.path:
        clash = db.session.scalar(
            select(Question.id)
            .join(QuestionCategory, Question.category_id == QuestionCategory.id)
            .where(QuestionCategory.path == path, Question.idnumber == question.idnumber)
        )
        if clash is not None:
            form.category.errors = [
                _(
                    "Another question of that category has the id number %(idnumber)s.",
                    idnumber=question.idnumber,
                )
            ]
            valid = False
    if not valid or answers is None:
        return None
    parsed = ParsedQuestion(
        name=form.name.data or "",
        type=kind,
        text=form.text.data or "",
        format=form.format.data or "markdown",
        answers=answers,
        general_feedback=form.general_feedback.data or "",
        idnumber=question.idnumber if question else "",
    )
    category = services.category_for_path(path)
    if question is None:
        question = Question(category=category, tags=[])
        db.session.add(question)
    else:
        question.category = category
    services.fill_question(question, parsed, competence, level)
    db.session.flush()
    return question


def _more_rows(form: QuestionForm) -> None:
    for _row in range(EXTRA_ROWS):
        form.answers.append_entry()


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> Any:
    _require_author()
    kind = request.values.get("type", "")
    category = db.session.get(QuestionCategory, request.args.get("category_id", type=int) or 0)
    if kind not in TYPES:
        # First the type: the answer rows of the form depend on it.
        return render_template(
            "courses/questions/new.html",
            type_choices=TYPE_CHOICES,
            category=category,
            wrong_type=request.method == "POST" or "type" in request.args,
        )
    form = _with_choices(
        QuestionForm(
            type=kind,
            category=category.path if category else services.DEFAULT_CATEGORY,
            answers=answer_rows([], kind, extra=4),
        )
    )
    form.type.data = kind
    if request.method == "POST" and "more_rows" in request.form:
        _more_rows(form)
        return _form_page(form, kind, None)
    if request.method == "POST":
        question = _save(form, kind, None)
        if question is not None:
            db.session.commit()
            flash(_("The question has been added."), "success")
            return redirect(url_for("courses_questions.show", question_id=question.id))
    return _form_page(form, kind, None)


def _edit_form(question: Question, formdata: Any = ...) -> QuestionForm:
    form = QuestionForm(
        **({} if formdata is ... else {"formdata": formdata}),
        type=question.type,
        category=question.category.path,
        name=question.name,
        text=question.text,
        format=question.format,
        general_feedback=question.general_feedback,
        competence=str(question.competence_id or ""),
        level=str(question.level or ""),
        answers=answer_rows(list(question.answers), question.type),
    )
    form.type.data = question.type  # the type is not changed here: answers depend on it
    return _with_choices(form)


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit(question_id: int) -> Any:
    question = _question(question_id)
    form = _edit_form(question)
    if request.method == "POST" and "more_rows" in request.form:
        _more_rows(form)
    elif request.method == "POST":
        if _save(form, question.type, question) is not None:
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("courses_questions.show", question_id=question.id))
        db.session.rollback()
    return _form_page(form, question.type, question, delete_form=DeleteForm(formdata=None))


@bp.post("/<int:question_id>/delete")
@login_required
def delete(question_id: int) -> Any:
    question = _question(question_id)
    delete_form = DeleteForm()
    if delete_form.validate_on_submit():
        category_id = question.category_id
        db.session.delete(question)
        db.session.commit()
        flash(_("The question has been deleted."), "success")
        return redirect(url_for("courses_questions.category", category_id=category_id))
    return _form_page(_edit_form(question, formdata=None), question.type, question, delete_form=delete_form)


# --- import ---------------------------------------------------------------------------------------------


def _import_page(
    form: ImportForm,
    plan: services.ImportPlan | None = None,
    problems: list[tuple[int, str]] | None = None,
    token: str | None = None,
) -> Any:
    return render_template(
        "courses/questions/import.html",
        form=form,
        plan=plan,
        problems=sorted(problems or [], key=lambda problem: problem[0]),
        token=token,
        type_labels=TYPE_LABELS,
    )


def _check(data: bytes, fmt: str, category: str) -> tuple[services.ImportPlan | None, list[tuple[int, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [(1, _("The file is not UTF-8 text."))]
    try:
        parsed = services.parse_file(text, fmt, category)
        if not parsed:
            return None, [(1, _("The file has no questions."))]
        return services.plan_import(parsed, category or None), []
    except FormatError as error:
        return None, list(error.problems)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_upload() -> Any:
    _require_author()
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form)
    limit = current_app.config["LMS_MAX_UPLOAD_MB"] * 1024 * 1024  # a question file is small text
    data = form.file.data.read(limit + 1)
    if len(data) > limit:
        form.file.errors = [
            _("The file is larger than %(size)s MB.", size=current_app.config["LMS_MAX_UPLOAD_MB"])
        ]
        return _import_page(form)
    plan, problems = _check(data, form.format.data, form.category.data or "")
    token = None
    if plan is not None:
        token = keep_upload(UPLOAD_KIND, current_user.id, form.file.data.filename or "", data)
        db.session.commit()
    return _import_page(form, plan, problems, token)


@bp.post("/import/confirm")
@login_required
def import_confirm() -> Any:
    _require_author()
    # CSRFProtect has already checked the token of this POST.
    upload = take_upload(UPLOAD_KIND, current_user.id, request.form.get("token", ""))
    fmt = request.form.get("format", "gift")
    if upload is None or fmt not in services.EXPORT_FORMATS:
        flash(_("This import was already done or has expired. Please upload the file again."), "error")
        return redirect(url_for("courses_questions.import_upload"))
    category = request.form.get("category", "").strip()
    plan, problems = _check(upload.content, fmt, category)  # the bank may have changed since the preview
    if plan is None:
        db.session.delete(upload)  # it cannot be imported as it is: a corrected file is uploaded anew
        db.session.commit()
        form = ImportForm(formdata=None, format=fmt, category=category)
        return _import_page(form, None, problems)
    done = services.apply_plan(plan)
    db.session.delete(upload)
    db.session.commit()
    created = sum(1 for result in done if result.created)
    flash(
        ngettext("%(num)d question imported", "%(num)d questions imported", len(done))
        + " "
        + _("(%(created)d created, %(updated)d updated).", created=created, updated=len(done) - created),
        "success",
    )
    return redirect(url_for("courses_questions.index"))
