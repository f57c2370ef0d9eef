"""Framework services: trees, levels, minimum profiles, Moodle CSV import and export, shipped data.

They flush and log, never commit.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, delete, func, insert, or_, select

from courses.frameworks import moodle_csv
from courses.frameworks.models import (
    Competence,
    Framework,
    MinimumProfile,
    ProficiencyLevel,
    ProfileRequirement,
    competence_crossref,
    job_profile,
)
from lms.accounts.models import Job, User
from lms.extensions import db
from lms.i18n import Translated

log = logging.getLogger("courses.frameworks")

DATA = Path(__file__).parent / "data"
SHIPPED_FRAMEWORKS = ("digcomp-2.2.json", "digcomp-3.0.json", "tsyfrohram.json")
SHIPPED_PROFILES = "profiles.json"
KASKAD = "kaskad"  # the translated_by mark of the team's own translations
MAX_DEPTH = 50  # a path of "/0000/" segments fits in 255 characters
MAX_SIBLINGS = 9999


# --- finding --------------------------------------------------------------------------------------


def frameworks() -> list[Framework]:
    return list(db.session.scalars(select(Framework).order_by(Framework.idnumber)))


def by_idnumber(idnumber: str) -> Framework | None:
    return db.session.scalar(select(Framework).where(Framework.idnumber == idnumber))


def reference(competence: Competence) -> str:
    """``DIGCOMP-2.2/4.2``: how course packages name a competence."""
    return f"{competence.framework.idnumber}/{competence.idnumber}"


def by_references(references: Iterable[str]) -> dict[str, Competence]:
    """The competences named ``FRAMEWORK/IDNUMBER`` (those that exist), in one query."""
    wanted = {tuple(ref.split("/", 1)) for ref in references if "/" in ref}
    if not wanted:
        return {}
    query = (
        select(Competence, Framework.idnumber)
        .join(Competence.framework)
        .where(or_(*((Framework.idnumber == fw) & (Competence.idnumber == c) for fw, c in wanted)))
    )
    rows = db.session.execute(query)
    return {f"{framework}/{competence.idnumber}": competence for competence, framework in rows}


def competences_of(framework: Framework) -> dict[str, Competence]:
    """id number -> competence, for the whole framework in one query."""
    query = select(Competence).where(Competence.framework_id == framework.id)
    return {competence.idnumber: competence for competence in db.session.scalars(query)}


def by_ids(ids: Iterable[int]) -> list[Competence]:
    """The competences with these ids, in framework and tree order."""
    ids = set(ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(Competence)
            .where(Competence.id.in_(ids))
            .order_by(Competence.framework_id, Competence.path)
        )
    )


def all_competences() -> list[Competence]:
    """Every competence of every framework, by framework and in tree order."""
    return list(
        db.session.scalars(
            select(Competence).join(Competence.framework).order_by(Framework.idnumber, Competence.path)
        )
    )


def in_order(competences: Iterable[Competence]) -> list[Competence]:
    """Competences sorted as packages write them: by framework id number, then in tree order."""
    return sorted(competences, key=lambda competence: (competence.framework.idnumber, competence.path))


# --- trees ----------------------------------------------------------------------------------------


@dataclass
class Node:
    competence: Competence
    children: list[Node] = field(default_factory=list)

    def descendants(self) -> Iterator[Competence]:
        for child in self.children:
            yield child.competence
            yield from child.descendants()


def tree(framework: Framework) -> list[Node]:
    """The framework's competences as nested nodes (the top ones are its areas), in one query."""
    nodes: dict[int, Node] = {}
    roots: list[Node] = []
    query = select(Competence).where(Competence.framework_id == framework.id).order_by(Competence.path)
    for competence in db.session.scalars(query):  # parents come before their children in path order
        node = nodes[competence.id] = Node(competence)
        parent = nodes.get(competence.parent_id) if competence.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def areas(framework: Framework) -> list[Competence]:
    return [node.competence for node in tree(framework)]


def competence_groups() -> list[tuple[Framework, list[Node]]]:
    """Every framework with its tree: what the "Competences taught" checkboxes are grouped by."""
    return [(framework, tree(framework)) for framework in frameworks()]


