"""Background jobs: RQ on Redis when ``LMS_QUEUE_URL`` is set, else a local process pool.

A job is a function named ``"module:function"`` and its (picklable) arguments. With a queue, any
number of machines share the work: each runs ``lms jobs worker`` against the same Redis. Without
one, a pool of ``LMS_JOB_WORKERS`` processes of this machine runs it, each with its own app built
from this app's settings. Either way the function runs in a fresh app context (its own database
session), and jobs keep their progress in the database, so a page can show it.
"""

from __future__ import annotations

import importlib
import multiprocessing
import pickle
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from flask import Flask, current_app, has_app_context

QUEUE_NAME = "kaskad"
JOB_TIMEOUT = 6 * 3600  # a national re-render may take hours on one worker

_pools: dict[int, ProcessPoolExecutor] = {}
_pool_app: Flask | None = None


def resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function


def run(path: str, *args: Any) -> Any:
    """Run the job ``path`` in a fresh app context (of the current app, else one built from the
    environment, as a plain ``rq worker`` would need)."""
    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    else:
        from lms import create_app

        app = create_app()
    with app.app_context():
        return resolve(path)(*args)


def queue(url: str) -> Any:
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(url))


def enqueue(path: str, *args: Any) -> Any:
    """Start the job; returns the RQ job, or the local pool's Future."""
    url = str(current_app.config.get("LMS_QUEUE_URL") or "")
    if url:
        return queue(url).enqueue(run, path, *args, job_timeout=JOB_TIMEOUT)
    return _pool().submit(_run_in_pool, path, args)


def _settings(app: Flask) -> dict[str, Any]:
    """The app's settings that can be handed to another process."""
    picklable = {}
    for key, value in app.config.items():
        if not key.isupper():
            continue
        try:
            pickle.dumps(value)
        except Exception:  # noqa: S112 - a setting that cannot travel is rebuilt by create_app
            continue
        picklable[key] = value
    return picklable


def _pool() -> ProcessPoolExecutor:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if id(app) not in _pools:
        _pools[id(app)] = ProcessPoolExecutor(
            max_workers=max(1, int(app.config.get("LMS_JOB_WORKERS") or 1)),
            # spawn, not fork: a forked child would share the parent's database connections
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_pool,
            initargs=(_settings(app),),
        )
    return _pools[id(app)]


def _init_pool(settings: dict[str, Any]) -> None:
    global _pool_app
    from lms import create_app

    _pool_app = create_app(settings)


def _run_in_pool(path: str, args: tuple[Any, ...]) -> Any:
    assert _pool_app is not None
    with _pool_app.app_context():
        return resolve(path)(*args)


def wait(handle: Any, timeout: float = 600) -> Any:
    """Wait for a job started by :func:`enqueue` in the local pool (tests, the CLI)."""
    if isinstance(handle, Future):
        return handle.result(timeout=timeout)
    return None
