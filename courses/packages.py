"""Course packages: a folder or a ``.zip`` with ``course.yaml`` at its root plus Markdown and media files.

``import_packages`` reads every package, validates all of them (the JSON Schema in
``course.schema.json``, then the rules a schema cannot express) and only then creates or updates the
courses in place by their stable ids, so learners' progress survives a new release. Every problem is
reported with its file, line and field (``course.yaml:14: modules[1].items[0].kind: must be one of …``);
when there is any, the database is left as it was. ``export_course`` writes a course back as a package,
deterministically: the same course always gives the same bytes.

A ``.zip`` is never extracted: members are read into memory one at a time, after its directory was
checked (no absolute paths, no ``..``, no symbolic links, at most ``MAX_ENTRIES`` entries and
``MAX_TOTAL_BYTES`` in all, no entry over ``COURSES_MAX_MEDIA_MB``), and reading stops as soon as an
entry gives more than it declared.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from flask import current_app
from jsonschema import Draft202012Validator, ValidationError
from sqlalchemy import delete, inspect, select, update
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from courses.models import Completion, Course, Enrolment, Item, ItemCompletion, Media, Module, Status
from lms.extensions import db
from lms.i18n import Translated

MANIFEST = "course.yaml"
SCHEMA_FILE = Path(__file__).with_name("course.schema.json")
MAX_ENTRIES = 2000  # files in a .zip
MAX_TOTAL_BYTES = 500 * 1024 * 1024  # uncompressed, all files of a package together
MAX_MANIFEST_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 20  # course.yaml needs 6 levels
CHUNK = 1024 * 1024
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: exported zips never vary
ZIP_PERMISSIONS = (stat.S_IFREG | 0o644) << 16
DEFLATED_SUFFIXES = {".md", ".vtt", ".yaml", ".txt", ".csv"}  # compressed in exported zips; media are not

# What the file of each field may be (checked from its content by courses.media), as authoring does.
MEDIA_KINDS = {"video": {"video"}, "audio": {"audio"}, "file": {"file"}}
CAPTION_KINDS = {"captions"}
MARKDOWN_FIELDS = ("body", "transcript")
TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping (key: value)",
    "null": "empty",
}
# course.yaml keys in the order export writes them
COURSE_KEYS = (
    "code", "version", "status", "language", "title", "summary", "hours", "ects", "enrolment",
    "unlock_in_order", "qualifies_trainers_for", "questions", "modules",
)  # fmt: skip
QUESTIONS_FILE = "questions.gift"  # where an export writes the course's questions
ITEM_KEYS = (
    "id",
    "kind",
    "title",
    "body",
    "transcript",
    "media",
    "captions",
    "url",
    "completion",
    "required",
    "competences",
    "quiz",
)

Place = tuple[str | int, ...]  # a place in course.yaml: ("modules", 1, "items", 0, "kind")


# --- problems -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a package: ``file:line: field: message``."""

    file: str  # inside the package ("course.yaml", "../evil.txt"), or "" for the package itself
    message: str
    line: int | None = None
    field: str = ""

    def __str__(self) -> str:
        place = f"{self.file}:{self.line}" if self.line else self.file
        return ": ".join(part for part in (place, self.field, self.message) if part)


class PackageError(Exception):
    """Packages that cannot be imported (or a course that cannot be exported), with every problem.
    ``problems`` holds ``(package, Problem)`` pairs."""

    def __init__(self, problems: Iterable[tuple[str, Problem]]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(f"{package}: {problem}" for package, problem in self.problems))


class _Refused(Exception):
    """A file of the package that cannot be read safely."""


def field_name(path: Place) -> str:
    """``modules[1].items[0].kind`` for ("modules", 1, "items", 0, "kind")."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- reading a package ----------------------------------------------------------------------------


class _Source:
    """Where a package's files come from; counts what it has read."""

    def __init__(self, max_entry: int) -> None:
        self.max_entry = max_entry
        self.problems: list[Problem] = []
        self.total_read = 0

    def read(self, name: str, limit: int | None = None) -> bytes | None:
        """The bytes of ``name`` (at most ``limit``, or the media limit), or None when it is missing."""
        raise NotImplementedError

    def _count(self, size: int) -> None:
        self.total_read += size
        if self.total_read > MAX_TOTAL_BYTES:
            raise _Refused(f"the package holds more than {_megabytes(MAX_TOTAL_BYTES)} in all")

    def close(self) -> None:
        pass