def leaves(framework: Framework) -> list[Competence]:
    """The competences without children (DigComp 2.2's 21), in tree order."""
    parents = select(Competence.parent_id).where(Competence.parent_id.is_not(None))
    return list(
        db.session.scalars(
            select(Competence)
            .where(Competence.framework_id == framework.id, Competence.id.not_in(parents))
            .order_by(Competence.path)
        )
    )


def related_of(competence_ids: Iterable[int]) -> dict[int, list[Competence]]:
    """Cross-referenced competences of each competence (any framework), in one query."""
    ids = list(competence_ids)
    if not ids:
        return {}
    query = (
        select(competence_crossref.c.competence_id, Competence)
        .join(Competence, Competence.id == competence_crossref.c.related_id)
        .where(competence_crossref.c.competence_id.in_(ids))
        .order_by(Competence.framework_id, Competence.path)
    )
    result: dict[int, list[Competence]] = defaultdict(list)
    for owner, related in db.session.execute(query):
        result[owner].append(related)
    return result


# --- levels ---------------------------------------------------------------------------------------


def level_numbers(framework: Framework) -> list[int]:
    return [level.number for level in framework.levels]


def level_name(framework: Framework, number: int | None) -> str:
    """``Intermediate 3`` (in the current language) for a level number of the framework, or ""."""
    level = next((level for level in framework.levels if level.number == number), None)
    return str(level.name) if level else ""


def level_choices(framework: Framework) -> list[tuple[int, str]]:
    """(number, "3 — Intermediate 3") for a select of the framework's levels."""
    return [(level.number, f"{level.number} — {level.name}") for level in framework.levels]


# --- minimum profiles -----------------------------------------------------------------------------


def profiles() -> list[MinimumProfile]:
    return list(db.session.scalars(select(MinimumProfile).order_by(MinimumProfile.code)))


def profile_by_code(code: str) -> MinimumProfile | None:
    return db.session.scalar(select(MinimumProfile).where(MinimumProfile.code == code))


def profile_for(user: User | None) -> MinimumProfile | None:
    """The minimum profile the person's job selects, or None (no job, or a job without a profile)."""
    job_id = getattr(user, "job_id", None)
    if not job_id:
        return None
    return db.session.scalar(
        select(MinimumProfile)
        .join(job_profile, job_profile.c.profile_id == MinimumProfile.id)
        .where(job_profile.c.job_id == job_id)
    )


def requirements_of(profile: MinimumProfile) -> dict[int, int]:
    """competence id -> minimum level number."""
    return {requirement.competence_id: requirement.level for requirement in profile.requirements}


def set_requirements(profile: MinimumProfile, levels: dict[int, int | None]) -> None:
    """Set the minimum level of each competence named (None: not required); others stay as they are."""
    current = {requirement.competence_id: requirement for requirement in profile.requirements}
    for competence_id, level in levels.items():
        requirement = current.get(competence_id)
        if level is None:
            if requirement is not None:
                profile.requirements.remove(requirement)
        elif requirement is None:
            profile.requirements.append(ProfileRequirement(competence_id=competence_id, level=level))
        else:
            requirement.level = level
    db.session.flush()


def jobs() -> list[Job]:
    return list(db.session.scalars(select(Job).order_by(Job.position, Job.code)))


def profile_of_jobs() -> dict[int, int]:
    """job id -> the id of the profile it selects."""
    return {job_id: profile_id for job_id, profile_id in db.session.execute(select(job_profile))}


def jobs_of(profile: MinimumProfile) -> list[Job]:
    return list(
        db.session.scalars(
            select(Job)
            .join(job_profile, job_profile.c.job_id == Job.id)
            .where(job_profile.c.profile_id == profile.id)
            .order_by(Job.position, Job.code)
        )
    )


