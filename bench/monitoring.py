"""Monitoring at national scale: 1,000,000 certificates, 100,000 learners, 6,200 hubs (SQLite).

``python -m bench.monitoring`` (or ``python -m bench monitoring``): a fresh SQLite database migrated
as in production, filled with bulk SQL (``executemany`` of plain INSERTs, no ORM): the 27 regions, 6,200
hubs, 100,000 learners and 300 trainers, and 1,000,000 certificate facts over 2024–2026 (90 % Kaskad's,
10 % external; 1–2 target groups each; 1 % revoked), so about 83,000 fall in a quarter. Then, in one run:

- the raw SQL aggregate the quarterly report needs, over the same tables (certificates per region ×
  target group from the target-group rows, and per
  region for the de-duplicated total), written by hand, p50 of 15 runs;
- the quarterly report as Kaskad builds it (``lms.monitoring.reports.quarterly``), p50 of 15 runs, and
  its ratio to the raw SQL (target ≤ 1.5×);
- the dashboard page for a national admin (``GET /monitoring/?period=2026-Q3``, in-process test
  client, the request's whole work: permissions, every indicator for this and the previous quarter, the
  breakdown, target groups, the eight-quarter trend, coverage per region, the page), p50 of 15
  (target < 300 ms);
- ``lms reports quarterly`` for each format in a child process, its peak RSS (target < 300 MB).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CERTIFICATES = 1_000_000
LEARNERS = 100_000
TRAINERS = 300
HUBS = 6200
RUNS = 15
SEED = 10
GROUPS = (
    "civil_servants",
    "local_government_officials",
    "education_workers",
    "medical_workers",
    "librarians",
)
COURSES = (
    ("DEH-COORD", "Координатор хабу"),
    ("TOT-RTC", "Тренер РНЦ"),
    ("CYBER", "Кібергігієна"),
    ("E-GOV", "Е-послуги"),
    ("DIGI-1", "Цифрова грамотність"),
)
START = date(2024, 1, 1)
DAYS = (date(2026, 11, 30) - START).days
REPORT_TARGET = 1.5
DASHBOARD_TARGET_MS = 300.0
RSS_TARGET_MB = 300.0
QUARTER = (2026, 3)


def _names(text: str) -> str:
    return json.dumps({"uk": text, "en": text}, ensure_ascii=False)


def fill(url: str) -> None:
    """Organisations, people and facts, by plain INSERTs in batches."""
    import sqlite3

    from lms.monitoring.models import COUNTED_COLUMNS

    path = url.removeprefix("sqlite:///")
    connection = sqlite3.connect(path)
    cursor = connection.cursor()
    now = "2026-12-01 00:00:00"
    org_columns = (
        "id, code, kind, name, name_sort, parent_id, path, depth, is_occupied, address, settlement, hromada, "
        "opening_hours, services, status, created_at, updated_at, host_type"
    )
    orgs = [
        (
            1,
            "UA",
            "national",
            _names("Міністерство"),
            "m",
            None,
            "/1/",
            0,
            0,
            "",
            "",
            "",
            "",
            "[]",
            "open",
            now,
            now,
            None,
        )
    ]
    regions = list(range(2, 29))
    for index, region_id in enumerate(regions):
        orgs.append(
            (
                region_id,
                f"UA-{index + 1:02d}",
                "region",
                _names(f"Область {index + 1:02d}"),
                f"r{index:02d}",
                1,
                f"/1/{region_id}/",
                1,
                0,
                "",
                "",
                "",
                "",
                "[]",
                "open",
                now,
                now,
                None,
            )
        )
    hubs = []
    for number in range(HUBS):
        hub_id = 100 + number
        region_id = regions[number % len(regions)]
        status = "temporarily_closed" if number % 50 == 0 else "open"
        orgs.append(
            (
                hub_id,
                f"HUB-{number:05d}",
                "hub",
                _names(f"Хаб {number}"),
                f"h{number:05d}",
                region_id,
                f"/1/{region_id}/{hub_id}/",
                2,
                0,
                "",
                "",
                "",
                "",
                "[]",
                status,
                now,
                now,
                "library",
            )
        )
        hubs.append((hub_id, region_id))
    placeholders = ", ".join("?" * 18)
    statement = f"INSERT INTO lms_organisation ({org_columns}) VALUES ({placeholders})"  # noqa: S608
    cursor.executemany(statement, orgs)
    # People and facts straight from SQL (a recursive CTE counting to N): the learner p lives at hub
    # 100 + p % 6200, in region 2 + (p % 6200) % 27, as the organisations above were laid out.
    cursor.execute(
        "WITH RECURSIVE n(p) AS (SELECT 1 UNION ALL SELECT p + 1 FROM n WHERE p < :count) "
        "INSERT INTO lms_user (id, email, email_casefold, surname, given_name, patronymic, name_sort, "
        "timezone, organisation_id, is_active, created_at) "
        "SELECT p, 'p' || p || '@bench.kaskad', 'p' || p || '@bench.kaskad', 'Прізвище', 'Імʼя ' || p, '', "
        "printf('p%07d', p), 'Europe/Kyiv', 100 + p % :hubs, 1, :now FROM n",
        {"count": LEARNERS + TRAINERS, "hubs": HUBS, "now": now},
    )
    cursor.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count), "
        "drawn AS MATERIALIZED (SELECT i, abs(random()) % :learners + 1 AS p, "
        "date('2024-01-01', '+' || (abs(random()) % :days) || ' days') AS d FROM n) "
        "INSERT INTO lms_monitoring_fact (id, source, source_id, person_id, person_key, scope_path, "
        "region_id, institution_id, hub_id, job_code, course_code, course_title, cohort_id, trainer_id, "
        "cascade_level, issued_on, year, half, quarter, revoked_on) "
        "SELECT i, CASE WHEN i % 10 = 0 THEN 'external' ELSE 'kaskad' END, i, p, 'u' || p, "
        "'/1/' || (2 + (p % :hubs) % 27) || '/' || (100 + p % :hubs) || '/', 2 + (p % :hubs) % 27, NULL, "
        "CASE WHEN i % 10 = 0 THEN NULL ELSE 100 + p % :hubs END, "
        "CASE WHEN p % 10 = 0 THEN 'hub_coordinator' ELSE 'librarian' END, "
        "CASE WHEN i % 10 = 0 THEN '' ELSE 'COURSE-' || (i % 5) END, 'Курс ' || (i % 5), "
        "CASE WHEN i % 10 = 0 THEN NULL ELSE i % 5000 END, "
        "CASE WHEN i % 10 = 0 THEN NULL ELSE :learners + 1 + i % :trainers END, "
        "CASE WHEN i % 10 = 0 THEN NULL ELSE 1 + i % 3 END, d, "
        "CAST(substr(d, 1, 4) AS INTEGER), "
        "CAST(substr(d, 1, 4) AS INTEGER) * 10 "
        "+ CASE WHEN CAST(substr(d, 6, 2) AS INTEGER) <= 6 THEN 1 ELSE 2 END, "
        "CAST(substr(d, 1, 4) AS INTEGER) * 10 + (CAST(substr(d, 6, 2) AS INTEGER) - 1) / 3 + 1, "
        "CASE WHEN i % 100 = 7 THEN date(d, '+30 days') END FROM drawn",
        {"count": CERTIFICATES, "learners": LEARNERS, "trainers": TRAINERS, "hubs": HUBS, "days": DAYS},
    )
    codes = ", ".join(f"'{code}'" for code in GROUPS)
    copied = ", ".join(COUNTED_COLUMNS)  # what each group row carries from its fact
    first = (
        f"SELECT id, json_extract(json_array({codes}), '$[' || (id * 7 % 5) || ']'), {copied} "  # noqa: S608
        "FROM lms_monitoring_fact"
    )
    second = (
        f"SELECT id, json_extract(json_array({codes}), '$[' || ((id * 7 + 1) % 5) || ']'), {copied} "  # noqa: S608
        "FROM lms_monitoring_fact WHERE id % 2 = 1"
    )
    for chosen in (first, second):  # every certificate one target group, every other one a second
        cursor.execute(
            f"INSERT INTO lms_monitoring_fact_target_group (fact_id, target_group, {copied}) " + chosen
        )
    connection.commit()
    connection.close()


RAW_BY_GROUP = """
SELECT g.region_id, g.target_group, count(*) FROM lms_monitoring_fact_target_group g
WHERE g.quarter = :quarter AND g.issued_on <= :today AND (g.revoked_on IS NULL OR g.revoked_on > :today)
GROUP BY g.region_id, g.target_group
"""
RAW_TOTALS = """
SELECT f.region_id, count(*) FROM lms_monitoring_fact f
WHERE f.quarter = :quarter AND f.issued_on <= :today AND (f.revoked_on IS NULL OR f.revoked_on > :today)
GROUP BY f.region_id
"""


def _p50(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def _timed(work: Any, runs: int = RUNS) -> list[float]:
    work()  # warm the caches once
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return seconds


def _child_rss_kib(args: list[str], env: dict[str, str]) -> tuple[int, float]:
    """Run a child; return its peak RSS (KiB, from wait4's rusage) and its wall time."""
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 (our own command line)
        args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(
            f"{' '.join(args)} failed: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
        )
    return usage.ru_maxrss, time.perf_counter() - started


def bench_monitoring() -> dict[str, Any]:
    from flask_migrate import upgrade
    from sqlalchemy import text

    folder = Path(tempfile.mkdtemp(prefix="kaskad-bench-monitoring-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    env = {**os.environ, "LMS_DATABASE_URL": url, "LMS_INSTANCE_PATH": str(folder), "LMS_ENV": "development"}
    os.environ.update({"LMS_DATABASE_URL": url, "LMS_INSTANCE_PATH": str(folder)})
    from lms import create_app

    app = create_app()
    figures: dict[str, Any] = {}
    with app.app_context():
        upgrade(revision="heads")
        from lms.extensions import db

        db.engine.dispose()
    started = time.perf_counter()
    fill(url)
    figures["fill_s"] = time.perf_counter() - started
    print(f"filled in {figures['fill_s']:.0f} s", flush=True)
    with app.app_context():
        from lms.accounts.passwords import hash_password
        from lms.extensions import db
        from lms.monitoring import reports
        from lms.monitoring.aggregates import Filters
        from lms.monitoring.facts import rebuild_tally
        from lms.monitoring.periods import Period
        from lms.permissions import Scope

        db.session.execute(
            text("UPDATE lms_user SET password_hash = :hash WHERE id = 1"),
            {"hash": hash_password("bench-password-1")},
        )
        db.session.execute(
            text(
                "INSERT INTO lms_role_grant (user_id, role, organisation_id, granted_at) "
                "VALUES (1, 'admin', 1, :now)"
            ),
            {"now": "2026-12-01 00:00:00"},
        )
        rebuild_tally()  # the facts came by bulk SQL, past the writer that keeps the tally
        db.session.commit()
        figures["facts"] = db.session.execute(text("SELECT count(*) FROM lms_monitoring_fact")).scalar_one()
        figures["fact_groups"] = db.session.execute(
            text("SELECT count(*) FROM lms_monitoring_fact_target_group")
        ).scalar_one()
        quarter = Period.quarter(*QUARTER)
        params = {"quarter": quarter.key, "today": date.today().isoformat()}
        connection = db.session.connection()

        def raw() -> None:
            connection.execute(text(RAW_BY_GROUP), params).all()
            connection.execute(text(RAW_TOTALS), params).all()

        filters = Filters(Scope((), is_everything=True), quarter)
        raw_seconds = _timed(raw)
        report_seconds = _timed(lambda: reports.quarterly(filters, rows_by="region"))
        content = reports.quarterly(filters, rows_by="region")
        figures["in_quarter"] = content["total"]["*"]
        figures["raw_ms"] = _p50(raw_seconds)
        figures["report_ms"] = _p50(report_seconds)
        figures["report_ratio"] = figures["report_ms"] / figures["raw_ms"]
        print(f"raw {figures['raw_ms']:.0f} ms, report {figures['report_ms']:.0f} ms", flush=True)
        db.session.remove()
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    response = client.post("/login", data={"email": "p1@bench.kaskad", "password": "bench-password-1"})
    assert response.status_code == 302, response.status_code
    path = f"/monitoring/?period={QUARTER[0]}-Q{QUARTER[1]}"

    def dashboard() -> None:
        page = client.get(path)
        assert page.status_code == 200, page.status_code

    figures["dashboard_ms"] = _p50(_timed(dashboard))
    print(f"dashboard {figures['dashboard_ms']:.0f} ms", flush=True)
    figures["dashboard_bytes"] = len(client.get(path).data)
    lms = str(Path(sys.executable).with_name("lms"))
    for format_ in ("csv", "xlsx", "pdf"):
        out = folder / f"quarterly.{format_}"
        rss, seconds = _child_rss_kib(
            [
                lms,
                "reports",
                "quarterly",
                "--year",
                str(QUARTER[0]),
                "--quarter",
                str(QUARTER[1]),
                "--format",
                format_,
                "--output",
                str(out),
            ],
            env,
        )
        figures[f"export_{format_}_rss_mb"] = rss * 1024 / 1_000_000
        figures[f"export_{format_}_s"] = seconds
    return figures


def report(figures: dict[str, Any]) -> list[str]:
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines = [
        f"data: {figures['facts']:,} certificate facts ({figures['fact_groups']:,} target-group rows), "
        f"{LEARNERS:,} learners, {HUBS:,} hubs, 27 regions; filled by bulk SQL in {figures['fill_s']:.0f} s; "
        f"{figures['in_quarter']:,} counted in {QUARTER[0]}-Q{QUARTER[1]}",
        f"quarterly aggregate, raw SQL by hand: p50 {figures['raw_ms']:.0f} ms",
        f"quarterly report (Kaskad): p50 {figures['report_ms']:.0f} ms = "
        f"{figures['report_ratio']:.2f}× raw SQL "
        f"(target ≤ {REPORT_TARGET}×: {verdict(figures['report_ratio'] <= REPORT_TARGET)})",
        f"dashboard, national admin: p50 {figures['dashboard_ms']:.0f} ms, "
        f"{figures['dashboard_bytes'] / 1024:.0f} KB "
        f"(target < {DASHBOARD_TARGET_MS:.0f} ms: {verdict(figures['dashboard_ms'] < DASHBOARD_TARGET_MS)})",
    ]
    for format_ in ("csv", "xlsx", "pdf"):
        rss = figures[f"export_{format_}_rss_mb"]
        lines.append(
            f"lms reports quarterly --format {format_}: peak RSS {rss:.0f} MB, "
            f"{figures[f'export_{format_}_s']:.1f} s "
            f"(target < {RSS_TARGET_MB:.0f} MB: {verdict(rss < RSS_TARGET_MB)})"
        )
    return lines


def main() -> int:
    for line in report(bench_monitoring()):
        print(line)
    return 0


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
