"""``make bench``: Argon2 on its own, then Kaskad and a bare Flask baseline under gunicorn: the login
page and a full login, then the cost ladder from a bare Flask page to our pages (``bench/ladder.py``)
and the profile of its floor and lesson rungs (``bench/profile.py``), then 200 learners taking the
shipped quiz at once on SQLite and PostgreSQL (``bench/quiz_load.py``). ``python -m bench PART`` runs
one part alone; ``python -m bench --help`` lists them.

Everything runs on 127.0.0.1 in this one run, so the ratios compare like with like on this machine.
Both servers run side by side and the requests alternate between them, so background load on the
machine weighs on both alike; the ratios are of medians.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import ladder, profile
from bench.client import Browser, csrf_token
from bench.hashing import PASSWORD
from bench.quiz_load import LEARNERS, P99_TARGET_MS, LoadResult, bench_quiz_load, postgres_database
from bench.quiz_load import WORKERS as LOAD_WORKERS
from bench.quiz_load import report as report_load
from bench.quiz_setup import COURSE as LOAD_COURSE
from bench.server import WORKERS, Gunicorn

ROOT = Path(__file__).resolve().parent.parent
HASH_RUNS = 30
REQUESTS = 200  # measured requests (or logins) per series, sequential
WARM_UP = 10
WORKER_LIMIT_MB = 150
WORKER_LIMIT_KIB = WORKER_LIMIT_MB * 1000 * 1000 // 1024  # MB, not MiB: the stricter reading
LOGIN_EMAIL = "bench.login@kaskad.bench"
# Kaskad also limits POST /login to 300 per 10 minutes per address (per worker with memory storage).
assert REQUESTS + WARM_UP < 300


@dataclass
class Series:
    name: str
    seconds: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000  # nearest rank

    def line(self) -> str:
        figures = f"median {self.median_ms:8.2f} ms   p95 {self.p95_ms:8.2f} ms"
        return f"  {self.name:<34} {figures}   (n={len(self.seconds)})"


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:.1f} MiB"


# --- 1. password hashing ---------------------------------------------------------------------------


def bench_hashing() -> tuple[Series, dict]:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.hashing", str(HASH_RUNS)],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    series = Series("argon2 verify", figures["verify_seconds"])
    p = figures["parameters"]
    before, after = figures["vmhwm_before_kib"], figures["vmhwm_after_kib"]
    print("1. Password hashing (lms.accounts.passwords._STANDARD, in a child process that only hashes)")
    memory = p["memory_kib"] // 1024
    print(f"  parameters: {p['type']}, {memory} MiB, t={p['time_cost']}, p={p['parallelism']}")
    print(f"  one hash: {figures['hash_seconds'] * 1000:.2f} ms")
    print(series.line())
    added = None if before is None or after is None else after - before
    figures["added_kib"] = added
    print(f"  peak RSS (VmHWM) of the child: {mib(before)} before hashing, {mib(after)} after: +{mib(added)}")
    print()
    return series, figures


# --- 2. Kaskad and the baseline under gunicorn ------------------------------------------------------


def lms(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    command = [str(Path(sys.executable).with_name("lms")), *args]
    result = subprocess.run(  # noqa: S603 - the venv's own lms command
        command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"bench: `lms {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")


def kaskad_settings(folder: str, database_url: str) -> dict[str, str]:
    """Kaskad's environment for a benchmark server (production mode, media in ``folder``)."""
    env = {key: value for key, value in baseline_environment().items() if not key.startswith("COURSES_")}
    env.update(
        COURSES_MEDIA_DIR=f"{folder}/media",
        LMS_DATABASE_URL=database_url,
        LMS_SECRET_KEY=secrets.token_urlsafe(32),
        LMS_ENV="production",
        LMS_BASE_URL="http://127.0.0.1",
        LMS_LOGIN_LIMIT="100000 per minute",
        LMS_RATELIMIT_STORAGE_URL="memory://",
    )
    return env


def demo_database(env: dict[str, str]) -> None:
    lms(env, "db", "upgrade")
    lms(env, "demo", "load")


def kaskad_environment(folder: str) -> dict[str, str]:
    """A fresh SQLite database: migrated, the demo data (organisations, people, the shipped courses
    with their media in ``folder``), and one person to log in as."""
    env = kaskad_settings(folder, f"sqlite:///{folder}/bench.db")
    lms(env, "db", "upgrade")
    lms(env, "demo", "load")  # the organisations (the root among them), the demo people, the courses
    lms(
        env, "users", "create", "--email", LOGIN_EMAIL, "--surname", "Benchmark", "--given-name", "Login",
        "--role", "learner", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    return env


def baseline_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}