def set_jobs(profile: MinimumProfile, job_ids: Iterable[int]) -> None:
    """The jobs that select ``profile``: exactly these (a job moves here from another profile)."""
    wanted = set(job_ids)
    db.session.execute(
        delete(job_profile).where(
            or_(job_profile.c.profile_id == profile.id, job_profile.c.job_id.in_(wanted))
        )
    )
    if wanted:
        db.session.execute(
            insert(job_profile), [{"job_id": job_id, "profile_id": profile.id} for job_id in sorted(wanted)]
        )
    db.session.flush()


def create_profile(code: str, name: Translated, framework: Framework) -> MinimumProfile:
    profile = MinimumProfile(code=code, name=name, framework=framework)
    db.session.add(profile)
    db.session.flush()
    log.info("minimum profile %s created over %s", code, framework.idnumber)
    return profile


# --- import ---------------------------------------------------------------------------------------


class FrameworkImportError(Exception):
    """A framework file that cannot be imported; ``problems`` holds every ``(line, message)``."""

    def __init__(self, problems: Iterable[tuple[int, str]]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem[0])
        super().__init__("\n".join(f"{line}: {message}" for line, message in self.problems))


@dataclass
class ImportPlan:
    """What importing a file would do, or why it cannot be imported (``problems``)."""

    lang: str
    framework_row: moodle_csv.Row | None = None
    rows: list[moodle_csv.Row] = field(default_factory=list)  # the competences, parents first
    existing: Framework | None = None
    created: list[str] = field(default_factory=list)  # id numbers
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)  # names, from the framework's scale
    problems: list[tuple[int, str]] = field(default_factory=list)
    depths: dict[str, int] = field(default_factory=dict)  # id number -> 1 for an area, 2 below it…

    @property
    def is_valid(self) -> bool:
        return not self.problems and self.framework_row is not None

    @property
    def idnumber(self) -> str:
        return self.framework_row.idnumber if self.framework_row else ""

    @property
    def shortname(self) -> str:
        return self.framework_row.shortname if self.framework_row else ""


def _check_lang(lang: str) -> None:
    if lang not in current_app.config["LMS_LOCALES"]:
        raise ValueError(f"unknown language {lang!r}")


def check_framework(rows: Iterable[moodle_csv.Row], lang: str) -> ImportPlan:
    """Read and check every row (nothing is written): the plan, with every problem found."""
    _check_lang(lang)
    plan = ImportPlan(lang)
    problems = plan.problems
    read: list[moodle_csv.Row] = []
    try:
        for row in rows:
            read.append(row)
    except moodle_csv.FileProblem as error:
        problems.extend(error.problems)
    framework_rows = [row for row in read if row.is_framework]
    competence_rows = [row for row in read if not row.is_framework]
    for row in read:
        problems.extend((row.line, problem) for problem in row.problems)
    if not framework_rows and read:
        problems.append((1, _("No row describes the framework: one row must have “Is framework” set to 1.")))
    for extra in framework_rows[1:]:
        problems.append(
            (
                extra.line,
                _("A second framework row (the framework is on line %(line)s).", line=framework_rows[0].line),
            )
        )
    framework_row = plan.framework_row = framework_rows[0] if framework_rows else None
    if framework_row is not None:
        _check_names(framework_row, problems)
        if len(framework_row.taxonomy) > 255:
            problems.append((framework_row.line, _("The taxonomy is longer than 255 characters.")))
    plan.rows = _check_tree(competence_rows, framework_row, problems, plan.depths)
    if framework_row is not None and framework_row.idnumber:
        plan.existing = by_idnumber(framework_row.idnumber)
        plan.levels = moodle_csv.scale_items(framework_row.scale_values)
    existing = set()
    if plan.existing is not None:
        existing = set(
            db.session.scalars(select(Competence.idnumber).where(Competence.framework_id == plan.existing.id))
        )
    in_file = [row.idnumber for row in plan.rows]
    plan.created = [idnumber for idnumber in in_file if idnumber not in existing]
    plan.updated = [idnumber for idnumber in in_file if idnumber in existing]
    plan.removed = sorted(existing - set(in_file))
    plan.problems.sort(key=lambda problem: problem[0])
    return plan


