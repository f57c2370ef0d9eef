"""The ladder's server: Kaskad and a bare Flask app in the same gunicorn workers (``bench.ladder_app:app``).

Paths under ``/bare/`` go to a bare Flask app (rung 1); everything else goes to Kaskad as
``lms.create_app()`` builds it, plus two routes that exist only in this benchmark's app and return
the same static bytes: ``/bench/static/<size>`` for anyone (rung 2) and ``/bench/floor/<size>``
behind ``login_required`` (rung 3). Every static page is exactly ``size`` bytes (the benchmark passes
the lesson page's length). Serving all rungs from the same workers means they share the machine's
state (caches, background load) as closely as two apps can.

Every response carries ``X-Bench-App-Time``: the seconds the app took inside the worker, teardown
included, so the ladder can show what HTTP, gunicorn and the client add to each rung.

With ``BENCH_PROFILE_DIR`` set (one worker), a request carrying ``X-Bench-Profile: NAME`` runs under
cProfile, accumulated per NAME; ``POST /bench/profile-dump`` writes ``NAME.prof`` (pstats) for each
into that folder.
"""

from __future__ import annotations

import cProfile
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response
from flask_login import login_required

import lms
from bench.baseline_app import static_page

_PAGES: dict[int, bytes] = {}


def page(size: int) -> Response:
    body = _PAGES.get(size)
    if body is None:
        body = _PAGES[size] = static_page(size)
    return Response(body, content_type="text/html; charset=utf-8")


bare = Flask("bare")


@bare.get("/bare/static/<int:size>")
def bare_page(size: int) -> Response:
    return page(size)


floor = Blueprint("bench", __name__, url_prefix="/bench")


@floor.get("/static/<int:size>")
def anonymous_page(size: int) -> Response:
    return page(size)


@floor.get("/floor/<int:size>")
@login_required
def logged_in_page(size: int) -> Response:
    return page(size)


kaskad = lms.create_app()
kaskad.register_blueprint(floor)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    target = bare if environ.get("PATH_INFO", "").startswith("/bare/") else kaskad
    return target.wsgi_app(environ, start_response)


class Profiled:
    """cProfile around the requests that ask for it, one accumulated profile per name."""

    def __init__(self, app: WSGIApp, folder: Path) -> None:
        self.app, self.folder = app, folder
        self.profiles: dict[str, cProfile.Profile] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/bench/profile-dump" and environ.get("REQUEST_METHOD") == "POST":
            self.folder.mkdir(parents=True, exist_ok=True)
            for name, profile in self.profiles.items():
                profile.dump_stats(str(self.folder / f"{name}.prof"))
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [" ".join(sorted(self.profiles)).encode()]
        name = str(environ.get("HTTP_X_BENCH_PROFILE") or "")
        if not name:
            return self.app(environ, start_response)
        profile = self.profiles.setdefault(name, cProfile.Profile())
        profile.enable()
        try:
            return list(self.app(environ, start_response))  # the whole body, inside the profile
        finally:
            profile.disable()


class Timed:
    """The app's own time for each response, in its ``X-Bench-App-Time`` header (the body is built
    before the headers go out: the ladder's pages are small)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        kept: list[Any] = []
        body = self.app(
            environ, lambda status, headers, exc_info=None: kept.extend((status, headers, exc_info))
        )
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        seconds = time.perf_counter() - started
        status, headers, exc_info = kept[-3:]
        start_response(status, [*headers, ("X-Bench-App-Time", f"{seconds:.6f}")], exc_info)
        return [data]


_folder = os.environ.get("BENCH_PROFILE_DIR")
app: WSGIApp = Timed(Profiled(dispatch, Path(_folder)) if _folder else dispatch)
