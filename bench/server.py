"""Starting and stopping a gunicorn server for the benchmark, and reading its workers' memory."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.hashing import peak_rss_kib

READY_FILE = Path(__file__).with_name("gunicorn_ready.py")
WORKERS = 2
START_SECONDS = 60.0
READY = re.compile(r"bench-worker-ready (\d+)")  # what gunicorn_ready.py writes for each worker
STOP_SECONDS = 15.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (gunicorn's workers, for the master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("PPid:"):
                if int(line.split()[1]) == pid:
                    found.append(int(entry.name))
                break
    return sorted(found)


class Gunicorn:
    """``gunicorn -w 2 -b 127.0.0.1:PORT APP`` (sync workers), started and stopped by the benchmark."""

    def __init__(self, name: str, app: str, env: dict[str, str], cwd: Path, workers: int = WORKERS) -> None:
        self.name = name
        self.count = workers
        self.port = free_port()
        self.lines: list[str] = []
        self._events: queue.Queue[str | None] = queue.Queue()
        command = [
            sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "sync",
            "-b", f"127.0.0.1:{self.port}", "-c", str(READY_FILE), app,
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))
            for pid in READY.findall(line):  # every announcement, even in a line run together
                self._events.put(pid)
        self._events.put(None)  # the server has exited

    def wait_ready(self) -> list[int]:
        """Block until every worker has loaded the app (bounded by START_SECONDS); their pids."""
        deadline = time.monotonic() + START_SECONDS
        ready: set[int] = set()
        while len(ready) < self.count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.fail(f"its workers were not ready within {START_SECONDS:.0f} s")
            try:
                event = self._events.get(timeout=remaining)
            except queue.Empty:
                continue
            if event is None:
                self.fail("it exited while starting")
            ready.add(int(event))
        return sorted(ready)

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def peak_rss_kib(self) -> dict[int, int | None]:
        return {pid: peak_rss_kib(pid) for pid in self.workers()}

    def rss_kib(self) -> dict[int, int | None]:
        """Each worker's resident memory now (VmRSS)."""
        return {pid: peak_rss_kib(pid, "VmRSS") for pid in self.workers()}

    def fail(self, why: str) -> None:
        self.stop()
        log = "\n".join(self.lines[-30:])
        raise SystemExit(f"bench: the {self.name} server failed: {why}.\n{log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_SECONDS)