def _check_names(row: moodle_csv.Row, problems: list[tuple[int, str]]) -> None:
    if not row.idnumber:
        problems.append((row.line, _("The ID number is empty.")))
    elif len(row.idnumber) > moodle_csv.MAX_IDNUMBER:
        problems.append((row.line, _("The ID number is longer than 100 characters.")))
    if not row.shortname:
        problems.append((row.line, _("The short name is empty.")))


def _check_tree(
    rows: list[moodle_csv.Row],
    framework_row: moodle_csv.Row | None,
    problems: list[tuple[int, str]],
    depths: dict[str, int],
) -> list[moodle_csv.Row]:
    """Check id numbers, parents and cross-references; the rows in tree order (parents first, siblings
    in file order), those that cannot be placed left out."""
    first_line: dict[str, int] = {}
    unique: list[moodle_csv.Row] = []
    for row in rows:
        _check_names(row, problems)
        if not row.idnumber:
            continue
        if row.idnumber in first_line:
            problems.append(
                (
                    row.line,
                    _(
                        "The ID number “%(idnumber)s” is already used on line %(line)s.",
                        idnumber=row.idnumber,
                        line=first_line[row.idnumber],
                    ),
                )
            )
            continue
        first_line[row.idnumber] = row.line
        unique.append(row)
    framework_idnumber = framework_row.idnumber if framework_row else None
    children: dict[str, list[moodle_csv.Row]] = defaultdict(list)
    for row in unique:
        parent = row.parent
        if parent and parent not in first_line and parent == framework_idnumber:
            parent = ""  # some tools name the framework as the parent of its areas
        if parent and parent not in first_line:
            problems.append(
                (
                    row.line,
                    _("The parent ID number “%(parent)s” is not in the file.", parent=row.parent),
                )
            )
            continue
        children[parent].append(row)
        for related in row.related:
            if related == row.idnumber:
                problems.append((row.line, _("A competence cannot be cross-referenced to itself.")))
            elif related not in first_line:
                problems.append(
                    (
                        row.line,
                        _(
                            "The cross-referenced ID number “%(idnumber)s” is not in the file.",
                            idnumber=related,
                        ),
                    )
                )
    for siblings in children.values():
        if len(siblings) > MAX_SIBLINGS:
            problems.append(
                (siblings[MAX_SIBLINGS].line, _("More than 9999 competences have the same parent."))
            )
    # Depth first, parents before children and siblings in file order; iteratively, so that a deep
    # file cannot exhaust Python's stack.
    ordered: list[moodle_csv.Row] = []
    stack = [(row, 1) for row in reversed(children.get("", []))]
    while stack:
        row, depth = stack.pop()
        depths[row.idnumber] = depth
        if depth > MAX_DEPTH:
            problems.append((row.line, _("The tree is nested more than 50 levels deep here.")))
        else:
            ordered.append(row)
        stack.extend((child, depth + 1) for child in reversed(children.get(row.idnumber, [])))
    for parent, rows_below in children.items():
        for row in rows_below:
            if row.idnumber not in depths:
                problems.append(
                    (
                        row.line,
                        _(
                            "The competence cannot be placed in the tree: its parents form a loop "
                            "(through “%(parent)s”).",
                            parent=parent,
                        ),
                    )
                )
    return ordered


def import_framework(rows: Iterable[moodle_csv.Row], lang: str) -> Framework:
    """Create a framework from Moodle CSV rows, or update the one with the same ID number: its tree
    (parents, order, cross-references within it, rules, scales; competences not in the file go) and the
    texts of ``lang`` only. Raise :class:`FrameworkImportError` with every problem; then nothing
    has been written."""
    plan = check_framework(rows, lang)
    if not plan.is_valid:
        raise FrameworkImportError(plan.problems or [(1, _("The file has no rows."))])
    return apply_plan(plan)


