"""The public hub directory at 6,200 hubs: searches of the list and the GeoJSON of all hubs, p50.

``python -m bench.hubs`` (or ``python -m bench hubs``): a fresh SQLite database with the demo's
regions and hubs, filled up to 6,200 hubs spread over the regions (3 % without coordinates, as in
real data); gunicorn with 2 sync workers on 127.0.0.1; sequential anonymous requests, one connection
each. Targets (issue 12): directory search p50 < 100 ms, GeoJSON of all hubs p50 < 300 ms.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.client import Browser
from bench.server import Gunicorn

ROOT = Path(__file__).resolve().parent.parent
HUBS = 6200
SEARCH_REQUESTS = 60  # per kind of search
GEOJSON_REQUESTS = 30
WARM_UP = 5
SEARCH_TARGET_MS = 100.0
GEOJSON_TARGET_MS = 300.0
SEED = 12  # the same hubs in every run


@dataclass
class Figure:
    name: str
    seconds: list[float]
    size: int
    target_ms: float | None = None

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000

    def line(self) -> str:
        target = ""
        if self.target_ms is not None:
            met = "met" if self.p50_ms < self.target_ms else "NOT met"
            target = f"   (target p50 < {self.target_ms:.0f} ms: {met})"
        return (
            f"  {self.name:<44} p50 {self.p50_ms:7.1f} ms   p95 {self.p95_ms:7.1f} ms   "
            f"{self.size / 1024:7.1f} KiB{target}"
        )


def _settings(folder: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LMS_", "COURSES_"))}
    env.update(
        LMS_DATABASE_URL=f"sqlite:///{folder}/hubs.db",
        LMS_INSTANCE_PATH=folder,
        LMS_SECRET_KEY=secrets.token_urlsafe(32),
        LMS_ENV="production",
        LMS_BASE_URL="http://127.0.0.1",
        LMS_PUBLIC_LIMIT="100000 per minute",
        LMS_OPEN_DATA_LIMIT="100000 per minute",
        COURSES_MEDIA_DIR=f"{folder}/media",
    )
    return env


def _lms(env: dict[str, str], *args: str) -> None:
    command = [str(Path(sys.executable).with_name("lms")), *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"bench: `lms {' '.join(args)}` failed:\n{result.stdout}{result.stderr}")


FILL = r"""
import random, sys
from sqlalchemy import func, insert, select, update
from lms import create_app
from lms.extensions import db
from lms.i18n import search_text, sort_key, utcnow
from lms.orgs.models import Kind, Organisation

total, seed = int(sys.argv[1]), int(sys.argv[2])
app = create_app()
with app.app_context():
    rng = random.Random(seed)
    regions = db.session.execute(
        select(Organisation.id, Organisation.code, Organisation.path).where(Organisation.kind == "region")
    ).all()
    shown = db.session.execute(
        select(Organisation.settlement, Organisation.hromada).where(Organisation.kind == "hub")
    ).all()
    have = db.session.scalar(select(func.count()).where(Organisation.kind == "hub"))
    HOSTS = ["library"] * 6 + ["admin_service_centre", "school"]
    services = ["e_services", "digital_literacy", "cyber_hygiene", "device_access", "consultations",
                "national_test"]
    rows, now = [], utcnow()
    for number in range(total - have):
        region = regions[number % len(regions)]
        settlement, hromada = shown[number % len(shown)]
        village = f"{settlement} {number // len(shown) + 1}"
        name = {"uk": f"Хаб цифрової освіти в бібліотеці ({village})",
                "en": f"Digital Education Hub at the library ({village})"}
        code = f"HUB-{region.code[3:]}-B{number:05d}"
        address = f"вул. Шевченка, {rng.randint(1, 120)}"
        located = rng.random() > 0.03
        rows.append(dict(
            code=code, kind=Kind.HUB.value, name=name, name_sort=sort_key(name["uk"]), parent_id=region.id,
            path="", depth=2, is_occupied=False, host_type=rng.choice(HOSTS),
            address=address, settlement=village, hromada=hromada, opening_hours="Mo-Fr 09:00-18:00",
            latitude=round(rng.uniform(45.4, 52.2), 5) if located else None,
            longitude=round(rng.uniform(22.3, 40.1), 5) if located else None,
            services=rng.sample(services, rng.randint(1, 4)),
            status=rng.choice(["open"] * 18 + ["temporarily_closed", "relocated"]),
            phone="", email="", website="",
            search_text=search_text(name["uk"], name["en"], village, hromada, address, code),
            created_at=now, updated_at=now,
        ))
    db.session.execute(insert(Organisation.__table__), rows)
    parent = Organisation.__table__.alias("parent")
    db.session.execute(
        update(Organisation.__table__)
        .where(Organisation.__table__.c.path == "")
        .values(path=select(parent.c.path).where(parent.c.id == Organisation.__table__.c.parent_id)
                .scalar_subquery() + func.cast(Organisation.__table__.c.id, db.String) + "/")
    )
    db.session.commit()
    print(db.session.scalar(select(func.count()).where(Organisation.kind == "hub")))