def start(name: str, app: str, env: dict[str, str]) -> Gunicorn:
    server = Gunicorn(name, app, env, ROOT)
    server.wait_ready()
    health = Browser(server.port).request("GET", "/healthz")
    if health.status != 200:
        server.fail(f"/healthz answered {health.status}")
    return server


@dataclass
class Target:
    """One server under test and what was measured on it."""

    server: Gunicorn
    with_token: bool
    page: list[float] = field(default_factory=list)
    post: list[float] = field(default_factory=list)
    login: list[float] = field(default_factory=list)
    workers: dict[int, int | None] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.server.name

    def get_page(self) -> bytes:
        reply = Browser(self.server.port).request("GET", "/login")
        if reply.status != 200:
            self.server.fail(f"GET /login answered {reply.status}")
        self.page.append(reply.seconds)
        return reply.body

    def log_in(self) -> None:
        """A full login with a fresh cookie jar: GET /login, then POST /login → 302."""
        browser = Browser(self.server.port)
        page = browser.request("GET", "/login")
        form = {"email": LOGIN_EMAIL, "password": PASSWORD}
        if self.with_token:
            form["csrf_token"] = csrf_token(page.body)
        reply = browser.request("POST", "/login", form)
        location = reply.header("Location") or ""
        if reply.status != 302 or location.rstrip("/").endswith("/login"):
            self.server.fail(f"POST /login answered {reply.status} {location!r}, not a login's redirect")
        self.post.append(reply.seconds)
        self.login.append(page.seconds + reply.seconds)

    def forget(self) -> None:
        """Drop the warm-up figures."""
        self.page.clear()
        self.post.clear()
        self.login.clear()

    def series(self) -> tuple[Series, Series, Series]:
        return (
            Series(f"{self.name} GET /login", self.page),
            Series(f"{self.name} POST /login", self.post),
            Series(f"{self.name} login (GET+POST)", self.login),
        )


def interleaved(targets: list[Target], count: int, action: str) -> None:
    """``count`` rounds of one request (or login) to each server in turn, the order alternating, so
    that both see the same background load on this machine."""
    for round_number in range(count):
        for target in targets if round_number % 2 == 0 else reversed(targets):
            getattr(target, action)()


def report_workers(name: str, workers: dict[int, int | None]) -> None:
    for pid, kib in workers.items():
        under = "n/a" if kib is None else ("yes" if kib < WORKER_LIMIT_KIB else "NO")
        print(f"  {name + ' worker':<15} {pid}: VmHWM {mib(kib)}; under {WORKER_LIMIT_MB} MB: {under}")


def report_server(target: Target) -> None:
    for series in target.series():
        print(series.line())
    report_workers(target.name, target.workers)


def peak(workers: dict[int, int | None]) -> int:
    return max((kib or 0) for kib in workers.values())


def bench_servers(kaskad_env: dict[str, str]) -> tuple[Target, Target]:
    """Kaskad and the baseline, both running, measured in alternation; then their workers' peaks."""
    kaskad = Target(start("Kaskad", "lms:create_app()", kaskad_env), with_token=True)
    targets = [kaskad]
    try:
        page_bytes = len(kaskad.get_page())
        env = baseline_environment()
        env["BENCH_PAGE_BYTES"] = str(page_bytes)
        baseline = Target(start("baseline", "bench.baseline_app:app", env), with_token=False)
        targets.append(baseline)
        for action in ("get_page", "log_in"):
            interleaved(targets, WARM_UP, action)
        for target in targets:
            target.forget()
        for action in ("get_page", "log_in"):
            interleaved(targets, REQUESTS, action)
        for target in targets:
            target.workers = target.server.peak_rss_kib()
            if len(target.workers) != WORKERS:
                target.server.fail(f"expected {WORKERS} workers, found {sorted(target.workers)}")
        baseline_bytes = len(Browser(baseline.server.port).request("GET", "/login").body)
    finally:
        for target in targets:
            target.server.stop()
    print(f"  login page: Kaskad {page_bytes} bytes, baseline (bare Flask, static) {baseline_bytes} bytes")
    return kaskad, baseline


