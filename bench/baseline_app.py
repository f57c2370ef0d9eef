"""The baseline: a bare Flask app under the same gunicorn settings as Kaskad.

``GET /login`` returns a static HTML page of ``BENCH_PAGE_BYTES`` bytes (the benchmark passes the
size of Kaskad's login page); ``POST /login`` returns a 302 without looking at the form;
``GET /lesson`` returns a static HTML page of ``BENCH_LESSON_BYTES`` bytes (the size of the Kaskad
lesson page it is compared with); ``GET /healthz`` answers "ok" for the readiness check.
"""

from __future__ import annotations

import os

from flask import Flask, Response, redirect

_HEAD = (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>Log in</title>\n</head>\n<body>\n<main>\n<h1>Log in</h1>\n"
)
_TAIL = "</main>\n</body>\n</html>\n"
_FILLER = "<p>Baseline page of the Kaskad benchmark: static text of the size of the page it stands for.</p>\n"


def static_page(size: int) -> bytes:
    """An HTML page of exactly ``size`` bytes (or just the skeleton when that is larger)."""
    room = max(0, size - len(_HEAD) - len(_TAIL))
    body = (_FILLER * (room // len(_FILLER) + 1))[:room]
    return (_HEAD + body + _TAIL).encode()


app = Flask(__name__)
PAGE = static_page(int(os.environ.get("BENCH_PAGE_BYTES", "2200")))
LESSON_PAGE = static_page(int(os.environ.get("BENCH_LESSON_BYTES", "2200")))


@app.get("/login")
def login_page() -> Response:
    return Response(PAGE, content_type="text/html; charset=utf-8")


@app.post("/login")
def login() -> Response:
    return redirect("/", 302)


@app.get("/lesson")
def lesson_page() -> Response:
    return Response(LESSON_PAGE, content_type="text/html; charset=utf-8")


@app.get("/healthz")
def healthz() -> Response:
    return Response("ok", content_type="text/plain")
