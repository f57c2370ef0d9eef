"""The question bank's verbs: categories from paths, importing parsed questions all or nothing (tags
giving each its competence and level), exporting a category, and the counts the bank pages show.

A GIFT question is tagged in the comment line before it, as Moodle reads tags::

    // [id:pw-01] [tag:competence:DIGCOMP-2.2/4.2] [tag:level:3] [tag:passwords]

``competence:<framework id number>/<competence id number>`` sets its competence, ``level:<n>`` its
proficiency level; other tags are kept and written back on export. A question whose id number
already exists in its category is updated rather than added again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from courses.frameworks.models import Competence, Framework, ProficiencyLevel
from courses.questions.interchange import (
    FORMATS,
    MATCHING,
    NUMERICAL,
    TYPES,
    FormatError,
    ParsedAnswer,
    ParsedQuestion,
)
from courses.questions.models import Answer, Question, QuestionCategory
from lms.extensions import db

DEFAULT_CATEGORY = "Top"
COMPETENCE_TAG = "competence:"
LEVEL_TAG = "level:"
EXPORT_FORMATS = ("gift", "aiken")

# A path's separator is a single "/"; a "/" inside a name is written "//" (as Moodle writes it).
_SEPARATOR = re.compile(r"(?<!/)/(?!/)")
_CONTEXT = re.compile(r"^\$\w+\$$")  # Moodle's "$course$/top/…" prefix names a context, not a category


class CategoryNotFound(LookupError):
    """No category has the path given."""


# --- categories ----------------------------------------------------------------------------------------


def split_path(path: str) -> list[str]:
    """``"Top/Safety//Privacy/Passwords"`` → ``["Top", "Safety/Privacy", "Passwords"]``."""
    names = [name.replace("//", "/").strip() for name in _SEPARATOR.split((path or "").strip())]
    if names and _CONTEXT.match(names[0]):
        names = names[1:]
    return [name for name in names if name]


def join_path(names: Iterable[str]) -> str:
    return "/".join(name.replace("/", "//") for name in names)


def normalise_path(path: str) -> str:
    """A category path as stored: separators single, names trimmed, Moodle's context prefix dropped."""
    return join_path(split_path(path))


def category_by_path(path: str) -> QuestionCategory | None:
    return db.session.scalar(select(QuestionCategory).where(QuestionCategory.path == normalise_path(path)))


def category_for_path(path: str) -> QuestionCategory:
    """The category at ``path``, created with any missing parents ("Top/Safety/Passwords")."""
    names = split_path(path) or [DEFAULT_CATEGORY]
    parent: QuestionCategory | None = None
    for depth in range(1, len(names) + 1):
        wanted = join_path(names[:depth])
        category = db.session.scalar(select(QuestionCategory).where(QuestionCategory.path == wanted))
        if category is None:
            category = QuestionCategory(name=names[depth - 1], path=wanted, parent=parent)
            db.session.add(category)
            db.session.flush()
        parent = category
    assert parent is not None
    return parent


def _path_problem(path: str) -> str | None:
    names = split_path(path)
    if any(len(name) > 255 for name in names):
        return "a category name is longer than 255 characters"
    if len(join_path(names)) > 1000:
        return "the category path is longer than 1000 characters"
    return None


def subtree(category: QuestionCategory) -> Sequence[QuestionCategory]:
    """The category and every category below it, in path order."""
    return db.session.scalars(
        select(QuestionCategory)
        .where(
            or_(
                QuestionCategory.id == category.id,
                QuestionCategory.path.startswith(category.path + "/", autoescape=True),
            )
        )
        .order_by(QuestionCategory.path)
    ).all()


# --- competences ---------------------------------------------------------------------------------------


def find_competence(reference: str) -> Competence | None:
    """The competence ``"DIGCOMP-2.2/4.2"`` names (framework id number / competence id number)."""
    reference = reference.strip()
    # Either id number could hold a "/", so try every place the separator could be.
    for match in re.finditer("/", reference):
        framework, idnumber = reference[: match.start()].strip(), reference[match.end() :].strip()
        competence = db.session.scalar(
            select(Competence)
            .join(Framework, Competence.framework_id == Framework.id)
            .where(Framework.idnumber == framework, Competence.idnumber == idnumber)
        )
        if competence is not None:
            return competence
    return None


