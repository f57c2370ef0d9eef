"""The cost ladder: what the stack costs, then what each of our pages adds, in one gunicorn run.

One gunicorn (2 sync workers, SQLite) serves every rung (``bench/ladder_app.py``):

1. ``bare``: a bare Flask app returning a static page of the lesson page's size;
2. ``anonymous``: Kaskad, a route returning those bytes to a visitor;
3. ``floor``: Kaskad, a ``login_required`` route returning those bytes to a logged-in learner;
4. ``lesson``: the first text lesson of the shipped hub coordinator course;
5. ``course``, ``quiz`` (a page of questions of an attempt in progress), ``profile`` (the learner's
   competence profile).

After a warm-up, each repetition sends ``REQUESTS`` rounds of one request to every rung, in an order
shuffled per round, so background load on this shared machine weighs on every rung alike; medians
and p95 per rung and repetition, ratios of medians to rungs 1 and 3, and the median time the app
took inside the worker (its ``X-Bench-App-Time`` header): the rest is HTTP, gunicorn and the
client. The learner has done every item but the quiz (``bench.quiz_setup prepare``), so every page
shows real progress. Afterwards each worker's resident memory.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.client import Browser, csrf_token
from bench.server import Gunicorn

COURSE = "DEH-COORD"
LESSON = "framework-areas"  # the course's first text lesson (Markdown with headings and lists)
REQUESTS = 300  # measured requests per rung and repetition
REPEATS = 2
WARM_UP = 20  # rounds before the measured ones
FLOOR_TARGET = 2.0  # rung 3 at most twice rung 1
LESSON_TARGET = 1.5  # rung 4 at most 1.5 times rung 3
PAGE_TARGET = 2.0  # course, quiz and profile pages at most twice rung 3
WORKER_LIMIT_MB = 150
WORKER_LIMIT_KIB = WORKER_LIMIT_MB * 1000 * 1000 // 1024  # MB, not MiB: the stricter reading
APP = "bench.ladder_app:app"
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Rung:
    name: str
    path: str
    browser: Browser
    target: float | None = None  # the most it may cost, as a multiple of the floor
    seconds: list[float] = field(default_factory=list)
    app_seconds: list[float] = field(default_factory=list)  # of the same requests, inside the worker
    size: int = 0

    def get(self, headers: dict[str, str] | None = None) -> bytes:
        reply = self.browser.request("GET", self.path, extra_headers=headers)
        if reply.status != 200:
            raise SystemExit(f"bench: GET {self.path} answered {reply.status}")
        self.seconds.append(reply.seconds)
        self.app_seconds.append(float(reply.header("X-Bench-App-Time") or "nan"))
        self.size = len(reply.body)
        return reply.body


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def p95_ms(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000  # nearest rank


def learner_browser(port: int, email: str, password: str) -> Browser:
    browser = Browser(port)
    form = {
        "email": email,
        "password": password,
        "csrf_token": csrf_token(browser.request("GET", "/login").body),
    }
    reply = browser.request("POST", "/login", form)
    if reply.status != 302 or (reply.header("Location") or "").rstrip("/").endswith("/login"):
        raise SystemExit(f"bench: {email} could not log in: POST /login answered {reply.status}")
    return browser


def attempt_page(browser: Browser, quiz_lesson: str, start: str) -> str:
    """Start (or continue) the learner's attempt at the quiz; the address of its first page."""
    lesson = browser.request("GET", quiz_lesson)
    if lesson.status != 200:
        raise SystemExit(f"bench: GET {quiz_lesson} answered {lesson.status}")
    reply = browser.request("POST", start, {"csrf_token": csrf_token(lesson.body)})
    location = reply.header("Location") or ""
    if reply.status != 302 or "/attempts/" not in location:
        raise SystemExit(f"bench: starting the quiz answered {reply.status} {location!r}")
    return urlsplit(location).path