class _Folder(_Source):
    """A package that is a folder; paths that leave it, or pass through a symbolic link, are refused."""

    def __init__(self, root: Path, max_entry: int) -> None:
        super().__init__(max_entry)
        self.root = root

    def read(self, name: str, limit: int | None = None) -> bytes | None:
        limit = self.max_entry if limit is None else limit
        path = self.root
        for part in PurePosixPath(name).parts:
            if part in ("..", "/") or "\\" in part:
                raise _Refused("the path leaves the package")
            path = path / part
            if path.is_symlink():
                raise _Refused("is a symbolic link, which a package may not contain")
        if not path.is_file():
            return None
        if path.stat().st_size > limit:
            raise _Refused(_too_large(limit, path.stat().st_size))
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise _Refused(_too_large(limit))
        self._count(len(data))
        return data


class _Zip(_Source):
    """A package that is a ``.zip``; its directory is checked before anything is read."""

    def __init__(self, path: Path, max_entry: int) -> None:
        super().__init__(max_entry)
        self.entries: dict[str, zipfile.ZipInfo] = {}
        try:
            self.archive: zipfile.ZipFile | None = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            self.archive = None
            self.problems.append(Problem("", f"not a readable .zip file ({error})"))
            return
        infos = self.archive.infolist()
        if len(infos) > MAX_ENTRIES:
            self.problems.append(
                Problem("", f"the .zip has {len(infos)} entries; at most {MAX_ENTRIES} are allowed")
            )
            return
        total = 0
        for info in infos:
            reason = _unsafe_entry(info)
            if reason:
                self.problems.append(Problem(info.filename, reason))
                continue
            if info.is_dir():
                continue
            if info.filename in self.entries:
                self.problems.append(Problem(info.filename, "the .zip holds this name twice"))
                continue
            if info.file_size > max_entry:
                self.problems.append(Problem(info.filename, _too_large(max_entry, info.file_size)))
                continue
            total += info.file_size
            self.entries[info.filename] = info
        if total > MAX_TOTAL_BYTES:
            self.problems.append(
                Problem(
                    "",
                    f"the files add up to {_megabytes(total)} uncompressed; "
                    f"at most {_megabytes(MAX_TOTAL_BYTES)} are allowed",
                )
            )
            self.entries.clear()

    def read(self, name: str, limit: int | None = None) -> bytes | None:
        info = self.entries.get(name)
        if info is None or self.archive is None:
            return None
        limit = self.max_entry if limit is None else limit
        if info.file_size > limit:
            raise _Refused(_too_large(limit, info.file_size))
        limit = info.file_size  # never read more than the directory declared
        data = bytearray()
        try:
            with self.archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    data += chunk
                    if len(data) > limit:
                        raise _Refused("the entry holds more than its declared size (a zip bomb?)")
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            NotImplementedError,
            RuntimeError,
            ValueError,
        ) as error:
            raise _Refused(f"the entry is damaged or does not match its declared size ({error})") from None
        self._count(len(data))
        return bytes(data)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def _unsafe_entry(info: zipfile.ZipInfo) -> str:
    """Why a zip entry may not be used, or ""."""
    name = info.filename
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "absolute paths are not allowed in a package"
    if "\\" in name:
        return "backslashes are not allowed in paths (use /)"
    if ".." in name.split("/"):
        return "'..' is not allowed in paths: an entry may not leave the package"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symbolic links are not allowed in a package"
    if info.flag_bits & 0x1:
        return "encrypted entries are not allowed"
    return ""


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _too_large(limit: int, size: int | None = None) -> str:
    actual = f"is {_megabytes(size)} uncompressed; " if size is not None else "is too large; "
    return (
        actual
        + f"a file may have at most {_megabytes(limit)}"
        + ("" if limit == MAX_MANIFEST_BYTES else " (COURSES_MAX_MEDIA_MB)")
    )


# --- course.yaml with positions -------------------------------------------------------------------