def competence_reference(competence: Competence) -> str:
    return f"{competence.framework.idnumber}/{competence.idnumber}"


def framework_levels(framework_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(ProficiencyLevel.number)
            .where(ProficiencyLevel.framework_id == framework_id)
            .order_by(ProficiencyLevel.number)
        )
    )


def level_problem(competence: Competence | None, level: int | None) -> str | None:
    """Why ``level`` cannot go with ``competence`` (English, for files and the CLI), or None."""
    if level is None:
        return None
    if level < 1:
        return f"level {level} is not a proficiency level: levels start at 1"
    if competence is not None:
        levels = framework_levels(competence.framework_id)
        if levels and level not in levels:
            return (
                f"level {level} is not a level of the framework {competence.framework.idnumber} "
                f"({levels[0]}–{levels[-1]})"
            )
    return None


@dataclass
class Tagging:
    competence: Competence | None = None
    level: int | None = None
    tags: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_tags(tags: Iterable[str], competences: dict[str, Competence | None] | None = None) -> Tagging:
    """Split a question's tags into its competence, its level and the other tags."""
    cache = {} if competences is None else competences
    tagging = Tagging()
    references: list[str] = []
    levels: list[str] = []
    for tag in tags:
        tag = tag.strip()
        lowered = tag.lower()
        if lowered.startswith(COMPETENCE_TAG):
            references.append(tag[len(COMPETENCE_TAG) :].strip())
        elif lowered.startswith(LEVEL_TAG):
            levels.append(tag[len(LEVEL_TAG) :].strip())
        elif tag and tag not in tagging.tags:
            tagging.tags.append(tag)
    if len(set(references)) > 1:
        tagging.problems.append("a question has one competence, but this one is tagged with several")
    elif references:
        reference = references[0]
        if reference not in cache:
            cache[reference] = find_competence(reference)
        tagging.competence = cache[reference]
        if tagging.competence is None:
            tagging.problems.append(
                f"unknown competence {reference!r}: write it as framework id number / competence id "
                "number, e.g. competence:DIGCOMP-2.2/4.2"
            )
    if len(set(levels)) > 1:
        tagging.problems.append("a question has one level, but this one is tagged with several")
    elif levels:
        if re.fullmatch(r"\d{1,3}", levels[0]):
            tagging.level = int(levels[0])
            if problem := level_problem(tagging.competence, tagging.level):
                tagging.problems.append(problem)
        else:
            tagging.problems.append(f"the level {levels[0]!r} is not a whole number")
    return tagging


def tags_of(question: Question) -> list[str]:
    """A question's tags as a file carries them: competence and level first, then the others."""
    tags = []
    if question.competence is not None:
        tags.append(COMPETENCE_TAG + competence_reference(question.competence))
    if question.level is not None:
        tags.append(f"{LEVEL_TAG}{question.level}")
    return tags + list(question.tags or [])


# --- import --------------------------------------------------------------------------------------------


@dataclass
class PlannedQuestion:
    """What importing one parsed question will do: create a question, or update ``existing``."""

    parsed: ParsedQuestion
    category: str  # its category's path
    competence: Competence | None
    level: int | None
    tags: list[str]
    existing: Question | None = None

    @property
    def action(self) -> str:
        return "create" if self.existing is None else "update"


@dataclass
class ImportPlan:
    questions: list[PlannedQuestion] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for planned in self.questions if planned.action == action)


def question_name(parsed: ParsedQuestion) -> str:
    """The question's name, or (as Moodle does when a file gives none) the start of its text."""
    name = " ".join(parsed.name.split())
    if not name:
        name = " ".join(re.sub(r"<[^>]*>", " ", parsed.text).split())
    if len(name) > 255:
        name = name[:254].rstrip() + "…"
    return name or "—"


def _question_problems(parsed: ParsedQuestion, path: str) -> list[str]:
    problems = []
    if parsed.type not in TYPES:
        problems.append(f"unknown question type {parsed.type!r}")
    if parsed.format not in FORMATS:
        problems.append(f"unknown text format {parsed.format!r}")
    if len(parsed.idnumber) > 100:
        problems.append("the id number is longer than 100 characters")
    if problem := _path_problem(path):
        problems.append(problem)
    return problems