def ladder_rungs(port: int, learner: dict[str, str]) -> list[Rung]:
    """The rungs, with the learner logged in; the static pages sized like the lesson page."""
    browser = learner_browser(port, learner["email"], learner["password"])
    lesson = Rung("lesson", f"/courses/{COURSE}/items/{LESSON}", browser, LESSON_TARGET)
    size = len(lesson.get())  # the first visit records where to resume: not measured
    quiz = attempt_page(browser, learner["lesson"], learner["start"])
    return [
        Rung("bare", f"/bare/static/{size}", Browser(port)),
        Rung("anonymous", f"/bench/static/{size}", Browser(port)),
        Rung("floor", f"/bench/floor/{size}", browser),
        lesson,
        Rung("course", f"/courses/{COURSE}", browser, PAGE_TARGET),
        Rung("quiz", quiz, browser, PAGE_TARGET),
        Rung("profile", "/competences/", browser, PAGE_TARGET),
    ]


# Each per-worker cache, switched off in a server of its own beside the ladder's: (setting, the
# pages it serves, as ladder rungs). The fragment setting covers every {% cache %} piece: now the
# lesson's content (the header piece went: it saved < 10 % of the course and profile pages).
CACHES = {
    "fragment cache": ("LMS_FRAGMENT_CACHE", ("lesson",)),
    "outline cache": ("COURSES_OUTLINE_CACHE", ("lesson",)),
}
SAVING_THRESHOLD = 0.10  # a cache that saves less than this share of its page's time goes


def without(cache: str, page: str) -> str:
    return f"{page} without {cache}"


def cache_rungs(ports: dict[str, int], learner: dict[str, str], rungs: list[Rung]) -> list[Rung]:
    """The pages of each cache again, from the server where that cache is off."""
    paths = {rung.name: rung.path for rung in rungs}
    extra = []
    for cache, (_setting, pages) in CACHES.items():
        browser = learner_browser(ports[cache], learner["email"], learner["password"])
        extra += [Rung(without(cache, page), paths[page], browser) for page in pages]
    return extra


def run_rounds(rungs: list[Rung], count: int, rng: random.Random) -> None:
    for _round in range(count):
        order = list(rungs)
        rng.shuffle(order)
        for rung in order:
            rung.get()


@dataclass
class Repetition:
    number: int
    figures: dict[str, tuple[float, float, int, float]]  # rung → (median ms, p95 ms, n, median in the worker)

    def ratio(self, name: str, base: str) -> float:
        return self.figures[name][0] / self.figures[base][0]


def measure(rungs: list[Rung], requests: int = REQUESTS, repeats: int = REPEATS) -> list[Repetition]:
    rng = random.Random(2026)
    run_rounds(rungs, WARM_UP, rng)
    repetitions = []
    for number in range(1, repeats + 1):
        for rung in rungs:
            rung.seconds.clear()
            rung.app_seconds.clear()
        run_rounds(rungs, requests, rng)
        repetitions.append(
            Repetition(
                number,
                {
                    rung.name: (
                        median_ms(rung.seconds),
                        p95_ms(rung.seconds),
                        len(rung.seconds),
                        median_ms(rung.app_seconds),
                    )
                    for rung in rungs
                },
            )
        )
    return repetitions


def rung_line(repetition: Repetition, name: str) -> str:
    median, p95, count, in_worker = repetition.figures[name]
    return (
        f"  {name}: {median:.1f} ms p50, {repetition.ratio(name, 'bare'):.1f}x bare, "
        f"{repetition.ratio(name, 'floor'):.1f}x floor   (p95 {p95:.1f} ms, n={count}; "
        f"in the worker {in_worker:.2f} ms)"
    )