class _Document:
    """The data of course.yaml, built from the YAML nodes so each value keeps its line."""

    def __init__(self) -> None:
        self.lines: dict[Place, int] = {}
        self.problems: list[Problem] = []
        self._constructor = SafeConstructor()
        self._seen: set[int] = set()

    def line(self, path: Place) -> int:
        """The line of ``path``, or of the nearest enclosing value that has one."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def problem(self, path: Place, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(MANIFEST, message, line or self.line(path), field_name(path)))

    def build(self, node: Node, path: Place = (), line: int | None = None) -> Any:
        self.lines[path] = line or node.start_mark.line + 1
        if len(path) > MAX_DEPTH:
            self.problem(path, "is nested too deeply")
            return None
        if id(node) in self._seen:
            self.problem(path, "YAML aliases (*name) are not allowed in course.yaml")
            return None
        self._seen.add(id(node))
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, ScalarNode):
                    self.problem(path, "a key must be a plain word", key_line)
                    continue
                key = str(self._scalar(key_node, path))
                if key in result:
                    self.problem(
                        (*path, key), f"appears twice (first on line {self.lines[(*path, key)]})", key_line
                    )
                    continue
                result[key] = self.build(value_node, (*path, key), key_line)
            return result
        if isinstance(node, SequenceNode):
            return [self.build(child, (*path, index)) for index, child in enumerate(node.value)]
        return self._scalar(node, path)

    def _scalar(self, node: Node, path: Place) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except ConstructorError as error:
            self.problem(path, f"cannot be read: {error.problem}", node.start_mark.line + 1)
            return None


def parse_manifest(data: bytes) -> tuple[Any, _Document]:
    """The data of course.yaml and where each value is; syntax errors are in ``document.problems``."""
    document = _Document()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        document.problems.append(Problem(MANIFEST, "the file is not UTF-8 text", line))
        return None, document
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = " ".join(part for part in (error.context, error.problem) if part)
        document.problems.append(
            Problem(MANIFEST, f"YAML syntax error: {message}", mark.line + 1 if mark else None)
        )
        return None, document
    except yaml.YAMLError as error:
        document.problems.append(Problem(MANIFEST, f"YAML error: {error}"))
        return None, document
    except RecursionError:
        document.problems.append(Problem(MANIFEST, "YAML error: the file is nested too deeply"))
        return None, document
    if node is None:
        document.problems.append(Problem(MANIFEST, "the file is empty", 1))
        return None, document
    return document.build(node), document


# --- the schema -----------------------------------------------------------------------------------


@functools.cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _validator() -> Draft202012Validator:
    Draft202012Validator.check_schema(schema())
    return Draft202012Validator(schema())


def _schema_problems(data: Any, document: _Document) -> None:
    for error in _validator().iter_errors(data):
        path: Place = tuple(error.absolute_path)
        for place, message in _explain(error, path, data):
            document.problem(place, message)


def _explain(error: ValidationError, path: Place, data: Any) -> Iterator[tuple[Place, str]]:
    """Where the error is and what it says, in the words of course.yaml."""
    validator, expected = error.validator, error.validator_value
    if validator == "required":
        missing = re.match(r"^'(.+)' is a required property$", error.message)
        yield (*path, missing.group(1) if missing else "?"), "is required"
    elif validator == "additionalProperties" and isinstance(error.instance, dict):
        known = set(error.schema.get("properties", {}))
        for key in error.instance:
            if key not in known:
                yield (*path, key), "is not a field of course.yaml here (check the spelling)"
    elif validator == "type":
        names = [expected] if isinstance(expected, str) else list(expected)
        yield path, "must be " + " or ".join(TYPE_NAMES.get(name, name) for name in names)
    elif validator == "enum":
        yield path, "must be one of " + ", ".join(str(choice) for choice in expected)
    elif validator in ("pattern", "propertyNames") and error.schema.get("description"):
        yield path, f"{error.instance!r} is not {error.schema['description']}"
    elif validator == "oneOf" and all(list(option) == ["required"] for option in expected):
        yield path, "needs either " + " or ".join(option["required"][0] for option in expected) + ", not both"
    elif validator == "not" and expected == {}:
        kind = _at(data, path[:-1]).get("kind")
        yield path, "is not used by this kind of item" + (f" ({kind})" if isinstance(kind, str) else "")
    elif validator == "uniqueItems":
        yield path, "lists a value twice"
    else:
        yield path, error.message


def _at(data: Any, path: Place) -> Any:
    for part in path:
        data = data[part]
    return data


# --- validating a package -------------------------------------------------------------------------


@dataclass
class _Package:
    """A package read and checked: its problems are ``problems`` (the package and its files) and
    ``document.problems`` (course.yaml); none means it can be applied."""

    label: str
    data: Any = None
    document: _Document = field(default_factory=_Document)
    problems: list[Problem] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # Markdown file -> text
    files: dict[str, bytes] = field(default_factory=dict)  # media file -> bytes
    media: dict[str, Media] = field(default_factory=dict)  # media file -> stored Media
    competences: dict[str, Any] = field(default_factory=dict)  # "DIGCOMP-2.2/4.2" -> Competence
    question_files: list[tuple[int, str, list[Any]]] = field(default_factory=list)  # (place, file, parsed)
    question_plans: list[Any] = field(default_factory=list)  # an import plan per question file

    @property
    def errors(self) -> list[Problem]:
        return self.problems + sorted(self.document.problems, key=lambda problem: problem.line or 0)

    @property
    def code(self) -> str | None:
        code = self.data.get("code") if isinstance(self.data, dict) else None
        return code if isinstance(code, str) else None

    def modules(self) -> Iterator[tuple[int, dict[str, Any]]]:
        modules = self.data.get("modules") if isinstance(self.data, dict) else None
        for index, module in enumerate(modules if isinstance(modules, list) else []):
            if isinstance(module, dict):
                yield index, module

    def items(self) -> Iterator[tuple[Place, dict[str, Any]]]:
        for index, module in self.modules():
            items = module.get("items")
            for position, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    yield ("modules", index, "items", position), item


def _read_package(path: Path, max_entry: int) -> _Package:
    """Read and check one package (nothing is stored yet)."""
    package = _Package(str(path))
    source: _Source
    if path.is_dir():
        source = _Folder(path, max_entry)
    elif path.is_file() and path.suffix.lower() == ".zip":
        source = _Zip(path, max_entry)
    else:
        package.problems.append(Problem("", "a package is a folder or a .zip file"))
        return package
    try:
        package.problems.extend(source.problems)
        try:
            manifest = source.read(MANIFEST, MAX_MANIFEST_BYTES)
        except _Refused as refused:
            package.problems.append(Problem(MANIFEST, str(refused)))
            return package
        if manifest is None:
            if not source.problems:
                package.problems.append(
                    Problem(MANIFEST, "is missing: a package has course.yaml at its root")
                )
            return package
        package.data, package.document = parse_manifest(manifest)
        if package.data is not None:
            _schema_problems(package.data, package.document)
            _check_ids(package)
            _read_files(package, source)
            _read_questions(package, source)
    finally:
        source.close()
    return package


def _check_ids(package: _Package) -> None:
    """Module ids are unique among the modules, item ids among all the items of the course."""
    document = package.document
    for what, places in (
        ("module", [(("modules", index), module) for index, module in package.modules()]),
        ("item", list(package.items())),
    ):
        first: dict[str, int] = {}
        for place, entry in places:
            key = entry.get("id")
            if not isinstance(key, str):
                continue
            if key in first:
                document.problem(
                    (*place, "id"), f"the {what} id {key!r} is already used on line {first[key]}"
                )
            else:
                first[key] = document.line((*place, "id"))


def _read_files(package: _Package, source: _Source) -> None:
    """Read every file course.yaml names: Markdown must be UTF-8; media are kept for storing."""
    document = package.document
    pattern = re.compile(schema()["$defs"]["path"]["pattern"])
    read: dict[str, bytes | None] = {}
    for place, item in package.items():
        for name in (*MARKDOWN_FIELDS, "media", "captions"):
            reference = item.get(name)
            if not isinstance(reference, str) or not pattern.fullmatch(reference):
                continue  # the schema has said what is wrong with it
            where = (*place, name)
            if reference not in read:
                try:
                    read[reference] = source.read(reference)
                except _Refused as refused:
                    read[reference] = None
                    document.problem(where, f"{reference}: {refused}")
                    continue
                if read[reference] is None:
                    document.problem(where, f"{reference}: no such file in the package")
            data = read[reference]
            if data is None:
                continue
            if name in MARKDOWN_FIELDS and reference not in package.texts:
                try:
                    package.texts[reference] = data.decode("utf-8")
                except UnicodeDecodeError as error:
                    line = data[: error.start].count(b"\n") + 1
                    document.problem(where, f"{reference}: line {line} is not UTF-8 text")
                    read[reference] = None  # said once
            elif name not in MARKDOWN_FIELDS:
                package.files[reference] = data


def _read_questions(package: _Package, source: _Source) -> None:
    """Read and parse the GIFT files course.yaml lists; each bad question is reported by file and line."""
    from courses.questions.formats.gift import parse_gift
    from courses.questions.interchange import FormatError

    files = package.data.get("questions") if isinstance(package.data, dict) else None
    pattern = re.compile(schema()["$defs"]["path"]["pattern"])
    for index, name in enumerate(files if isinstance(files, list) else []):
        if not isinstance(name, str) or not pattern.fullmatch(name) or not name.endswith(".gift"):
            continue  # the schema has said what is wrong with it
        where = ("questions", index)
        try:
            data = source.read(name)
        except _Refused as refused:
            package.document.problem(where, f"{name}: {refused}")
            continue
        if data is None:
            package.document.problem(where, f"{name}: no such file in the package")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            package.document.problem(where, f"{name}: line {line} is not UTF-8 text")
            continue
        try:
            package.question_files.append((index, name, parse_gift(text)))
        except FormatError as error:
            for line, message in error.problems:
                package.document.problem(where, f"{name}: line {line}: {message}")


def _plan_questions(package: _Package) -> None:
    """What importing each question file would do, with every problem (unknown competences…) by line."""
    from courses.questions.interchange import FormatError
    from courses.questions.services import plan_import

    for index, name, parsed in package.question_files:
        try:
            package.question_plans.append(plan_import(parsed))
        except FormatError as error:
            for line, message in error.problems:
                package.document.problem(("questions", index), f"{name}: line {line}: {message}")


def _store_media(package: _Package, new: dict[int, Media]) -> None:
    """Store the package's media, checked from their content; ``new`` collects the rows this made."""
    from courses.media import MediaError, store_bytes

    kinds_of: dict[str, tuple[Place, set[str]]] = {}
    for place, item in package.items():
        for name in ("media", "captions"):
            reference = item.get(name)
            if isinstance(reference, str) and reference in package.files and reference not in kinds_of:
                kind = item.get("kind")
                kinds = CAPTION_KINDS if name == "captions" else MEDIA_KINDS.get(str(kind), {"file"})
                kinds_of[reference] = ((*place, name), kinds)
    for reference, (where, kinds) in kinds_of.items():
        data = package.files[reference]
        existing = db.session.scalar(
            select(Media.id).where(Media.sha256 == hashlib.sha256(data).hexdigest(), Media.size == len(data))
        )
        try:
            media = store_bytes(data, PurePosixPath(reference).name, set(kinds))
        except MediaError as error:
            package.document.problem(where, f"{reference}: {error}")
            continue
        if existing is None:
            new[media.id] = media
        package.media[reference] = media