def plan_import(parsed: Sequence[ParsedQuestion], category: str | None = None) -> ImportPlan:
    """Check every question and say what importing it would do; writes nothing.

    A question goes to the category its file names (``$CATEGORY:``), else to ``category``, else to
    "Top". Raises FormatError with every problem, by line, when any question cannot be imported."""
    plan = ImportPlan()
    problems: list[tuple[int, str]] = []
    competences: dict[str, Competence | None] = {}
    seen: dict[tuple[str, str], int] = {}
    for question in parsed:
        path = normalise_path(question.category or category or "") or DEFAULT_CATEGORY
        tagging = read_tags(question.tags, competences)
        own = _question_problems(question, path) + tagging.problems
        existing = None
        if question.idnumber:
            key = (path, question.idnumber)
            if key in seen:
                own.append(
                    f"the id number {question.idnumber!r} is already used in this file "
                    f"(line {seen[key]}) for a question of the same category"
                )
            seen[key] = question.line
            existing = db.session.scalar(
                select(Question)
                .join(QuestionCategory, Question.category_id == QuestionCategory.id)
                .where(QuestionCategory.path == path, Question.idnumber == question.idnumber)
                .order_by(Question.id)
                .limit(1)
            )
        problems.extend((question.line, problem) for problem in own)
        plan.questions.append(
            PlannedQuestion(question, path, tagging.competence, tagging.level, tagging.tags, existing)
        )
    if problems:
        raise FormatError(problems)
    return plan


def _answers(parsed: ParsedQuestion) -> list[Answer]:
    return [
        Answer(
            position=position,
            text=answer.text,
            fraction=float(answer.fraction),
            feedback=answer.feedback or "",
            tolerance=answer.tolerance if parsed.type == NUMERICAL else None,
            match=answer.match if parsed.type == MATCHING else None,
        )
        for position, answer in enumerate(parsed.answers)
    ]


def fill_question(
    question: Question,
    parsed: ParsedQuestion,
    competence: Competence | None,
    level: int | None,
    tags: list[str] | None = None,
) -> None:
    """Copy ``parsed`` (text, answers, feedback) onto ``question``, replacing its answers."""
    question.name = question_name(parsed)
    question.type = parsed.type
    question.text = parsed.text
    question.format = parsed.format
    question.general_feedback = parsed.general_feedback or ""
    question.idnumber = parsed.idnumber or ""
    question.competence = competence
    question.level = level
    if tags is not None:
        question.tags = list(tags)
    question.answers = _answers(parsed)


@dataclass(frozen=True)
class ImportedQuestion:
    question: Question
    created: bool
    line: int


def apply_plan(plan: ImportPlan) -> list[ImportedQuestion]:
    """Create or update the planned questions (flushes; the caller commits)."""
    done = []
    categories: dict[str, QuestionCategory] = {}
    for planned in plan.questions:
        if planned.category not in categories:
            categories[planned.category] = category_for_path(planned.category)
        question = planned.existing
        if question is None:
            question = Question(category=categories[planned.category])
            db.session.add(question)
        fill_question(question, planned.parsed, planned.competence, planned.level, planned.tags)
        done.append(ImportedQuestion(question, planned.existing is None, planned.parsed.line))
    db.session.flush()
    return done


def import_questions(parsed: Sequence[ParsedQuestion], category: str | None = None) -> list[ImportedQuestion]:
    """Import every question or none: FormatError (with every problem by line) when any is wrong.

    Flushes; the caller commits."""
    return apply_plan(plan_import(parsed, category))


# --- export --------------------------------------------------------------------------------------------


def to_parsed(question: Question) -> ParsedQuestion:
    """A bank question as plain data, as a file would give it back (its tags included)."""
    return ParsedQuestion(
        name=question.name,
        type=question.type,
        text=question.text,
        format=question.format,
        category=question.category.path,
        answers=[
            ParsedAnswer(
                text=answer.text,
                fraction=answer.fraction,
                feedback=answer.feedback,
                tolerance=answer.tolerance,
                match=answer.match,
            )
            for answer in question.answers
        ],
        general_feedback=question.general_feedback,
        idnumber=question.idnumber,
        tags=tags_of(question),
    )