def ladder_learner(env: dict[str, str], folder: str) -> dict[str, str]:
    """One learner of the shipped course who has done every item but the quiz."""
    out = Path(folder, "ladder-learner.json")
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.quiz_setup", "prepare", "1", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"bench: preparing the ladder's learner failed:\n{result.stdout}{result.stderr}")
    learners: list[dict[str, str]] = json.loads(out.read_text())
    return learners[0]


def part_hashing(summary: list[str]) -> None:
    series, figures = bench_hashing()
    summary.append(
        f"  argon2id verify: median {series.median_ms:.1f} ms, peak memory +{mib(figures['added_kib'])}"
    )


def part_login(summary: list[str]) -> None:
    print("2. GET /login and a full login under gunicorn (Kaskad and the baseline side by side, alternating)")
    with tempfile.TemporaryDirectory(prefix="kaskad-bench-") as folder:
        kaskad, baseline = bench_servers(kaskad_environment(folder))
    report_server(kaskad)
    report_server(baseline)
    print()
    for label, ours, theirs in zip(
        ("GET /login", "POST /login → 302", "full login (GET + POST)"),
        kaskad.series(),
        baseline.series(),
        strict=True,
    ):
        ratio = ours.median_ms / theirs.median_ms
        summary.append(
            f"  {label}: Kaskad {ours.median_ms:.2f} ms, baseline {theirs.median_ms:.2f} ms, {ratio:.1f}x"
        )
    summary.append(
        f"  login part, worker peak RSS: Kaskad {mib(peak(kaskad.workers))}, "
        f"baseline {mib(peak(baseline.workers))}"
    )


def part_ladder(summary: list[str]) -> None:
    print(
        f"3. The cost ladder in one gunicorn run (-w {WORKERS} sync, SQLite; {ladder.REQUESTS} rounds "
        f"per repetition, {ladder.REPEATS} repetitions, after {ladder.WARM_UP} warm-up rounds; "
        "order shuffled per round)"
    )
    with tempfile.TemporaryDirectory(prefix="kaskad-bench-") as folder:
        env = kaskad_environment(folder)
        result = ladder.run_ladder(env, ladder_learner(env, folder))
    met = ladder.report(result)
    print()
    last = result.repetitions[-1]
    summary.append("  ladder (last repetition):")
    summary.extend("  " + ladder.rung_line(last, rung.name) for rung in result.rungs)
    summary.append(f"  ladder targets: {'all met' if met else 'NOT all met'}")
    for line, pays in ladder.cache_lines(result):
        summary.append(f"  {line}: {'pays' if pays else 'saves too little'}")


def part_profile(summary: list[str]) -> None:
    print(
        f"4. cProfile of the floor and the lesson rungs ({profile.REQUESTS} requests each, one sync worker), "
        f"saved in {profile.FOLDER.relative_to(ROOT)}/"
    )
    with tempfile.TemporaryDirectory(prefix="kaskad-bench-") as folder:
        env = kaskad_environment(folder)
        texts = profile.run_profile(env, ladder_learner(env, folder))
    for name, text in texts.items():
        print(f"  {name}: the top costs by own time (ms per request)")
        for line in profile.top_lines(text):
            print("  " + line)
        summary.append(f"  profile of the {name} rung: {profile.FOLDER.relative_to(ROOT)}/{name}.txt")
    print()


