"""``{% cache key, parts… %}…{% endcache %}``: a rendered piece of a page, kept per worker.

For the parts of pages that many people see alike (a lesson's content in one language): the key
must name everything the piece depends on, such as the object's id, its revision stamp and the
locale. What differs per request is left as a *hole* while the piece is rendered for the store and
filled each time it is served: ``csrf_token()`` does so by itself, ``hole("next")`` for the others
(see :data:`HOLES`); filled values are escaped. The store is a least-recently-used map bounded by
the characters it holds, so a worker's memory stays small.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, g, request, url_for
from flask_wtf.csrf import generate_csrf
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup, escape

MAX_CHARACTERS = 4_000_000  # about 8 MB of str per worker at most


def _next_address() -> str:
    """Where a form of the page header sends the person back to: this page (after a GET)."""
    return request.full_path if request.method == "GET" else url_for("pages.home")


# The values a cached piece may leave open, each computed when the piece is served.
HOLES: dict[str, Callable[[], str]] = {"csrf_token": generate_csrf, "next": _next_address}
_MARK = "\x00"


def hole(name: str) -> Markup:
    """The value of ``name`` now, or a mark for it while a piece is rendered for the store."""
    if g.get("_lms_filling_store"):
        return Markup(f"{_MARK}{name}{_MARK}")  # noqa: S704 - a constant mark, replaced when served
    return escape(HOLES[name]())


def csrf_token() -> Markup:
    """Flask-WTF's ``csrf_token()`` for templates, safe inside a cached piece."""
    return hole("csrf_token")


def _filled(piece: str) -> str:
    if _MARK not in piece:
        return piece
    parts = piece.split(_MARK)
    for index in range(1, len(parts), 2):
        parts[index] = str(escape(HOLES[parts[index]]()))
    return "".join(parts)


class FragmentStore:
    def __init__(self, max_characters: int = MAX_CHARACTERS) -> None:
        self.max_characters = max_characters
        self._pieces: OrderedDict[Hashable, str] = OrderedDict()
        self._characters = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            piece = self._pieces.get(key)
            if piece is not None:
                self._pieces.move_to_end(key)
            return piece

    def put(self, key: Hashable, piece: str) -> None:
        if len(piece) > self.max_characters // 8:  # one huge piece would evict everything else
            return
        with self._lock:
            old = self._pieces.pop(key, None)
            if old is not None:
                self._characters -= len(old)
            self._pieces[key] = piece
            self._characters += len(piece)
            while self._characters > self.max_characters:
                _key, evicted = self._pieces.popitem(last=False)
                self._characters -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._pieces.clear()
            self._characters = 0

    def __len__(self) -> int:
        return len(self._pieces)


class FragmentCacheExtension(Extension):
    tags = {"cache"}

    def __init__(self, environment: object) -> None:
        super().__init__(environment)  # type: ignore[arg-type]
        self.environment.extend(fragment_store=FragmentStore())

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = parser.parse_tuple()
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_cached", [key]), [], [], body).set_lineno(lineno)

    def _cached(self, key: Hashable, caller: Callable[[], str]) -> str:
        """The piece for ``key``, rendered only when the store lacks it; a key of None keeps nothing."""
        if key is None or not current_app.config["LMS_FRAGMENT_CACHE"]:
            return caller()
        store: FragmentStore = self.environment.fragment_store  # type: ignore[attr-defined]
        piece = store.get(key)
        if piece is None:
            outer = g.get("_lms_filling_store", False)
            g._lms_filling_store = True
            try:
                piece = str(caller())
            finally:
                g._lms_filling_store = outer
            store.put(key, piece)
        return Markup(_filled(piece))  # noqa: S704 - the output of a template, escaped when rendered