def _forget(new: dict[int, Media], rows: bool = True) -> None:
    """Undo what ``_store_media`` stored for an import that will not happen."""
    from courses.media import path_of

    for media in new.values():
        path_of(media).unlink(missing_ok=True)
        if rows:
            db.session.delete(media)
    if rows:
        db.session.flush()


# --- importing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    course: Course
    created: bool
    previous_version: int | None


def import_packages(paths: Sequence[Path]) -> list[Imported]:
    """Validate every package, then create or update their courses in the session (flushed, never
    committed: the caller commits once). Raise ``PackageError`` with every problem of every package;
    then nothing has changed (the caller should still roll back)."""
    max_entry = current_app.config["COURSES_MAX_MEDIA_MB"] * 1024 * 1024
    packages = [_read_package(Path(path), max_entry) for path in paths]
    _check_batch(packages)
    new: dict[int, Media] = {}
    for package in packages:  # media are checked by storing them (undone when anything is wrong)
        if package.data is not None:
            _store_media(package, new)
    if any(package.errors for package in packages):
        _forget(new)
        raise PackageError((package.label, problem) for package in packages for problem in package.errors)
    try:
        imported = {package.code: _apply(package) for package in packages}
        for package in packages:
            _apply_qualifications(package, imported)
        db.session.flush()
    except BaseException:
        _forget(new, rows=False)  # the caller rolls the rows back
        raise
    return list(imported.values())


