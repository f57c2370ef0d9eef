"""Where the time of the floor (rung 3) and the lesson page (rung 4) goes: cProfile in one worker.

The ladder's server (``bench/ladder_app.py``) with one sync worker and ``BENCH_PROFILE_DIR``: after
a warm-up, ``REQUESTS`` requests of each rung run under cProfile (one profile per rung, accumulated),
then the worker writes them. Saved in ``bench/profiles/``: ``floor.prof`` and ``lesson.prof`` (open
them with ``python -m pstats``) and ``floor.txt`` and ``lesson.txt``, the top functions by own time
and by cumulative time, per request.
"""

from __future__ import annotations

import io
import pstats
from dataclasses import dataclass
from pathlib import Path

from bench.ladder import APP, ROOT, ladder_rungs
from bench.server import Gunicorn

FOLDER = Path(__file__).with_name("profiles")
REQUESTS = 200
WARM_UP = 30
TOP = 25
PROFILED = ("floor", "lesson", "course", "quiz", "profile")


@dataclass
class Cost:
    function: str
    own_ms: float
    cumulative_ms: float
    calls: float  # per request


def _short(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    return path.removeprefix(str(ROOT) + "/")


def costs(stats: pstats.Stats, requests: int) -> list[Cost]:
    """Every function's time per request, in milliseconds."""
    found = []
    for (path, line, name), (_calls, total_calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{_short(path)}:{line}({name})" if line else name
        found.append(Cost(where, own * 1000 / requests, cumulative * 1000 / requests, total_calls / requests))
    return found


def summary(name: str, stats: pstats.Stats, requests: int) -> str:
    """The top functions by own time and by cumulative time, per request."""
    found = costs(stats, requests)
    total = sum(cost.own_ms for cost in found)
    out = io.StringIO()
    out.write(f"cProfile of the {name} rung: {requests} requests in one gunicorn sync worker ")
    out.write(f"(python -m bench profile); {total:.2f} ms of profiled time per request\n\n")
    for title, key in (("own time", "own_ms"), ("cumulative time", "cumulative_ms")):
        out.write(f"Top {TOP} by {title} (ms per request; calls per request)\n")
        for cost in sorted(found, key=lambda c: getattr(c, key), reverse=True)[:TOP]:
            out.write(
                f"  {cost.own_ms:7.3f} own {cost.cumulative_ms:7.3f} cum {cost.calls:6.1f}x {cost.function}\n"
            )
        out.write("\n")
    return out.getvalue()


def run_profile(env: dict[str, str], learner: dict[str, str]) -> dict[str, str]:
    """Profile the floor and lesson rungs; the text summary of each, also saved in ``FOLDER``."""
    FOLDER.mkdir(exist_ok=True)
    for old in FOLDER.glob("*.prof"):
        old.unlink()
    server = Gunicorn("profile", APP, env | {"BENCH_PROFILE_DIR": str(FOLDER)}, ROOT, workers=1)
    try:
        server.wait_ready()
        rungs = {rung.name: rung for rung in ladder_rungs(server.port, learner)}
        for _round in range(WARM_UP):
            for name in PROFILED:
                rungs[name].get()
        for _round in range(REQUESTS):
            for name in PROFILED:
                rungs[name].get({"X-Bench-Profile": name})
        reply = rungs["bare"].browser.request("POST", "/bench/profile-dump")
        if reply.status != 200:
            server.fail(f"POST /bench/profile-dump answered {reply.status}")
    finally:
        server.stop()
    texts = {}
    for name in PROFILED:
        text = summary(name, pstats.Stats(str(FOLDER / f"{name}.prof")), REQUESTS)
        (FOLDER / f"{name}.txt").write_text(text)
        texts[name] = text
    return texts


def top_lines(text: str, count: int = 8) -> list[str]:
    """The first ``count`` rows by own time of a summary."""
    lines = text.splitlines()
    start = next(index for index, line in enumerate(lines) if line.startswith("Top ")) + 1
    return lines[start : start + count]