def apply_plan(plan: ImportPlan) -> Framework:
    """Write a valid plan of :func:`check_framework`."""
    row = plan.framework_row
    if not plan.is_valid or row is None:
        raise FrameworkImportError(plan.problems or [(1, _("The file has no rows."))])
    lang = plan.lang
    framework = plan.existing
    if framework is None:
        framework = Framework(idnumber=row.idnumber, shortname={}, description={}, translated_by={})
        db.session.add(framework)
    _set_text(framework, "shortname", lang, row.shortname)
    _set_text(framework, "description", lang, row.description)
    framework.description_format = row.description_format
    framework.scale_values = row.scale_values
    framework.scale_configuration = row.scale_configuration
    framework.taxonomy = row.taxonomy
    if plan.levels:
        _apply_levels(framework, plan.levels, lang)
    db.session.flush()

    existing = competences_of(framework)
    placed: dict[str, Competence] = {}
    counts: dict[str, int] = defaultdict(int)
    for entry in plan.rows:  # parents come first
        competence = existing.pop(entry.idnumber, None)
        if competence is None:
            competence = Competence(
                framework=framework, idnumber=entry.idnumber, shortname={}, description={}, translated_by={}
            )
            db.session.add(competence)
        parent = placed.get(entry.parent)
        position = counts[parent.idnumber if parent else ""]
        counts[parent.idnumber if parent else ""] += 1
        competence.parent = parent
        competence.position = position
        competence.path = f"{parent.path if parent else '/'}{position:04d}/"
        _set_text(competence, "shortname", lang, entry.shortname)
        _set_text(competence, "description", lang, entry.description)
        competence.description_format = entry.description_format
        competence.scale_values = entry.scale_values
        competence.scale_configuration = entry.scale_configuration
        competence.rule_type = entry.rule_type
        competence.rule_outcome = entry.rule_outcome
        competence.rule_config = entry.rule_config
        placed[entry.idnumber] = competence
    gone = list(existing.values())
    db.session.flush()
    _replace_crossrefs(framework, placed, plan.rows, gone)
    for competence in sorted(gone, key=lambda competence: competence.path, reverse=True):
        db.session.expire(competence, ["related", "children"])  # their rows changed above
        db.session.delete(competence)  # children first
    db.session.flush()
    db.session.expire(framework)
    log.info(
        "framework %s imported (%s): %s created, %s updated, %s removed",
        framework.idnumber,
        lang,
        len(plan.created),
        len(plan.updated),
        len(plan.removed),
    )
    return framework


def _set_text(target: Any, name: str, lang: str, text: str) -> None:
    """Set the ``lang`` text of a translated attribute; a change drops the "translated by Kaskad" mark of
    that language (the text is no longer the team's). Text that only repeats what the export wrote in
    the language's place (another language's text, as a fallback) changes nothing."""
    current = Translated(getattr(target, name) or {})
    if lang not in current and text and text == current.in_locale(lang):
        return
    if current.get(lang, "") == text:
        return
    updated = {code: value for code, value in current.items() if code != lang}
    if text:
        updated[lang] = text
    setattr(target, name, Translated(updated))
    marks = dict(target.translated_by or {})
    if marks.pop(lang, None) is not None:
        target.translated_by = marks


def _apply_levels(framework: Framework, names: list[str], lang: str) -> None:
    levels = {level.number: level for level in framework.levels}
    for number, name in enumerate(names, start=1):
        level = levels.pop(number, None)
        if level is None:
            level = ProficiencyLevel(number=number, name={}, translated_by={})
            framework.levels.append(level)
        _set_text(level, "name", lang, name)
    for level in levels.values():
        framework.levels.remove(level)


def _replace_crossrefs(
    framework: Framework, placed: dict[str, Competence], rows: list[moodle_csv.Row], gone: list[Competence]
) -> None:
    """Cross-references within the framework become the file's (both ways, as Moodle keeps them);
    those to other frameworks stay, except those of competences that go."""
    ours = select(Competence.id).where(Competence.framework_id == framework.id)
    db.session.execute(
        delete(competence_crossref).where(
            competence_crossref.c.competence_id.in_(ours), competence_crossref.c.related_id.in_(ours)
        )
    )
    gone_ids = [competence.id for competence in gone]
    if gone_ids:
        db.session.execute(
            delete(competence_crossref).where(
                or_(
                    competence_crossref.c.competence_id.in_(gone_ids),
                    competence_crossref.c.related_id.in_(gone_ids),
                )
            )
        )
    pairs: set[tuple[int, int]] = set()
    for row in rows:
        for related in row.related:
            one, other = placed[row.idnumber].id, placed[related].id
            pairs |= {(one, other), (other, one)}
    if pairs:
        db.session.execute(
            insert(competence_crossref),
            [{"competence_id": one, "related_id": other} for one, other in sorted(pairs)],
        )
    for competence in placed.values():
        db.session.expire(competence, ["related"])


