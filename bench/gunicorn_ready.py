"""Gunicorn settings file used by the benchmark for both servers: it only announces, on stderr, each
worker that has loaded its app, so the benchmark waits for exactly that instead of sleeping."""

from __future__ import annotations

import os
import sys
from typing import Any


def post_worker_init(worker: Any) -> None:
    # One write of the whole line: two workers printing at once once ran their lines together.
    os.write(sys.stderr.fileno(), f"bench-worker-ready {worker.pid}\n".encode())
