"""pytest plugin shipped with Kaskad (entry point ``pytest11: lms``): app, db, client, factories.

The database is built once per run by the real migrations: a SQLite file in a temporary folder, or,
when ``LMS_TEST_DATABASE_URL`` is set, a fresh PostgreSQL database created next to the one it names
and dropped at the end. After each test every table is put back to the state the migrations left
(seed rows included), so tests are isolated even when the code under test commits.
"""

from __future__ import annotations

import contextvars
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, insert, select, text
from sqlalchemy.engine import make_url

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TEST_PASSWORD = "correct horse battery"  # noqa: S105


def _fresh_postgres(url: str) -> tuple[str, str]:
    """Create an empty database beside the one ``url`` names; return its URL and name."""
    base = make_url(url)
    name = f"lms_test_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres(url: str, name: str) -> None:
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to every head, for this test run only."""
    from flask_migrate import upgrade

    from lms import create_app

    requested = os.environ.get("LMS_TEST_DATABASE_URL", "")
    if requested:
        url, name = _fresh_postgres(requested)
    else:
        url, name = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db"), ""
    app = create_app(_test_config(url))
    with app.app_context():
        upgrade(revision="heads")
        from lms.extensions import db

        db.engine.dispose()
    yield url
    if requested:
        _drop_postgres(requested, name)


def _instance_folder() -> Path:
    folder = Path(tempfile.gettempdir()) / f"kaskad-test-instance-{os.getpid()}"
    folder.mkdir(exist_ok=True)
    return folder


def _test_config(url: str) -> dict[str, Any]:
    import config

    settings = {key: getattr(config.TestConfig, key) for key in dir(config.TestConfig) if key.isupper()}
    settings["SQLALCHEMY_DATABASE_URI"] = url
    # Uploaded files and other instance data of the test run stay out of the source tree.
    settings["LMS_INSTANCE_PATH"] = str(_instance_folder())
    if url.startswith("sqlite"):
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    return settings


@pytest.fixture(scope="session")
def _seed_rows(database_url: str) -> dict[str, list[dict[str, Any]]]:
    """The rows the migrations seeded, to restore after each test."""
    from lms.extensions import db

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in db.metadata.sorted_tables
        }
    engine.dispose()
    return rows


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    """Settings for the ``app`` fixture; override it in a test module to change them."""
    return _test_config(database_url)


class IsolatedClient(FlaskClient):
    """Runs each request in an empty context, so it gets its own app context, ``g`` and database
    session, as in production, even though the test itself holds an app context open."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


_APPS: dict[str, tuple[Flask, dict[str, Any], set[str]]] = {}


def _app_for(config: dict[str, Any]) -> Flask:
    """One app per distinct configuration, reused by the tests that share it (building an app
    compiles every template and URL rule again, which would dominate the suite's time)."""
    from lms import create_app

    key = repr(sorted(config.items(), key=lambda item: item[0]))
    if key not in _APPS:
        app = create_app(config)
        app.test_client_class = IsolatedClient
        _APPS[key] = (app, dict(app.config), set(app.view_functions))
    app, settings, views = _APPS[key]
    if set(app.view_functions) != views:  # a test added routes: never share that app again
        del _APPS[key]
        return _app_for(config)
    app.config.clear()
    app.config.update(settings)  # undo what an earlier test changed
    app._got_first_request = False  # let a test add a route of its own before its first request
    return app


@pytest.fixture
def app(app_config: dict[str, Any], _seed_rows: dict[str, list[dict[str, Any]]]) -> Iterator[Flask]:
    """The app, with an app context pushed for the test's own database work."""
    from lms.extensions import db, limiter

    app = _app_for(app_config)
    with app.app_context():
        limiter.reset()
        yield app
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(delete(table))
            for table in db.metadata.sorted_tables:
                if _seed_rows.get(table.name):
                    connection.execute(insert(table), _seed_rows[table.name])
            if connection.dialect.name == "postgresql":
                _reset_sequences(connection, db.metadata.sorted_tables)
        limiter.reset()