def part_quiz_load(summary: list[str]) -> None:
    print(
        f"5. {LEARNERS} learners taking the {LOAD_COURSE} quiz at once (starting within 20 s, 4-12 s "
        f"per page of four questions), gunicorn -w {LOAD_WORKERS} (sync), the load tool in its own process"
    )
    loads: list[LoadResult] = []
    with tempfile.TemporaryDirectory(prefix="kaskad-bench-") as folder:
        env = kaskad_settings(folder, f"sqlite:///{folder}/load.db")
        loads.append(bench_quiz_load("SQLite", env, demo_database))
        report_load(loads[-1])
    postgres = os.environ.get("LMS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with postgres_database(postgres) as url, tempfile.TemporaryDirectory(prefix="kaskad-bench-") as folder:
        if url is None:
            print(f"  PostgreSQL: no server answers at {postgres}; skipped")
        else:
            loads.append(bench_quiz_load("PostgreSQL", kaskad_settings(folder, url), demo_database))
            report_load(loads[-1])
    print()
    for result in loads:
        target = f" (target p99 < {P99_TARGET_MS:.0f} ms)" if result.database == "SQLite" else ""
        summary.append(
            f"  quiz under load, {result.database}: p50 {result.p50_ms:.1f} ms, "
            f"p99 {result.p99_ms:.1f} ms{target}; errors {len(result.errors)}, lost answers {result.lost}, "
            f"graded {result.graded}/{result.attempts}; worker peak RSS {mib(result.peak_kib)}"
        )


def part_cascade(summary: list[str]) -> None:
    from bench import cascade

    print(
        f"6. The cascade: {cascade.NATIONAL} national → {cascade.NATIONAL * cascade.REGIONAL_PER_NATIONAL} "
        f"regional trainers → {cascade.COORDINATORS} coordinators, and a {cascade.LEARNERS}-learner "
        f"cohort's gradebook (SQLite, in-process test client, {cascade.REQUESTS} requests each)"
    )
    timings = cascade.run()
    for timing in timings:
        print(timing.line())
    print()
    summary.extend(timing.line() for timing in timings)


def part_hubs(summary: list[str]) -> None:
    from bench import hubs as public_hubs

    print("The public hub directory at 6,200 hubs (SQLite, gunicorn -w 2, anonymous, sequential)")
    lines = public_hubs.report(public_hubs.bench_hubs())
    for line in lines:
        print(line)
    print()
    summary.extend(lines)


def part_certificates(summary: list[str]) -> None:
    from bench import certificates

    print(
        f"Certificates: one PDF against bare xhtml2pdf, a stored PDF served, a {certificates.COHORT}-"
        f"certificate cohort rendered in a pool of {certificates.POOL} and zipped (SQLite, in-process)"
    )
    lines = certificates.report(certificates.run())
    for line in lines:
        print(line)
    print()
    summary.extend(lines)


def part_monitoring(summary: list[str]) -> None:
    from bench import monitoring

    print("Monitoring at 1,000,000 certificates, 100,000 learners, 6,200 hubs (SQLite)")
    lines = monitoring.report(monitoring.bench_monitoring())
    for line in lines:
        print(line)
    print()
    summary.extend(lines)


PARTS: dict[str, tuple[Callable[[list[str]], None], str]] = {
    "hashing": (part_hashing, "Argon2id with Kaskad's parameters, alone in a child process"),
    "login": (part_login, "GET /login and a full login, Kaskad against a bare Flask baseline"),
    "ladder": (part_ladder, "the cost ladder: bare Flask, Kaskad's floors, our pages; ratios and worker RSS"),
    "profile": (part_profile, "cProfile of the floor and the lesson rungs, saved in bench/profiles/"),
    "hubs": (part_hubs, "the public directory's search and the GeoJSON of all hubs at 6,200 hubs, p50"),
    "quiz-load": (
        part_quiz_load,
        f"{LEARNERS} learners taking the shipped quiz at once (SQLite, PostgreSQL)",
    ),
    "certificates": (
        part_certificates,
        "one certificate vs bare xhtml2pdf, a stored PDF served, a 1,000-certificate cohort ZIP (pool of 2)",
    ),
    "monitoring": (
        part_monitoring,
        "dashboard and quarterly report over 1,000,000 certificates vs raw SQL (SQLite)",
    ),
    "cascade": (part_cascade, "the lineage of a 6,510-person cascade and a 300-learner gradebook (SQLite)"),
}


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Kaskad's benchmarks, on 127.0.0.1. Without PART, every part in turn (make bench).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="parts:\n" + "\n".join(f"  {name:<10} {about}" for name, (_run, about) in PARTS.items()),
    )
    parser.add_argument("part", nargs="*", metavar="PART", help="the part(s) to run, in this order")
    args = parser.parse_args(argv)
    unknown = [name for name in args.part if name not in PARTS]
    if unknown:
        parser.error(f"unknown part {', '.join(unknown)} (choose from {', '.join(PARTS)})")
    return args


def main(argv: list[str] | None = None) -> int:
    chosen = arguments(argv).part or list(PARTS)
    started = time.monotonic()
    print(
        f"Kaskad benchmark — Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"gunicorn -w {WORKERS} (sync) on 127.0.0.1; parts: {', '.join(chosen)}"
    )
    print(f"Load average at the start: {load()} (other work on this machine makes the figures noisier)\n")
    summary: list[str] = []
    for name in chosen:
        PARTS[name][0](summary)
    print("Summary")
    for line in summary:
        print(line)
    print(f"  Run took {time.monotonic() - started:.0f} s; load average at the end: {load()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