# --- export ---------------------------------------------------------------------------------------


def export_rows(framework: Framework, lang: str) -> Iterator[list[Any]]:
    """The framework's rows in Moodle's layout (without the header), texts in ``lang`` (another
    language's where it has none), parents before children."""
    _check_lang(lang)
    levels = [level.name.in_locale(lang) for level in framework.levels]
    scale_values = ",".join(name.replace(",", " ") for name in levels) if levels else framework.scale_values
    configuration = framework.scale_configuration
    if levels and (not configuration or moodle_csv._scale_problems(scale_values, configuration)):
        configuration = _scale_configuration(len(levels))
    yield [
        "",
        framework.idnumber,
        framework.shortname.in_locale(lang),
        Translated(framework.description or {}).in_locale(lang),
        framework.description_format,
        scale_values,
        configuration,
        "",
        "",
        "",
        "",
        "",
        1,
        framework.taxonomy,
    ]
    ids = select(Competence.id, Competence.idnumber).where(Competence.framework_id == framework.id)
    idnumbers = {competence_id: idnumber for competence_id, idnumber in db.session.execute(ids)}
    related: dict[int, list[str]] = defaultdict(list)
    crossrefs = (
        select(competence_crossref.c.competence_id, Competence.idnumber)
        .join(Competence, Competence.id == competence_crossref.c.related_id)
        .where(competence_crossref.c.competence_id.in_(idnumbers), Competence.framework_id == framework.id)
        .order_by(Competence.path)
    )
    for owner, idnumber in db.session.execute(crossrefs):
        related[owner].append(idnumber)
    query = select(Competence).where(Competence.framework_id == framework.id).order_by(Competence.path)
    for competence in db.session.scalars(query.execution_options(yield_per=500)):
        yield [
            idnumbers.get(competence.parent_id, "") if competence.parent_id else "",
            competence.idnumber,
            competence.shortname.in_locale(lang),
            Translated(competence.description or {}).in_locale(lang),
            competence.description_format,
            competence.scale_values,
            competence.scale_configuration,
            competence.rule_type,
            competence.rule_outcome or "0",
            competence.rule_config or "null",
            moodle_csv.related_cell(related.get(competence.id, [])),
            competence.id,
            "",
            "",
        ]


def _scale_configuration(count: int) -> str:
    """Moodle's scale configuration for the framework's levels: the first is the default, every level
    shows proficiency (at that level)."""
    items = [
        {"id": number, "scaledefault": int(number == 1), "proficient": 1} for number in range(1, count + 1)
    ]
    return json.dumps([{"scaleid": "0"}, *items], separators=(",", ":"))


def export_framework(framework: Framework, lang: str, file: IO[str]) -> int:
    """Write the framework as Moodle CSV to a text file, row by row; the number of rows written."""
    return moodle_csv.write_rows(export_rows(framework, lang), file)


def export_lines(framework: Framework, lang: str) -> Iterator[str]:
    """The same file as lines of text, for a streamed download."""
    yield "\ufeff" + moodle_csv.csv_line(moodle_csv.header())
    for row in export_rows(framework, lang):
        yield moodle_csv.csv_line(row)


# --- shipped data ---------------------------------------------------------------------------------


@dataclass
class Loaded:
    frameworks: int = 0
    competences: int = 0
    levels: int = 0
    profiles: int = 0


def shipped_idnumbers() -> set[str]:
    """The id numbers of the frameworks Kaskad ships (DIGCOMP-2.2…)."""
    return {json.loads((DATA / name).read_text(encoding="utf-8"))["idnumber"] for name in SHIPPED_FRAMEWORKS}