def questions_below(category: QuestionCategory) -> Sequence[Question]:
    """The questions of a category and of the categories under it, by category path, then age."""
    return db.session.scalars(
        select(Question)
        .join(QuestionCategory, Question.category_id == QuestionCategory.id)
        .where(
            or_(
                QuestionCategory.id == category.id,
                QuestionCategory.path.startswith(category.path + "/", autoescape=True),
            )
        )
        .order_by(QuestionCategory.path, Question.id)
        .options(
            selectinload(Question.answers),
            selectinload(Question.category),
            selectinload(Question.competence).selectinload(Competence.framework),
        )
    ).all()


def _dump(questions: list[ParsedQuestion], fmt: str) -> str:
    if fmt == "gift":
        from courses.questions.formats.gift import dump_gift

        return dump_gift(questions)
    if fmt == "aiken":
        from courses.questions.formats.aiken import dump_aiken

        return dump_aiken(questions)
    raise ValueError(f"unknown format {fmt!r}")


def _category_questions(category_path: str) -> list[ParsedQuestion]:
    category = category_by_path(category_path)
    if category is None:
        raise CategoryNotFound(category_path)
    return [to_parsed(question) for question in questions_below(category)]


def export_questions(category_path: str, fmt: str) -> str:
    """The category's questions (its sub-categories' too) as a GIFT or Aiken file.

    Raises CategoryNotFound, and FormatError when a question cannot be written in ``fmt``."""
    return _dump(_category_questions(category_path), fmt)


@dataclass(frozen=True)
class Export:
    text: str
    count: int  # questions written
    skipped: list[str]  # why each question left out could not be written ("“name”: …")


def export_category(category_path: str, fmt: str) -> Export:
    """As :func:`export_questions`, but leaving out the questions ``fmt`` cannot hold (Aiken holds
    single-choice questions only) and saying why, instead of refusing the whole category."""
    questions = _category_questions(category_path)
    try:
        return Export(_dump(questions, fmt), len(questions), [])
    except FormatError as error:
        unwritable = {position for position, _ in error.problems}
        kept = [
            question for position, question in enumerate(questions, start=1) if position not in unwritable
        ]
        text = _dump(kept, fmt) if kept else ""
        return Export(text, len(kept), [message for _, message in error.problems])


def parse_file(text: str, fmt: str, category: str = "") -> list[ParsedQuestion]:
    """Read a GIFT or Aiken file; FormatError lists every malformed question by line."""
    text = text.removeprefix("\ufeff")
    if fmt == "gift":
        from courses.questions.formats.gift import parse_gift

        return parse_gift(text, category=category)
    if fmt == "aiken":
        from courses.questions.formats.aiken import parse_aiken

        return parse_aiken(text, category=category)
    raise ValueError(f"unknown format {fmt!r}")


# --- counts for the bank's pages -----------------------------------------------------------------------


def question_counts() -> dict[int, int]:
    """{category id: number of its own questions}."""
    rows = db.session.execute(select(Question.category_id, func.count()).group_by(Question.category_id))
    return {category_id: count for category_id, count in rows}


@dataclass
class CompetenceCounts:
    """Questions of one competence (None: untagged), by level (None: no level)."""

    competence: Competence | None
    by_level: dict[int | None, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_level.values())


def counts_by_competence_and_level(category_ids: Sequence[int] | None = None) -> list[CompetenceCounts]:
    """How many questions each competence has at each level, in framework and tree order; for the
    given categories only when ``category_ids`` is given."""
    query = select(Question.competence_id, Question.level, func.count()).group_by(
        Question.competence_id, Question.level
    )
    if category_ids is not None:
        query = query.where(Question.category_id.in_(category_ids))
    rows = db.session.execute(query).all()
    ids = {competence_id for competence_id, _, _ in rows if competence_id is not None}
    competences = {
        competence.id: competence
        for competence in db.session.scalars(
            select(Competence).where(Competence.id.in_(ids)).options(selectinload(Competence.framework))
        )
    }
    table: dict[int | None, CompetenceCounts] = {}
    for competence_id, level, count in rows:
        known = competences.get(competence_id) if competence_id is not None else None
        entry = table.setdefault(competence_id, CompetenceCounts(known))
        entry.by_level[level] = entry.by_level.get(level, 0) + count

    def order(entry: CompetenceCounts) -> tuple[int, str, str]:
        if entry.competence is None:
            return (1, "", "")
        return (0, entry.competence.framework.idnumber, entry.competence.path)

    return sorted(table.values(), key=order)
