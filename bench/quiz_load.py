"""200 learners taking the shipped quiz at once, against one gunicorn with 4 sync workers.

The load tool (``bench/load_client.py``) runs as a process of its own on 127.0.0.1; it logs every
learner in first (not measured), then all of them start the quiz within 20 s, answer every page
(4–12 s to read and answer one) and submit. Afterwards the answers they sent are counted in the
database: none may be lost, and every attempt must be submitted and graded once. Run on SQLite and,
when ``LMS_BENCH_POSTGRES_URL`` (default: the local test server) answers, on PostgreSQL.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.server import Gunicorn

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = 200
WORKERS = 4
P99_TARGET_MS = 500.0  # on SQLite


@dataclass
class LoadResult:
    database: str
    learners: int
    seconds: float
    requests: int
    errors: list[str]
    p50_ms: float
    p99_ms: float
    answers_p50_ms: float
    answers_p99_ms: float
    sent: int
    saved: int
    attempts: int
    graded: int
    peak_kib: int | None

    @property
    def lost(self) -> int:
        return self.sent - self.saved


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _python(env: dict[str, str], *args: str, timeout: float = 600) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and modules
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"bench: `python {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")
    return result.stdout


@contextmanager
def postgres_database(url: str) -> Iterator[str | None]:
    """A fresh PostgreSQL database beside the one ``url`` names (None when the server does not answer)."""
    from lms.testing import _drop_postgres, _fresh_postgres

    try:
        fresh, name = _fresh_postgres(url)
    except Exception:  # no server: the PostgreSQL run is skipped, and says so
        yield None
        return
    try:
        yield fresh
    finally:
        _drop_postgres(url, name)


def bench_quiz_load(
    database: str, env: dict[str, str], prepare: Callable[[dict[str, str]], None]
) -> LoadResult:
    """Prepare the database in ``env`` (migrations, demo data), add the learners, run the load."""
    prepare(env)
    with tempfile.TemporaryDirectory(prefix="kaskad-load-") as folder:
        learners_file, result_file = Path(folder, "learners.json"), Path(folder, "result.json")
        _python(env, "-m", "bench.quiz_setup", "prepare", str(LEARNERS), str(learners_file))
        server = Gunicorn(f"Kaskad ({database})", "lms:create_app()", env, ROOT, workers=WORKERS)
        try:
            server.wait_ready()
            _python(env, "-m", "bench.load_client", str(server.port), str(learners_file), str(result_file))
            peaks = [kib for kib in server.peak_rss_kib().values() if kib is not None]
        finally:
            server.stop()
        counted = json.loads(_python(env, "-m", "bench.quiz_setup", "count", str(result_file)))
        result = json.loads(result_file.read_text())
    latencies = [seconds * 1000 for learner in result["learners"] for _label, seconds in learner["latencies"]]
    answers = [
        seconds * 1000
        for learner in result["learners"]
        for label, seconds in learner["latencies"]
        if label in ("answers", "submit")
    ]
    errors = [*result["failures"], *(error for learner in result["learners"] for error in learner["errors"])]
    return LoadResult(
        database=database,
        learners=len(result["learners"]),
        seconds=result["seconds"],
        requests=len(latencies),
        errors=errors,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=percentile(latencies, 0.99) if latencies else 0.0,
        answers_p50_ms=statistics.median(answers) if answers else 0.0,
        answers_p99_ms=percentile(answers, 0.99) if answers else 0.0,
        sent=counted["sent"],
        saved=counted["saved"],
        attempts=counted["attempts"],
        graded=counted["graded"],
        peak_kib=max(peaks) if peaks else None,
    )


def report(result: LoadResult) -> None:
    print(
        f"  {result.database}: {result.learners} learners, {result.requests} requests "
        f"in {result.seconds:.1f} s; errors {len(result.errors)}"
    )
    print(
        f"    every request      p50 {result.p50_ms:7.1f} ms   p99 {result.p99_ms:7.1f} ms\n"
        f"    answers sent       p50 {result.answers_p50_ms:7.1f} ms   p99 {result.answers_p99_ms:7.1f} ms"
    )
    print(
        f"    answers sent {result.sent}, saved {result.saved} (lost {result.lost}); "
        f"attempts {result.attempts}, submitted and graded {result.graded}"
    )
    for error in result.errors[:10]:
        print(f"    error: {error}")


def main() -> int:
    """``python -m bench.quiz_load [sqlite|postgresql]``: this part of ``make bench`` alone."""
    import os

    from bench.__main__ import demo_database, kaskad_settings

    which = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    with tempfile.TemporaryDirectory(prefix="kaskad-bench-") as folder:
        if which == "sqlite":
            report(
                bench_quiz_load(
                    "SQLite", kaskad_settings(folder, f"sqlite:///{folder}/load.db"), demo_database
                )
            )
            return 0
        url = os.environ.get("LMS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
        with postgres_database(url) as fresh:
            if fresh is None:
                raise SystemExit(f"bench: no PostgreSQL server answers at {url}")
            report(bench_quiz_load("PostgreSQL", kaskad_settings(folder, fresh), demo_database))
    return 0


if __name__ == "__main__":
    sys.exit(main())