def load_shipped() -> Loaded:
    """Load the shipped frameworks and minimum profiles: what is missing is created, what exists is
    left as it is (an admin's edits and imports are kept), so loading twice changes nothing."""
    loaded = Loaded()
    created: list[tuple[Competence, list[str]]] = []
    for name in SHIPPED_FRAMEWORKS:
        data = json.loads((DATA / name).read_text(encoding="utf-8"))
        _load_framework(data, loaded, created)
    db.session.flush()
    references = by_references(ref for _competence, refs in created for ref in refs)
    for competence, refs in created:
        for ref in refs:
            other = references.get(ref)
            if other is None:
                raise ValueError(f"{ref}: no such competence in the shipped data")
            for one, two in ((competence, other), (other, competence)):
                if two not in one.related:
                    one.related.append(two)
    _load_profiles(json.loads((DATA / SHIPPED_PROFILES).read_text(encoding="utf-8")), loaded)
    db.session.flush()
    if loaded.frameworks or loaded.competences or loaded.profiles:
        log.info(
            "shipped data loaded: %s frameworks, %s competences, %s levels, %s profiles",
            loaded.frameworks,
            loaded.competences,
            loaded.levels,
            loaded.profiles,
        )
    return loaded


def _load_framework(
    data: dict[str, Any], loaded: Loaded, created: list[tuple[Competence, list[str]]]
) -> None:
    framework = by_idnumber(data["idnumber"])
    if framework is None:
        framework = Framework(
            idnumber=data["idnumber"],
            shortname=data["shortname"],
            description=data.get("description", {}),
            description_format=data.get("description_format", 1),
            taxonomy=data.get("taxonomy", ""),
            translated_by=data.get("translated_by", {}),
        )
        db.session.add(framework)
        loaded.frameworks += 1
    numbers = {level.number for level in framework.levels}
    for level in data.get("levels", []):
        if level["number"] not in numbers:
            framework.levels.append(
                ProficiencyLevel(
                    number=level["number"], name=level["name"], translated_by=level.get("translated_by", {})
                )
            )
            loaded.levels += 1
    db.session.flush()
    existing = competences_of(framework)
    pending: list[tuple[Competence | None, int, dict[str, Any]]] = [
        (None, position, entry) for position, entry in enumerate(data.get("competences", []))
    ]
    while pending:
        parent, position, entry = pending.pop(0)
        competence = existing.get(entry["idnumber"])
        if competence is None:
            competence = Competence(
                framework=framework,
                parent=parent,
                idnumber=entry["idnumber"],
                shortname=entry["shortname"],
                description=entry.get("description", {}),
                translated_by=entry.get("translated_by", {}),
                position=position,
                path=f"{parent.path if parent else '/'}{position:04d}/",
            )
            db.session.add(competence)
            existing[competence.idnumber] = competence
            created.append((competence, entry.get("related", [])))
            loaded.competences += 1
        pending.extend((competence, index, child) for index, child in enumerate(entry.get("children", [])))


def _load_profiles(data: dict[str, Any], loaded: Loaded) -> None:
    for entry in data["profiles"]:
        if profile_by_code(entry["code"]) is not None:
            continue
        framework = by_idnumber(entry["framework"])
        if framework is None:
            raise ValueError(f"{entry['code']}: no framework {entry['framework']}")
        profile = create_profile(entry["code"], Translated(entry["name"]), framework)
        competences = competences_of(framework)
        for idnumber, level in entry["levels"].items():
            profile.requirements.append(ProfileRequirement(competence=competences[idnumber], level=level))
        taken = set(profile_of_jobs())
        job_ids = [
            job.id
            for job in db.session.scalars(select(Job).where(Job.code.in_(entry.get("jobs", []))))
            if job.id not in taken
        ]
        if job_ids:
            set_jobs(profile, job_ids)
        loaded.profiles += 1


def counts(framework: Framework) -> tuple[int, int]:
    """(competences, of which top ones) of a framework."""
    total, top = db.session.execute(
        select(
            func.count(Competence.id),
            func.coalesce(func.sum(case((Competence.parent_id.is_(None), 1), else_=0)), 0),
        ).where(Competence.framework_id == framework.id)
    ).one()
    return int(total), int(top)