def verdicts(repetitions: list[Repetition], rungs: list[Rung]) -> list[tuple[str, bool]]:
    """Each target, met in every repetition or not."""
    targets = [("floor", "bare", FLOOR_TARGET)]
    targets += [(rung.name, "floor", rung.target) for rung in rungs if rung.target is not None]
    lines = []
    for name, base, limit in targets:
        ratios = [r.ratio(name, base) for r in repetitions]
        shown = ", ".join(f"{ratio:.2f}x" for ratio in ratios)  # two decimals: 2.0x may be 2.04x
        lines.append((f"{name} ≤ {limit:.1f}x {base} ({shown})", all(ratio <= limit for ratio in ratios)))
    return lines


@dataclass
class LadderResult:
    repetitions: list[Repetition]
    rungs: list[Rung]  # the ladder's, then the pages without each cache
    rss: dict[int, int | None]
    peak: dict[int, int | None]


def run_ladder(env: dict[str, str], learner: dict[str, str], caches: bool = True) -> LadderResult:
    """The ladder's server and, with ``caches``, one server per cache with that cache off, all
    running at once on the same database; every rung's requests interleaved."""
    settings = {"ladder": ("ladder", env)}
    for cache, (setting, _pages) in CACHES.items() if caches else ():
        settings[cache] = (f"without {cache}", env | {setting: "0"})
    servers: dict[str, Gunicorn] = {}
    try:
        for key, (name, server_env) in settings.items():  # one at a time: two cores
            servers[key] = Gunicorn(name, APP, server_env, ROOT)
            servers[key].wait_ready()
        rungs = ladder_rungs(servers["ladder"].port, learner)
        ports = {name: server.port for name, server in servers.items()}
        rungs += cache_rungs(ports, learner, rungs) if caches else []
        repetitions = measure(rungs)
        rss, peak = servers["ladder"].rss_kib(), servers["ladder"].peak_rss_kib()
    finally:
        for server in servers.values():
            server.stop()
    return LadderResult(repetitions, rungs, rss, peak)


def cache_lines(result: LadderResult) -> list[tuple[str, bool]]:
    """For each cache and page: with and without it per repetition, and whether it saves enough
    (at least ``SAVING_THRESHOLD`` of the page's time in every repetition)."""
    lines = []
    names = {rung.name for rung in result.rungs}
    for cache, (_setting, pages) in CACHES.items():
        for page in pages:
            if without(cache, page) not in names:
                continue
            figures = []
            pays = True
            for repetition in result.repetitions:
                with_ms = repetition.figures[page][0]
                without_ms = repetition.figures[without(cache, page)][0]
                saving = 1 - with_ms / without_ms
                pays = pays and saving >= SAVING_THRESHOLD
                figures.append(f"{with_ms:.1f} ms with, {without_ms:.1f} ms without ({saving:+.0%})")
            lines.append((f"{cache}, {page} page: " + "; ".join(figures), pays))
    return lines


def report(result: LadderResult) -> bool:
    """Print the ladder; True when every target is met."""
    size = result.rungs[0].size
    print(f"  static rungs and the lesson page: {size} bytes (the lesson page: {result.rungs[3].size} bytes)")
    for repetition in result.repetitions:
        print(f"  repetition {repetition.number}:")
        for rung in result.rungs:
            print("  " + rung_line(repetition, rung.name))
    for line, pays in cache_lines(result):
        verdict = "pays" if pays else f"saves < {SAVING_THRESHOLD:.0%} in some repetition"
        print(f"  {line}: {verdict}")
    met = True
    for label, ok in verdicts(result.repetitions, result.rungs):
        met = met and ok
        print(f"  target {label}: {'met' if ok else 'NOT met'} (in every repetition)")
    for pid, kib in result.rss.items():
        peak = result.peak.get(pid)
        under = kib is not None and kib < WORKER_LIMIT_KIB
        peak_text = "n/a" if peak is None else f"{peak / 1024:.1f} MiB"
        rss_text = "n/a" if kib is None else f"{kib / 1024:.1f} MiB"
        print(
            f"  worker {pid}: RSS after the run {rss_text} (peak {peak_text}); "
            f"under {WORKER_LIMIT_MB} MB: {'yes' if under else 'NO'}"
        )
        met = met and under
    return met
