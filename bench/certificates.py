"""Certificates: one PDF through Kaskad against the same HTML through bare xhtml2pdf, serving a stored
PDF, and a 1,000-certificate cohort rendered in a process pool and exported as one ZIP.

``python -m bench.certificates`` (or ``python -m bench certificates``): a fresh SQLite database in a
temporary folder, migrated; everything in this one process (the stored-PDF series through Flask's
test client, so it is the app's own cost without the network). Targets (issue 9): Kaskad/bare
xhtml2pdf ≤ 1.25 (medians, alternating), stored PDF p50 < 20 ms, the ZIP run's peak RSS < 300 MB.
"""

from __future__ import annotations

import io
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RENDERS = 30
SERVES = 200
COHORT = 1000
POOL = 2
RATIO_TARGET = 1.25
SERVE_TARGET_MS = 20.0
RSS_TARGET_MB = 300.0


@dataclass
class Result:
    kaskad_ms: float
    bare_ms: float
    serve_p50_ms: float
    serve_p95_ms: float
    render_pool_s: float
    issue_s: float
    zip_s: float
    zip_mb: float
    peak_rss_mb: float
    children_rss_mb: float

    @property
    def ratio(self) -> float:
        return self.kaskad_ms / self.bare_ms


def _rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def run() -> Result:
    from flask_migrate import upgrade
    from xhtml2pdf import pisa

    from certificates import bulk, pdf, services
    from courses.cohorts.models import Cohort, CohortMember
    from courses.models import Course, Item, Module
    from courses.services import enrol
    from lms import create_app
    from lms import pdf as lms_pdf
    from lms.accounts.services import create_user
    from lms.extensions import db
    from lms.orgs.services import create_organisation
    from lms.testing import _test_config, login

    folder = Path(tempfile.mkdtemp(prefix="kaskad-bench-certificates-"))
    config = _test_config("sqlite:///" + str(folder / "bench.db"))
    config["LMS_INSTANCE_PATH"] = str(folder)
    app = create_app(config)
    with app.app_context():
        upgrade(revision="heads")
        root = create_organisation("UA", "national", {"uk": "Міністерство"}, None)
        region = create_organisation("UA-18", "region", {"uk": "Житомирська область"}, root)
        hub = create_organisation("HUB-1", "hub", {"uk": "Бібліотека № 3"}, region)
        item = Item(key="intro", kind="text", title={"uk": "Вступ"}, body="Текст.", completion="next")
        course = Course(
            code="BENCH", title={"uk": "Координатор хабу цифрової освіти"}, status="published", hours=30
        )
        course.modules.append(Module(key="basics", title={"uk": "Модуль"}, items=[item]))
        db.session.add(course)
        cohort = Cohort(
            course=course,
            organisation=region,
            title="Житомир, весна 2026",
            starts_on=_today(),
            ends_on=_today(),
        )
        db.session.add(cohort)
        learners = []
        for index in range(COHORT):
            learner = create_user(
                f"learner{index}@bench.kaskad", "Ґудзь", f"Марʼяна{index}", "Євгенівна", organisation=hub
            )
            learners.append(learner)
            cohort.members.append(CohortMember(user=learner, enrolment=enrol(learner, course)))
        db.session.commit()

        # 1. One certificate: Kaskad's whole path against bare xhtml2pdf of the same HTML, alternating.
        with app.test_request_context():
            values = services.sample_values(course)
            html = pdf.render_html(pdf.default_template(), services.pdf_context(values))
            kaskad, bare = [], []
            for _ in range(3):  # warm-up
                services.render_values(values, course)
            for _ in range(RENDERS):
                started = time.perf_counter()
                services.render_values(values, course)
                kaskad.append(time.perf_counter() - started)
                started = time.perf_counter()
                out = io.BytesIO()
                pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=lms_pdf.policy())
                bare.append(time.perf_counter() - started)

        # 2. 1,000 certificates rendered in a pool of two processes, then issued (stored), then the ZIP.
        source = services.template_source(course)
        jobs, rows = [], []
        for learner in learners:
            row = {**services.snapshot(learner, course, cohort), "number": services.numbers.new_number()}
            row.update(issued_on=_today(), expires_on=None)
            rows.append(row)
            jobs.append((source, row))
        started = time.perf_counter()
        bodies = bulk.render_many(jobs, config, workers=POOL)
        render_pool_s = time.perf_counter() - started
        started = time.perf_counter()
        for learner, row, body in zip(learners, rows, bodies, strict=True):
            services.issue(learner, course, cohort, values=row, rendered=body)
        db.session.commit()
        issue_s = time.perf_counter() - started
        target = folder / "cohort.zip"
        started = time.perf_counter()
        count = bulk.write_zip(bulk.cohort_certificate_ids(cohort), target)
        zip_s = time.perf_counter() - started
        assert count == COHORT

        # 3. Serving a stored PDF to its holder.
        number = services.current_certificate(learners[0], course, cohort).number  # type: ignore[union-attr]
        learners[0].password_hash = None
        from lms.accounts.passwords import hash_password

        learners[0].password_hash = hash_password("bench password 2026")
        db.session.commit()
        client = app.test_client()
        login(client, learners[0], "bench password 2026")
        path = f"/certificates/{number}/certificate.pdf"
        for _ in range(10):
            client.get(path)
        serves = []
        for _ in range(SERVES):
            started = time.perf_counter()
            response = client.get(path)
            serves.append(time.perf_counter() - started)
            assert response.status_code == 200
    ordered = sorted(serves)
    return Result(
        kaskad_ms=statistics.median(kaskad) * 1000,
        bare_ms=statistics.median(bare) * 1000,
        serve_p50_ms=statistics.median(serves) * 1000,
        serve_p95_ms=ordered[round(0.95 * len(ordered)) - 1] * 1000,
        render_pool_s=render_pool_s,
        issue_s=issue_s,
        zip_s=zip_s,
        zip_mb=target.stat().st_size / 1e6,
        peak_rss_mb=_rss_mb(resource.RUSAGE_SELF),
        children_rss_mb=_rss_mb(resource.RUSAGE_CHILDREN),
    )