"""


def prepare(folder: str) -> dict[str, str]:
    env = _settings(folder)
    _lms(env, "db", "upgrade")
    # Only the core's demo (the organisations): the directory involves no plugin, and the plugins' demo
    # data (courses, certificates) would only cost time here.
    _lms({**env, "LMS_PLUGINS": ","}, "demo", "load")
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", FILL, str(HUBS), str(SEED)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if result.returncode != 0 or result.stdout.strip() != str(HUBS):
        raise SystemExit(f"bench: filling the hubs failed:\n{result.stdout}{result.stderr}")
    return env


def measure(port: int, paths: list[str], count: int, name: str, target: float | None) -> Figure:
    browser = Browser(port)
    for path in paths[:WARM_UP]:
        browser.request("GET", path)
    seconds, size = [], 0
    for index in range(count):
        path = paths[index % len(paths)]
        reply = browser.request("GET", path, extra_headers={"Accept-Language": "uk"})
        if reply.status != 200:
            raise SystemExit(f"bench: GET {path} answered {reply.status}")
        seconds.append(reply.seconds)
        size = max(size, len(reply.body))
    return Figure(name, seconds, size, target)


def searches() -> dict[str, list[str]]:
    rng = random.Random(SEED)
    words = ["Коростень", "бібліотеці", "Жмеринка", "громада", "Овруч", "Вінниця", "Кам'янець", "Ніжин"]
    regions = ["UA-05", "UA-18", "UA-46", "UA-63", "UA-32"]
    services = ["e_services", "device_access", "national_test"]
    return {
        "search by settlement (q=…)": [f"/hubs/?{urlencode({'q': word})}" for word in words],
        "region + service + status filter": [
            "/hubs/?"
            + urlencode({"region": rng.choice(regions), "service": rng.choice(services), "status": "open"})
            for _ in range(10)
        ],
        "the whole directory, pages 1–124": [f"/hubs/?page={page}" for page in (1, 10, 40, 77, 100, 124)],
    }


def bench_hubs() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="kaskad-bench-hubs-") as folder:
        env = prepare(folder)
        server = Gunicorn("kaskad", "lms:create_app()", env, ROOT)
        try:
            server.wait_ready()
            figures = [
                measure(server.port, paths, SEARCH_REQUESTS, name, SEARCH_TARGET_MS)
                for name, paths in searches().items()
            ]
            all_hubs = ["/open-data/hubs.geojson"]
            # The first request builds the file (then each worker keeps it until the hubs change).
            built = Browser(server.port).request("GET", all_hubs[0])
            first = Figure("GeoJSON of all hubs, first request (built)", [built.seconds], len(built.body))
            geojson = measure(
                server.port, all_hubs, GEOJSON_REQUESTS, "GeoJSON of all 6,200 hubs", GEOJSON_TARGET_MS
            )
            body = Browser(server.port).request("GET", all_hubs[0]).body
            features = len(json.loads(body)["features"])
            if features != HUBS:
                raise SystemExit(f"bench: the GeoJSON has {features} features, not {HUBS}")
            figures.extend([first, geojson])
            figures.append(
                measure(server.port, ["/open-data/hubs.csv"], GEOJSON_REQUESTS, "CSV of all 6,200 hubs", None)
            )
        finally:
            server.stop()
    return figures


def report(figures: list[Figure]) -> list[str]:
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        f"Public hub directory, {HUBS:,} hubs, SQLite, gunicorn -w 2 (sync), anonymous, sequential "
        f"(load average {load} on {os.cpu_count()} CPUs)"
    ]
    lines += [figure.line() for figure in figures]
    return lines


def main() -> int:
    for line in report(bench_hubs()):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