def _check_batch(packages: list[_Package]) -> None:
    """Rules across packages and the database: versions increase, codes are known, no code twice."""
    codes: dict[str, str] = {}
    for package in packages:
        code, data = package.code, package.data
        if code is None:
            continue
        if code in codes:
            package.document.problem(("code",), f"{code} is also imported from {codes[code]}")
        codes.setdefault(code, package.label)
        installed = db.session.scalar(select(Course.version).where(Course.code == code))
        version = data.get("version")
        if installed is not None and isinstance(version, int) and version <= installed:
            package.document.problem(
                ("version",), f"must be greater than {installed}, the version of {code} already installed"
            )
    known = set(db.session.scalars(select(Course.code))) | set(codes)
    for package in packages:
        _check_competences(package)
        _plan_questions(package)
        wanted = package.data.get("qualifies_trainers_for") if isinstance(package.data, dict) else None
        for index, code in enumerate(wanted if isinstance(wanted, list) else []):
            if isinstance(code, str) and code not in known:
                package.document.problem(
                    ("qualifies_trainers_for", index), f"no course has the code {code} (import it too)"
                )


def _check_competences(package: _Package) -> None:
    """Each competence a module or item names (``DIGCOMP-2.2/4.2``) is installed."""
    from courses.frameworks.services import by_references, frameworks, load_shipped, shipped_idnumbers

    owners: list[tuple[Place, dict[str, Any]]] = [
        (("modules", index), module) for index, module in package.modules()
    ]
    owners += list(package.items())
    places: list[tuple[Place, Any]] = []
    for place, owner in owners:
        wanted = owner.get("competences")
        places += [
            ((*place, "competences", number), ref)
            for number, ref in enumerate(wanted if isinstance(wanted, list) else [])
        ]
        quiz = owner.get("quiz")
        rows = quiz.get("competences") if isinstance(quiz, dict) else None
        places += [
            ((*place, "quiz", "competences", number, "competence"), row.get("competence"))
            for number, row in enumerate(rows if isinstance(rows, list) else [])
            if isinstance(row, dict)
        ]
    refs = [ref for _place, ref in places if isinstance(ref, str) and "/" in ref]
    wanted_frameworks = {ref.split("/", 1)[0] for ref in refs}
    if wanted_frameworks & shipped_idnumbers() - {framework.idnumber for framework in frameworks()}:
        load_shipped()  # a framework Kaskad ships is installed the first time a course names it
    package.competences = by_references(refs)
    for place, ref in places:
        if isinstance(ref, str) and "/" in ref and ref not in package.competences:
            framework = ref.split("/", 1)[0]
            package.document.problem(
                place,
                f"no competence {ref} is installed (check framework {framework} and the id number; "
                "`lms frameworks load-shipped` installs the frameworks Kaskad ships)",
            )


