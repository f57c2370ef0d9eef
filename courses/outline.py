"""A course's outline as plain immutable data, kept per worker and checked against the database.

Every lesson page walks the whole outline (where the item sits, previous/next, which modules are
unlocked); loading it as ORM objects cost more than everything else on the page. The outline is
rebuilt only when the course's ``updated_at`` changes, and any change of the course, its modules or
its items moves that stamp (see :func:`touch_courses`), so each request checks freshness with one
small query and a stale outline is never served, whatever worker made the change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, request, url_for
from sqlalchemy import event, select
from sqlalchemy.orm import Session, joinedload

from courses.models import ITEM_KIND_LABELS, Course, Item, ItemKind, Module
from lms.extensions import db
from lms.i18n import Translated, utcnow

CACHE_SIZE = 64  # courses per worker; an outline of 25 items is a few kilobytes


@dataclass(frozen=True)
class OutlineItem:
    id: int
    key: str
    kind: str
    title: Translated
    completion: str
    is_required: bool
    module_id: int
    number: int  # 1-based place in the course

    @property
    def kind_label(self) -> object:
        return ITEM_KIND_LABELS[ItemKind(self.kind)]


@dataclass(frozen=True)
class OutlineModule:
    id: int
    key: str
    title: Translated
    is_required: bool
    items: tuple[OutlineItem, ...]


@dataclass(frozen=True)
class Outline:
    id: int
    code: str
    revision: datetime
    title: Translated
    summary: Translated
    hours: float
    ects: float | None
    language: str
    is_published: bool
    is_open: bool
    unlock_in_order: bool
    modules: tuple[OutlineModule, ...]
    items: tuple[OutlineItem, ...] = field(init=False)
    _by_key: dict[str, OutlineItem] = field(init=False, repr=False, compare=False)
    _modules: dict[int, OutlineModule] = field(init=False, repr=False, compare=False)
    _paths: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        items = tuple(item for module in self.modules for item in module.items)
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "_by_key", {item.key: item for item in items})
        object.__setattr__(self, "_modules", {module.id: module for module in self.modules})
        object.__setattr__(self, "_paths", {})

    def lesson_paths(self) -> dict[str, str]:
        """key → the address of each item's page, built once per outline (for the application's
        root): the course page links to every item, and building an address costs as much as the
        rest of its line."""
        root = request.script_root
        paths = self._paths.get(root)
        if paths is None:
            paths = {item.key: url_for("courses.lesson", code=self.code, key=item.key) for item in self.items}
            self._paths[root] = paths
        return paths

    def item(self, key: str) -> OutlineItem | None:
        return self._by_key.get(key)

    def module_of(self, item: OutlineItem) -> OutlineModule:
        return self._modules[item.module_id]

    def neighbours(self, item: OutlineItem) -> tuple[OutlineItem | None, OutlineItem | None]:
        index = item.number - 1
        return (
            self.items[index - 1] if index else None,
            self.items[index + 1] if index + 1 < len(self.items) else None,
        )

    def unlocked_modules(self, done_ids: AbstractSet[int]) -> set[int]:
        """The modules open to a learner who has done ``done_ids`` (as services.progress decides)."""
        unlocked: set[int] = set()
        is_open = True
        for module in self.modules:
            if is_open:
                unlocked.add(module.id)
            required = [item for item in module.items if item.is_required]
            if self.unlock_in_order and module.is_required and any(i.id not in done_ids for i in required):
                is_open = False
        return unlocked

    def progress(self, done_ids: AbstractSet[int]) -> list[tuple[OutlineModule, int, int, bool]]:
        """(module, required items done, required items, unlocked) per module, as services.progress."""
        unlocked = self.unlocked_modules(done_ids)
        result = []
        for module in self.modules:
            required = [item for item in module.items if item.is_required]
            done = sum(1 for item in required if item.id in done_ids)
            result.append((module, done, len(required), module.id in unlocked))
        return result

    def resume(self, done_ids: AbstractSet[int], last_item_id: int | None) -> OutlineItem | None:
        """Where the learner left off, as services.resume_item: the first unfinished item of an
        unlocked module after the last one opened."""
        items = self.items
        unlocked = self.unlocked_modules(done_ids)
        start = next((index for index, item in enumerate(items) if item.id == last_item_id), 0)
        for item in items[start:] + items[:start]:  # from the last one opened on, then from the start
            if item.id not in done_ids and item.module_id in unlocked:
                return item
        return items[start] if items else None


_cache: OrderedDict[str, Outline] = OrderedDict()
_lock = threading.Lock()


def outline(code: str) -> Outline | None:
    """The outline of the course ``code``, fresh as of this request; None when there is no such course."""
    row = db.session.execute(select(Course.id, Course.updated_at).where(Course.code == code)).first()
    return None if row is None else outline_of(code, row.id, row.updated_at)


def outline_of(code: str, course_id: int, revision: datetime) -> Outline:
    """The outline of a course whose id and ``updated_at`` were just read from the database."""
    if not current_app.config["COURSES_OUTLINE_CACHE"]:
        return _build(course_id)
    with _lock:
        cached = _cache.get(code)
        if cached is not None and cached.id == course_id and cached.revision == revision:
            _cache.move_to_end(code)
            return cached
    built = _build(course_id)
    with _lock:
        _cache[code] = built
        _cache.move_to_end(code)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return built


def _build(course_id: int) -> Outline:
    course = (
        db.session.execute(
            select(Course)
            .where(Course.id == course_id)
            .options(joinedload(Course.modules).joinedload(Module.items).load_only(*_ITEM_COLUMNS))
        )
        .unique()
        .scalar_one()
    )
    number = 0
    modules = []
    for module in course.modules:
        items = []
        for entry in module.items:
            number += 1
            items.append(
                OutlineItem(
                    entry.id,
                    entry.key,
                    entry.kind,
                    Translated(entry.title),
                    entry.completion,
                    entry.is_required,
                    module.id,
                    number,
                )
            )
        modules.append(
            OutlineModule(module.id, module.key, Translated(module.title), module.is_required, tuple(items))
        )
    return Outline(
        course.id,
        course.code,
        course.updated_at,
        Translated(course.title),
        Translated(course.summary or {}),
        course.hours,
        course.ects,
        course.language,
        course.is_published,
        course.is_open,
        course.unlock_in_order,
        tuple(modules),
    )


_ITEM_COLUMNS = (Item.key, Item.position, Item.kind, Item.title, Item.completion, Item.is_required)


def touch_courses(session: Session, _context: Any, _instances: Any) -> None:
    """Move ``updated_at`` of every course whose modules or items this flush changes."""
    course_ids: set[int] = set()
    courses: set[Course] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Module):
            if obj.course is not None:
                courses.add(obj.course)
            elif obj.course_id:
                course_ids.add(obj.course_id)
        elif isinstance(obj, Item):
            module = obj.module
            if module is not None and module.course is not None:
                courses.add(module.course)
            elif module is not None and module.course_id:
                course_ids.add(module.course_id)
    for course_id in course_ids:
        course = session.get(Course, course_id)
        if course is not None:
            courses.add(course)
    now = utcnow()
    for course in courses:
        if course not in session.deleted:
            course.updated_at = now


def install() -> None:
    """Listen to flushes once per process."""
    if not event.contains(Session, "before_flush", touch_courses):
        event.listen(Session, "before_flush", touch_courses)
