"""Many certificates at once: a cohort's certificates as one ZIP of their stored PDFs.

The ZIP is written to a temporary file beside the target and renamed over it at the end, so an
interrupted export never leaves half a ZIP; PDFs are read a hundred at a time, so memory stays flat
however large the cohort.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from sqlalchemy import select

from certificates.models import Certificate, Status
from lms.extensions import db

CHUNK = 100
_UNSAFE = re.compile(r"[^\w.\- ]+")


def cohort_certificate_ids(cohort: object) -> list[int]:
    """The cohort's current certificates (valid or expired; not revoked or superseded), by holder."""
    query = (
        select(Certificate.id)
        .where(Certificate.cohort_id == cohort.id, Certificate.status == Status.VALID.value)  # type: ignore[attr-defined]
        .order_by(Certificate.holder_name, Certificate.id)
    )
    return list(db.session.scalars(query))


def entry_name(number: str, latin_name: str) -> str:
    return f"{number} {_UNSAFE.sub('', latin_name).strip()}".strip()[:120] + ".pdf"


def _pdfs(ids: Sequence[int]) -> Iterator[tuple[str, bytes]]:
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = db.session.execute(
            select(Certificate.id, Certificate.number, Certificate.holder_name_latin, Certificate.pdf).where(
                Certificate.id.in_(chunk)
            )
        ).all()
        by_id = {row.id: row for row in rows}
        for certificate_id in chunk:
            row = by_id[certificate_id]
            yield entry_name(row.number, row.holder_name_latin), row.pdf


def write_zip_to(ids: Sequence[int], out: IO[bytes], progress: Callable[[int], object] | None = None) -> int:
    seen: set[str] = set()
    count = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:  # PDFs are compressed
        for name, body in _pdfs(ids):
            while name in seen:
                name = name[:-4] + "_.pdf"
            seen.add(name)
            archive.writestr(name, body)
            count += 1
            if progress is not None:
                progress(1)
    return count


def write_zip(ids: Sequence[int], path: Path, progress: Callable[[int], object] | None = None) -> int:
    """Write the certificates ``ids`` into the ZIP at ``path`` (atomically); returns how many."""
    path = path.resolve()
    descriptor, temporary = tempfile.mkstemp(prefix=".certificates-", suffix=".zip", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as out:
            count = write_zip_to(ids, out, progress)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def zip_bytes(ids: Sequence[int]) -> bytes:
    buffer = io.BytesIO()
    write_zip_to(ids, buffer)
    return buffer.getvalue()


# --- rendering many in a local process pool ---------------------------------------------------------

_worker_app = None


def _init_worker(config: dict[str, object]) -> None:
    global _worker_app
    from lms import create_app

    _worker_app = create_app(config)


def _render_one(job: tuple[str, dict[str, object]]) -> bytes:
    from certificates import pdf, services

    source, values = job
    assert _worker_app is not None
    with _worker_app.test_request_context():
        return pdf.render(source, services.pdf_context(values))


def render_many(
    jobs: Sequence[tuple[str, dict[str, object]]], config: dict[str, object], workers: int = 2
) -> list[bytes]:
    """Render ``(template source, values)`` jobs in a pool of ``workers`` processes, in order. Each
    worker builds its own app from ``config`` once; nothing is written to the database here."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(config,)) as pool:
        return list(pool.map(_render_one, jobs, chunksize=8))