def _translated(value: Any) -> Translated:
    return Translated({language: text for language, text in (value or {}).items() if text})


def _apply(package: _Package) -> Imported:
    """Create the course of a valid package, or update it in place: modules and items are found by
    their ids and keep their database ids (so progress stays); those no longer in the package go."""
    data = package.data
    course = db.session.scalar(select(Course).where(Course.code == data["code"]))
    created, previous = course is None, course.version if course is not None else None
    if course is None:
        course = Course(code=data["code"])
        db.session.add(course)
    course.version = data["version"]
    course.status = data.get("status", Status.PUBLISHED.value)
    course.language = data["language"]
    course.title = _translated(data["title"])
    course.summary = _translated(data.get("summary"))
    course.hours = float(data["hours"])
    course.ects = float(data["ects"]) if data.get("ects") is not None else None
    course.is_open = data.get("enrolment", "open") == "open"
    course.unlock_in_order = bool(data.get("unlock_in_order", False))

    _apply_questions(package, course)
    from courses.questions.services import category_for_path

    for _place, entry in package.items():  # the quizzes' categories exist before the items move
        if isinstance(entry.get("quiz"), dict) and entry["quiz"].get("category"):
            category_for_path(entry["quiz"]["category"])
    old_modules = {module.key: module for module in course.modules}
    old_items = {item.key: item for module in course.modules for item in module.items}
    modules: list[Module] = []
    for position, entry in enumerate(data["modules"]):
        module = old_modules.pop(entry["id"], None) or Module(key=entry["id"])
        module.position = position
        module.title = _translated(entry["title"])
        module.is_required = entry.get("required", True)
        with db.session.no_autoflush:  # loading the old tags must not flush the half-moved items
            module.competences = [package.competences[ref] for ref in entry.get("competences", [])]
        items: list[Item] = []
        for item_position, item_entry in enumerate(entry["items"]):
            item = old_items.pop(item_entry["id"], None) or Item(key=item_entry["id"])
            _fill_item(item, item_entry, item_position, package)
            items.append(item)
        module.items = items  # an item moved here from another module keeps its id
        modules.append(module)
    gone = [item.id for item in old_items.values()]
    if gone:  # removed items take their completions with them (the database cascades too)
        db.session.execute(
            update(Enrolment).where(Enrolment.last_item_id.in_(gone)).values(last_item_id=None),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            delete(ItemCompletion).where(ItemCompletion.item_id.in_(gone)),
            execution_options={"synchronize_session": False},
        )
    course.modules = modules  # removed modules and items are deleted as orphans
    for item in old_items.values():
        if inspect(item).was_deleted:  # an autoflush above already deleted it as an orphan
            continue
        if item.module is not None and item in item.module.items:
            item.module.items.remove(item)
        db.session.delete(item)
    db.session.flush()
    return Imported(course, created, previous)


def _fill_item(item: Item, entry: dict[str, Any], position: int, package: _Package) -> None:
    item.position = position
    item.kind = entry["kind"]
    item.title = _translated(entry["title"])
    item.body = package.texts[entry["body"]] if "body" in entry else ""
    item.transcript = package.texts[entry["transcript"]] if "transcript" in entry else ""
    item.url = entry.get("url", "")
    item.media = package.media[entry["media"]] if "media" in entry else None
    item.captions = package.media[entry["captions"]] if "captions" in entry else None
    item.completion = entry.get("completion", Completion.BUTTON.value)
    item.is_required = entry.get("required", True)
    with db.session.no_autoflush:  # as for modules
        item.competences = [package.competences[ref] for ref in entry.get("competences", [])]
    if entry["kind"] == "quiz":
        _fill_quiz(item, entry["quiz"], package)


def _apply_questions(package: _Package, course: Course) -> None:
    """Create or update the questions of the package's files; remember them, in order, for export."""
    from courses.questions.models import course_question
    from courses.questions.services import apply_plan

    if not package.question_plans and course.id is None:
        return
    db.session.flush()  # the course needs its id
    db.session.execute(delete(course_question).where(course_question.c.course_id == course.id))
    rows: list[dict[str, int]] = []
    seen: set[int] = set()
    for plan in package.question_plans:
        for imported in apply_plan(plan):
            if imported.question.id not in seen:
                seen.add(imported.question.id)
                rows.append(
                    {"course_id": course.id, "question_id": imported.question.id, "position": len(rows)}
                )
    if rows:
        db.session.execute(course_question.insert(), rows)


