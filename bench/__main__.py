"""``make bench``: Argon2 on its own, then Kaskad and a bare Flask baseline under gunicorn.

Everything runs on 127.0.0.1 in this one run, so the ratios compare like with like on this machine.
Servers are measured one after the other (never at the same time) so they do not share the cores.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.client import Browser, csrf_token
from bench.hashing import PASSWORD
from bench.server import WORKERS, Gunicorn

ROOT = Path(__file__).resolve().parent.parent
HASH_RUNS = 30
REQUESTS = 200  # measured requests (or logins) per series, sequential
WARM_UP = 10
WORKER_LIMIT_MB = 150
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


def kaskad_environment(folder: str) -> dict[str, str]:
    """A fresh SQLite database: migrated, the demo organisations, and one person to log in as."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
    env.update(
        LMS_DATABASE_URL=f"sqlite:///{folder}/bench.db",
        LMS_SECRET_KEY=secrets.token_urlsafe(32),
        LMS_ENV="production",
        LMS_BASE_URL="http://127.0.0.1",
        LMS_LOGIN_LIMIT="100000 per minute",
        LMS_RATELIMIT_STORAGE_URL="memory://",
    )
    lms(env, "db", "upgrade")
    lms(env, "demo", "load")  # the organisations (the root among them)
    lms(
        env, "users", "create", "--email", LOGIN_EMAIL, "--surname", "Benchmark", "--given-name", "Login",
        "--role", "learner", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    return env


def start(name: str, app: str, env: dict[str, str]) -> Gunicorn:
    server = Gunicorn(name, app, env, ROOT)
    server.wait_ready()
    health = Browser(server.port).request("GET", "/healthz")
    if health.status != 200:
        server.fail(f"/healthz answered {health.status}")
    return server


def get_page(server: Gunicorn, count: int) -> Series:
    seconds = []
    for _ in range(count):
        reply = Browser(server.port).request("GET", "/login")
        if reply.status != 200:
            server.fail(f"GET /login answered {reply.status}")
        seconds.append(reply.seconds)
    return Series(f"{server.name} GET /login", seconds)


def log_in(server: Gunicorn, count: int, with_token: bool) -> tuple[Series, Series]:
    """Full logins, each with a fresh cookie jar: GET /login, then POST /login → 302."""
    posts, totals = [], []
    for _ in range(count):
        browser = Browser(server.port)
        page = browser.request("GET", "/login")
        form = {"email": LOGIN_EMAIL, "password": PASSWORD}
        if with_token:
            form["csrf_token"] = csrf_token(page.body)
        reply = browser.request("POST", "/login", form)
        location = reply.header("Location") or ""
        if reply.status != 302 or location.rstrip("/").endswith("/login"):
            server.fail(f"POST /login answered {reply.status} {location!r}, not a redirect after logging in")
        posts.append(reply.seconds)
        totals.append(page.seconds + reply.seconds)
    return Series(f"{server.name} POST /login", posts), Series(f"{server.name} login (GET+POST)", totals)


@dataclass
class ServerFigures:
    page: Series
    post: Series
    login: Series
    page_bytes: int
    workers: dict[int, int | None]


def bench_server(name: str, app: str, env: dict[str, str], with_token: bool) -> ServerFigures:
    server = start(name, app, env)
    try:
        page_bytes = len(Browser(server.port).request("GET", "/login").body)
        get_page(server, WARM_UP)
        page = get_page(server, REQUESTS)
        log_in(server, WARM_UP, with_token)
        post, login = log_in(server, REQUESTS, with_token)
        workers = server.peak_rss_kib()
    finally:
        server.stop()
    if len(workers) != WORKERS:
        raise SystemExit(f"bench: expected {WORKERS} workers of the {name} server, found {sorted(workers)}.")
    return ServerFigures(page, post, login, page_bytes, workers)


def report_server(figures: ServerFigures) -> None:
    print(figures.page.line())
    print(figures.post.line())
    print(figures.login.line())
    for pid, kib in figures.workers.items():
        under = "n/a" if kib is None else ("yes" if kib < WORKER_LIMIT_MB * 1024 else "NO")
        print(f"  worker {pid}: peak RSS (VmHWM) {mib(kib)}; under {WORKER_LIMIT_MB} MB: {under}")


def main() -> int:
    started = time.monotonic()
    print(
        f"Kaskad benchmark — Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"gunicorn -w {WORKERS} (sync) on 127.0.0.1, {REQUESTS} sequential requests per series "
        f"after {WARM_UP} warm-up ones\n"
    )
    argon2_series, argon2 = bench_hashing()

    with tempfile.TemporaryDirectory(prefix="kaskad-bench-") as folder:
        print("2. Under gunicorn")
        kaskad = bench_server("Kaskad", "lms:create_app()", kaskad_environment(folder), with_token=True)
        print(f"  Kaskad's login page: {kaskad.page_bytes} bytes")
        report_server(kaskad)
        env = {key: value for key, value in os.environ.items() if not key.startswith("LMS_")}
        env["BENCH_PAGE_BYTES"] = str(kaskad.page_bytes)
        baseline = bench_server("baseline", "bench.baseline_app:app", env, with_token=False)
        print(f"  Baseline (bare Flask) static page: {baseline.page_bytes} bytes")
        report_server(baseline)

    page_ratio = kaskad.page.median_ms / baseline.page.median_ms
    post_ratio = kaskad.post.median_ms / baseline.post.median_ms
    login_ratio = kaskad.login.median_ms / baseline.login.median_ms
    kaskad_peak = max((kib or 0) for kib in kaskad.workers.values())
    baseline_peak = max((kib or 0) for kib in baseline.workers.values())
    under = all(kib is not None and kib < WORKER_LIMIT_MB * 1024 for kib in kaskad.workers.values())
    elapsed = time.monotonic() - started

    print()
    print("Summary")
    rows = [
        ("argon2id verify (19 MiB, t=2, p=1)", argon2_series, None, None),
        ("GET /login", kaskad.page, baseline.page, page_ratio),
        ("POST /login → 302", kaskad.post, baseline.post, post_ratio),
        ("full login (GET + POST)", kaskad.login, baseline.login, login_ratio),
    ]
    print(f"  {'':<36}{'Kaskad median':>14}{'p95':>10}{'baseline median':>17}{'p95':>10}{'ratio':>8}")
    for label, ours, theirs, ratio in rows:
        other = f"{theirs.median_ms:>14.2f} ms{theirs.p95_ms:>7.2f} ms" if theirs else f"{'':>27}"
        shown = f"{ratio:>7.1f}x" if ratio else ""
        print(f"  {label:<36}{ours.median_ms:>11.2f} ms{ours.p95_ms:>7.2f} ms{other}{shown}")
    print(f"  argon2 peak memory added: +{mib(argon2['added_kib'])}")
    print(f"  worker peak RSS (VmHWM): Kaskad {mib(kaskad_peak)}, baseline {mib(baseline_peak)}")
    print(f"  every Kaskad worker under {WORKER_LIMIT_MB} MB: {'yes' if under else 'NO'}")
    print(
        "  The login POST is dominated by Argon2 by design "
        f"(median verify {argon2_series.median_ms:.1f} ms). Run took {elapsed:.0f} s."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