def _today() -> Any:
    from lms.i18n import utcnow

    return utcnow().date()


def report(result: Result) -> list[str]:
    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    return [
        f"  one certificate, Kaskad (sandboxed template + QR + xhtml2pdf)  median {result.kaskad_ms:7.1f} ms",
        f"  the same HTML through bare xhtml2pdf                          median {result.bare_ms:7.1f} ms",
        f"  ratio Kaskad / bare xhtml2pdf  {result.ratio:.2f}  (target ≤ {RATIO_TARGET})  "
        f"{verdict(result.ratio <= RATIO_TARGET)}",
        f"  serving a stored PDF to its holder  p50 {result.serve_p50_ms:.2f} ms  "
        f"p95 {result.serve_p95_ms:.2f} ms  (target p50 < {SERVE_TARGET_MS:.0f} ms)  "
        f"{verdict(result.serve_p50_ms < SERVE_TARGET_MS)}",
        f"  {COHORT} certificates rendered in a pool of {POOL}: {result.render_pool_s:.1f} s; "
        f"stored: {result.issue_s:.1f} s; ZIP ({result.zip_mb:.1f} MB): {result.zip_s:.2f} s",
        f"  peak RSS: this process {result.peak_rss_mb:.0f} MB, largest pool worker "
        f"{result.children_rss_mb:.0f} MB (target < {RSS_TARGET_MB:.0f} MB)  "
        f"{verdict(max(result.peak_rss_mb, result.children_rss_mb) < RSS_TARGET_MB)}",
    ]


if __name__ == "__main__":
    for line in report(run()):
        print(line)
    sys.exit(0)