def _fill_quiz(item: Item, entry: dict[str, Any], package: _Package) -> None:
    """The quiz of a quiz item, with its settings and a row per competence (replacing the old rows)."""
    from courses.questions.services import category_for_path
    from courses.quizzes.models import Quiz, QuizCompetence, ReviewWhen

    with db.session.no_autoflush:  # as for modules: the items may be half moved
        quiz = db.session.scalar(select(Quiz).where(Quiz.item_id == item.id)) if item.id else None
        category = category_for_path(entry["category"]) if entry.get("category") else None
    if quiz is None:
        quiz = Quiz(item=item)
        db.session.add(quiz)
    review = entry.get("review", {})
    quiz.pass_mark = float(entry.get("pass_mark", 50))
    quiz.time_limit_minutes = entry.get("time_limit", 0)
    quiz.attempts_allowed = entry.get("attempts", 0)
    quiz.delay_minutes = entry.get("delay", 0)
    quiz.shuffle_questions = entry.get("shuffle_questions", True)
    quiz.shuffle_answers = entry.get("shuffle_answers", True)
    quiz.questions_per_page = entry.get("per_page", 0)
    quiz.category = category
    quiz.review_when = review.get("when", ReviewWhen.IMMEDIATELY.value)
    quiz.review_responses = review.get("responses", True)
    quiz.review_correct = review.get("correct", False)
    quiz.review_feedback = review.get("feedback", True)
    quiz.review_scores = review.get("scores", True)
    quiz.competences = [
        QuizCompetence(
            competence=package.competences[row["competence"]],
            level=None if row.get("level", "profile") == "profile" else row["level"],
            count=row["count"],
            minimum_percent=float(row.get("minimum", 60)),
            position=position,
        )
        for position, row in enumerate(entry["competences"])
    ]


def _apply_qualifications(package: _Package, imported: dict[str | None, Imported]) -> None:
    course = imported[package.code].course
    codes = package.data.get("qualifies_trainers_for", [])
    by_code = {
        other.code: other for other in db.session.scalars(select(Course).where(Course.code.in_(codes)))
    }
    course.qualifies_for = [by_code[code] for code in codes]


# --- exporting ------------------------------------------------------------------------------------


def export_course(course: Course, target: Path) -> list[str]:
    """Write ``course`` as a package: a ``.zip`` when ``target`` ends in ``.zip``, else a new (or empty)
    folder. Returns the names of the files written, sorted."""
    files = package_files(course)
    target = Path(target)
    if target.suffix.lower() == ".zip":
        _write_zip(files, target)
    else:
        _write_folder(files, target)
    return sorted(files)


def package_files(course: Course) -> dict[str, bytes]:
    """Every file of the package of ``course``: name -> bytes. Raise ``PackageError`` when the
    course cannot be written as a valid package (say, a quiz, or an id a package does not allow)."""
    from courses.media import path_of

    files: dict[str, bytes] = {}
    modules = []
    problems: list[Problem] = []

    def put(name: str, data: bytes) -> None:
        if name in files:  # two items with one id (ids are unique per module in the database)
            problems.append(
                Problem(name, "two files of the package would have this name: make the ids unique")
            )
        files[name] = data

    used: set[tuple[str, str]] = set()

    def check_id(what: str, key: str, place: Place) -> None:
        if (what, key) in used:
            problems.append(
                Problem(MANIFEST, f"the {what} id {key!r} is used twice", field=field_name(place))
            )
        used.add((what, key))

    for index, module in enumerate(course.modules):
        check_id("module", module.key, ("modules", index, "id"))
        items = []
        for position, item in enumerate(module.items):
            check_id("item", item.key, ("modules", index, "items", position, "id"))
            entry: dict[str, Any] = {"id": item.key, "kind": item.kind, "title": _ordered(item.title)}
            if item.body or item.kind == "text":
                entry["body"] = f"{module.key}/{item.key}.md"
                put(entry["body"], item.body.encode("utf-8"))
            if item.transcript:
                entry["transcript"] = f"{module.key}/{item.key}.transcript.md"
                put(entry["transcript"], item.transcript.encode("utf-8"))
            for name, media, extension in (
                ("media", item.media, _extension_of(item.media)),
                ("captions", item.captions, ".vtt"),
            ):
                if media is None:
                    continue
                entry[name] = f"media/{item.key}{extension}"
                try:
                    put(entry[name], path_of(media).read_bytes())
                except OSError as error:
                    problems.append(
                        Problem(entry[name], f"the stored file of {item.key} cannot be read ({error})")
                    )
            if item.url:
                entry["url"] = item.url
            entry["completion"] = item.completion
            entry["required"] = item.is_required
            if item.competences:
                entry["competences"] = _competence_refs(item.competences)
            if item.kind == "quiz":
                quiz = _quiz_entry(item)
                if quiz is None:
                    problems.append(
                        Problem(
                            MANIFEST,
                            f"the quiz {item.key!r} has no settings yet",
                            field=field_name(("modules", index, "items", position, "quiz")),
                        )
                    )
                else:
                    entry["quiz"] = quiz
            items.append({key: entry[key] for key in ITEM_KEYS if key in entry})
        modules.append(
            {
                "id": module.key,
                "title": _ordered(module.title),
                "required": module.is_required,
                **({"competences": _competence_refs(module.competences)} if module.competences else {}),
                "items": items,
            }
        )
    manifest: dict[str, Any] = {
        "code": course.code,
        "version": course.version,
        "status": course.status,
        "language": course.language,
        "title": _ordered(course.title),
        "summary": _ordered(course.summary),
        "hours": _number(course.hours),
        "ects": _number(course.ects),
        "enrolment": "open" if course.is_open else "by_enrolment",
        "unlock_in_order": course.unlock_in_order,
        "qualifies_trainers_for": sorted(other.code for other in course.qualifies_for),
        "questions": _export_questions(course, put),
        "modules": modules,
    }
    manifest = {key: manifest[key] for key in COURSE_KEYS if manifest[key] not in (None, {}, [])}
    for invalid in _validator().iter_errors(manifest):
        for place, message in _explain(invalid, tuple(invalid.absolute_path), manifest):
            problems.append(Problem(MANIFEST, message, field=field_name(place)))
    if problems:
        raise PackageError((course.code, problem) for problem in problems)
    files[MANIFEST] = yaml.safe_dump(
        manifest, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    ).encode("utf-8")
    return files


