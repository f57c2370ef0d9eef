"""A lesson page of a shipped course under gunicorn, against a bare Flask page of the same size.

A demo coordinator logs in, enrols in the hub coordinator course (DEH-COORD, imported by ``lms demo
load``) and opens its first text lesson; the baseline serves a static page padded to that lesson
page's byte length. Both servers run side by side, fresh for this part, and the GETs alternate
between them as in the login part, so background load weighs on both alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.client import Browser, csrf_token
from bench.server import WORKERS, Gunicorn

ROOT = Path(__file__).resolve().parent.parent
COURSE = "DEH-COORD"
LESSON = "framework-areas"  # the course's first text lesson (Markdown with headings and lists)
LESSON_PATH = f"/courses/{COURSE}/items/{LESSON}"
BASELINE_PATH = "/lesson"
EMAIL = "coordinator.zhytomyr@kaskad.demo"
PASSWORD = "kaskad-demo-2026"  # noqa: S105 - the published password of the demo people


@dataclass
class Lesson:
    """One server's lesson page and what was measured on it."""

    server: Gunicorn
    browser: Browser
    path: str
    seconds: list[float] = field(default_factory=list)
    workers: dict[int, int | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.server.name

    def get(self) -> bytes:
        reply = self.browser.request("GET", self.path)
        if reply.status != 200:
            self.server.fail(f"GET {self.path} answered {reply.status}")
        self.seconds.append(reply.seconds)
        return reply.body


def start(name: str, app: str, env: dict[str, str]) -> Gunicorn:
    server = Gunicorn(name, app, env, ROOT)
    server.wait_ready()
    return server


def enrolled_learner(server: Gunicorn) -> Browser:
    """A browser logged in as the demo coordinator, enrolled in the course (POSTs with CSRF tokens)."""
    browser = Browser(server.port)
    form = {
        "email": EMAIL,
        "password": PASSWORD,
        "csrf_token": csrf_token(browser.request("GET", "/login").body),
    }
    reply = browser.request("POST", "/login", form)
    if reply.status != 302 or (reply.header("Location") or "").rstrip("/").endswith("/login"):
        server.fail(f"the demo coordinator could not log in: POST /login answered {reply.status}")
    course = browser.request("GET", f"/courses/{COURSE}")
    if course.status != 200:
        server.fail(f"GET /courses/{COURSE} answered {course.status}: was `lms demo load` run?")
    reply = browser.request("POST", f"/courses/{COURSE}/enrol", {"csrf_token": csrf_token(course.body)})
    if reply.status != 302:
        server.fail(f"POST /courses/{COURSE}/enrol answered {reply.status}")
    return browser


def bench_lesson(
    kaskad_env: dict[str, str], baseline_env: dict[str, str], requests: int, warm_up: int
) -> tuple[Lesson, Lesson, int, int]:
    """Kaskad's lesson page and the same-sized static page, measured in alternation; then the peaks
    of their workers. Returns both and the two pages' sizes in bytes."""
    server = start("Kaskad", "lms:create_app()", kaskad_env)
    servers = [server]
    try:
        kaskad = Lesson(server, enrolled_learner(server), LESSON_PATH)
        page_bytes = len(kaskad.get())  # the first visit also records where to resume: not measured
        baseline_server = start(
            "baseline", "bench.baseline_app:app", baseline_env | {"BENCH_LESSON_BYTES": str(page_bytes)}
        )
        servers.append(baseline_server)
        baseline = Lesson(baseline_server, Browser(baseline_server.port), BASELINE_PATH)
        baseline_bytes = len(baseline.get())
        pages = [kaskad, baseline]
        for count in (warm_up, requests):  # the warm-up, then the measured rounds
            for page in pages:
                page.seconds.clear()  # only the measured rounds count
            for round_number in range(count):
                for page in pages if round_number % 2 == 0 else reversed(pages):
                    page.get()
        for page in pages:
            page.workers = page.server.peak_rss_kib()
            if len(page.workers) != WORKERS:
                page.server.fail(f"expected {WORKERS} workers, found {sorted(page.workers)}")
    finally:
        for each in servers:
            each.stop()
    return kaskad, baseline, page_bytes, baseline_bytes


def main() -> int:
    """``python -m bench.lesson``: this part of ``make bench`` alone."""
    import statistics
    import sys
    import tempfile

    from bench.__main__ import REQUESTS, WARM_UP, baseline_environment, kaskad_environment

    with tempfile.TemporaryDirectory(prefix="kaskad-bench-") as folder:
        kaskad, baseline, size, _ = bench_lesson(
            kaskad_environment(folder), baseline_environment(), REQUESTS, WARM_UP
        )
    ours, theirs = statistics.median(kaskad.seconds) * 1000, statistics.median(baseline.seconds) * 1000
    print(
        f"{LESSON_PATH} ({size} bytes): Kaskad {ours:.2f} ms, baseline {theirs:.2f} ms, "
        f"ratio {ours / theirs:.2f}"
    )
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
