"""Argon2 with Kaskad's standard parameters, run in a child process of its own (``python -m
bench.hashing RUNS``) so that its peak memory is not mixed with anything else.

tracemalloc cannot see argon2's C allocation, so the memory figure is the process's high-water
mark (VmHWM in /proc/self/status) before and after hashing. Prints one line of JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

PASSWORD = "bench-password-2026"  # noqa: S105 - a throwaway password for the benchmark


def peak_rss_kib(pid: int | str = "self", field: str = "VmHWM") -> int | None:
    """The high-water mark of a process's resident memory in KiB (None when unavailable); with
    ``field="VmRSS"``, its resident memory now."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


def measure(runs: int) -> dict[str, object]:
    from lms.accounts.passwords import _STANDARD as hasher

    before = peak_rss_kib()
    started = time.perf_counter()
    stored = hasher.hash(PASSWORD)
    hash_seconds = time.perf_counter() - started
    hasher.verify(stored, PASSWORD)  # warm-up
    verify_seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        hasher.verify(stored, PASSWORD)
        verify_seconds.append(time.perf_counter() - started)
    after = peak_rss_kib()
    return {
        "parameters": {
            "type": hasher.type.name,
            "memory_kib": hasher.memory_cost,
            "time_cost": hasher.time_cost,
            "parallelism": hasher.parallelism,
        },
        "hash_seconds": hash_seconds,
        "verify_seconds": verify_seconds,
        "vmhwm_before_kib": before,
        "vmhwm_after_kib": after,
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 30)))