def _export_questions(course: Course, put: Any) -> list[str]:
    """The course's questions as one GIFT file; the list course.yaml names (empty: no questions)."""
    from courses.questions.formats.gift import dump_gift
    from courses.questions.models import Question, course_question
    from courses.questions.services import to_parsed

    questions = db.session.scalars(
        select(Question)
        .join(course_question, course_question.c.question_id == Question.id)
        .where(course_question.c.course_id == course.id)
        .order_by(course_question.c.position)
    ).all()
    if not questions:
        return []
    put(QUESTIONS_FILE, dump_gift([to_parsed(question) for question in questions]).encode("utf-8"))
    return [QUESTIONS_FILE]


def _quiz_entry(item: Item) -> dict[str, Any] | None:
    """A quiz item's settings as course.yaml writes them; None when the quiz has none."""
    from courses.quizzes.models import Quiz

    quiz = db.session.scalar(select(Quiz).where(Quiz.item_id == item.id))
    if quiz is None or not quiz.competences:
        return None
    entry: dict[str, Any] = {
        "pass_mark": _number(quiz.pass_mark),
        "time_limit": quiz.time_limit_minutes,
        "attempts": quiz.attempts_allowed,
        "delay": quiz.delay_minutes,
        "shuffle_questions": quiz.shuffle_questions,
        "shuffle_answers": quiz.shuffle_answers,
        "per_page": quiz.questions_per_page,
    }
    if quiz.category is not None:
        entry["category"] = quiz.category.path
    entry["review"] = {
        "when": quiz.review_when,
        "responses": quiz.review_responses,
        "correct": quiz.review_correct,
        "feedback": quiz.review_feedback,
        "scores": quiz.review_scores,
    }
    entry["competences"] = [
        {
            "competence": _competence_refs([row.competence])[0],
            "level": row.level if row.level is not None else "profile",
            "count": row.count,
            "minimum": _number(row.minimum_percent),
        }
        for row in sorted(quiz.competences, key=lambda row: row.position)
    ]
    return entry


def _competence_refs(competences: Iterable[Any]) -> list[str]:
    """``["DIGCOMP-2.2/4.2", …]``, by framework and in tree order (the same course gives the same bytes)."""
    from courses.frameworks.services import in_order, reference

    return [reference(competence) for competence in in_order(competences)]


def _ordered(text: dict[str, str] | None) -> dict[str, str]:
    """Translated text with Ukrainian first, then the other languages in alphabetical order."""
    text = {language: value for language, value in (text or {}).items() if value}
    return {language: text[language] for language in sorted(text, key=lambda code: (code != "uk", code))}


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _extension_of(media: Media | None) -> str:
    if media is None:
        return ""
    suffix = PurePosixPath(media.filename).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,10}", suffix) else ""


def _write_folder(files: dict[str, bytes], target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PackageError([(str(target), Problem("", "export into a new or empty folder"))])
    for name in sorted(files):
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])


def _write_zip(files: dict[str, bytes], target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".export-", suffix=".zip")
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
                info.create_system = 3  # Unix, so the permissions below mean the same everywhere
                info.external_attr = ZIP_PERMISSIONS
                if PurePosixPath(name).suffix in DEFLATED_SUFFIXES:
                    info.compress_type = zipfile.ZIP_DEFLATED
                    archive.writestr(info, files[name], compresslevel=9)
                else:
                    info.compress_type = zipfile.ZIP_STORED
                    archive.writestr(info, files[name])
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