def _reset_sequences(connection: Any, tables: Any) -> None:
    # Table names come from our own metadata, never from input.
    template = (
        "SELECT setval(pg_get_serial_sequence('{0}', 'id'), "
        "COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)"
    )
    for table in tables:
        if "id" in table.c and table.c.id.autoincrement:
            connection.execute(text(template.format(table.name)))


@pytest.fixture
def db(app: Flask) -> Any:
    from lms.extensions import db

    return db


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


# --- factories ------------------------------------------------------------------------------------


class Factory:
    """Makes organisations and people; each call flushes, and ``commit()`` makes them visible."""

    def __init__(self) -> None:
        self._counter = 0

    def _next(self) -> int:
        self._counter += 1
        return self._counter

    def org(
        self,
        kind: str = "hub",
        parent: Any = None,
        code: str | None = None,
        name: str | None = None,
        **fields: Any,
    ) -> Any:
        from lms.orgs.services import create_organisation

        number = self._next()
        return create_organisation(
            code or f"{kind.upper()}-{number}",
            kind,
            {"uk": name or f"Організація {number}", "en": f"Org {number}"},
            parent,
            **fields,
        )

    def user(
        self,
        organisation: Any = None,
        roles: tuple[str, ...] = (),
        email: str | None = None,
        surname: str = "Тестенко",
        given_name: str = "Олена",
        patronymic: str = "",
        password: str = TEST_PASSWORD,
        **fields: Any,
    ) -> Any:
        from lms.accounts.services import create_user, grant_role

        number = self._next()
        user = create_user(
            email or f"person{number}@example.org",
            surname,
            given_name,
            patronymic,
            organisation=organisation,
            password=password,
            **fields,
        )
        for role in roles:
            grant_role(user, role, organisation)
        return user

    def commit(self) -> None:
        from lms.extensions import db

        db.session.commit()


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory()


@dataclass
class World:
    """A small cascade: one country, two regions, a training centre and hubs, and a person with each
    role in each region (``people["trainer@r1"]``) plus a national admin (``people["admin@root"]``)."""

    orgs: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(make: Factory) -> World:
    world = World()
    root = world.orgs["root"] = make.org("national", code="UA", name="Міністерство")
    for key, code in (("r1", "UA-18"), ("r2", "UA-46")):
        region = world.orgs[key] = make.org("region", root, code=code, name=f"Область {code}")
        world.orgs[f"tc@{key}"] = make.org("training_centre", region, code=f"TC-{code[3:]}")
        world.orgs[f"hub@{key}"] = make.org("hub", region, code=f"HUB-{code[3:]}-001")
    world.people["admin@root"] = make.user(root, ("admin",), email="admin@example.org")
    for key in ("r1", "r2"):
        region = world.orgs[key]
        for role, where in (
            ("admin", region),
            ("manager", region),
            ("trainer", world.orgs[f"tc@{key}"]),
            ("learner", world.orgs[f"hub@{key}"]),
        ):
            world.people[f"{role}@{key}"] = make.user(where, (role,), email=f"{role}.{key}@example.org")
    make.commit()
    return world


# --- requests -------------------------------------------------------------------------------------


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """A CSRF token of the client's session, read from a page's form."""
    response = client.get(path)
    match = CSRF_FIELD.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST with the session's CSRF token, as a browser would."""
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def audit_actions(user: Any) -> list[str]:
    """The audit log's actions about ``user``, oldest first (re-read from the database)."""
    from lms.audit.models import AuditEntry
    from lms.extensions import db

    db.session.expire_all()
    query = (
        select(AuditEntry.action)
        .where(AuditEntry.target_type == "User", AuditEntry.target_id == user.id)
        .order_by(AuditEntry.id)
    )
    return list(db.session.scalars(query))


@contextmanager
def statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the database runs inside the block, in order (requests of the test client
    included): for tests of how many queries a page costs."""
    from sqlalchemy import event

    from lms.extensions import db

    ran: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        ran.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", record)


def login(client: FlaskClient, user: Any, password: str = TEST_PASSWORD) -> Any:
    response = post(client, "/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


@pytest.fixture
def login_as(client: FlaskClient) -> Any:
    """``login_as(user)`` logs the test client in through the real login form."""
    return lambda user, password=TEST_PASSWORD: login(client, user, password)
