"""The ``lms`` command: migrations, the first administrator, organisation imports, the demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import create_engine, func, inspect, select, text

import lms
from lms.accounts.models import RoleGrant, User
from lms.cli import LmsGroup, db_group
from lms.demo.loader import DEMO_PASSWORD, PEOPLE
from lms.extensions import db as _db
from lms.orgs.models import Organisation
from lms.testing import TEST_PASSWORD, login


def fresh_sqlite_app(tmp_path: Path):
    return lms.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "cli-test",
            "LMS_PASSWORD_HASH_FAST": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.db'}",
            "SQLALCHEMY_ENGINE_OPTIONS": {},
        }
    )


def every_head_is_applied(app, versions: set[str]) -> bool:
    """Alembic keeps only the heads no other applied head depends on; what they reach must be every head."""
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        applied = {revision.revision for revision in script.iterate_revisions(tuple(versions), "base")}
        return bool(versions) and set(script.get_heads()) <= applied


def count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def user(db, email):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email_casefold == email.casefold()))


# --- lms db upgrade -------------------------------------------------------------------------------


def test_db_upgrade_builds_the_whole_schema_in_an_empty_sqlite_database(tmp_path):
    fresh = fresh_sqlite_app(tmp_path)

    result = fresh.test_cli_runner().invoke(db_group, ["upgrade"])

    assert result.exit_code == 0, result.output
    assert "Database is up to date." in result.output
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        versions = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    engine.dispose()
    assert set(_db.metadata.tables) <= tables
    assert every_head_is_applied(fresh, versions)
    # Upgrading an up-to-date database is harmless.
    again = fresh.test_cli_runner().invoke(db_group, ["upgrade"])
    assert again.exit_code == 0, again.output


def test_the_lms_command_has_our_db_group_that_upgrades_every_branch(tmp_path):
    fresh = fresh_sqlite_app(tmp_path)
    cli = LmsGroup(create_app=lambda: fresh, name="lms", load_dotenv=False)

    result = CliRunner().invoke(cli, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    with engine.connect() as connection:
        versions = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    engine.dispose()
    assert every_head_is_applied(fresh, versions)


def test_alembic_heads_are_the_core_and_each_plugin_branch_and_plugins_depend_on_the_core(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    heads = set(script.get_heads())

    branch_heads = {
        branch: script.get_revision(f"{branch}@head").revision
        for branch in ("lms", "courses", "certificates")
    }
    assert heads == set(branch_heads.values())
    assert len(heads) == 3
    bases = {
        revision.revision: revision for revision in script.walk_revisions() if not revision.down_revision
    }
    assert {label for revision in bases.values() for label in revision.branch_labels} >= {
        "lms",
        "courses",
        "certificates",
    }
    core = {revision.revision for revision in script.walk_revisions() if "lms" in revision.branch_labels}
    for branch in ("courses", "certificates"):
        (base,) = [revision for revision in bases.values() if branch in revision.branch_labels]
        dependencies = base.dependencies if isinstance(base.dependencies, tuple) else (base.dependencies,)
        assert set(dependencies) & core, f"{branch} does not depend on the core branch"


# --- lms users create ------------------------------------------------------------------------------


def create_args(email="first.admin@example.org", *extra):
    return [
        "users", "create", "--email", email, "--surname", "Шевченко", "--given-name", "Тарас",
        "--patronymic", "Григорович", "--role", "admin", "--org", "UA", "--password-stdin", *extra,
    ]  # fmt: skip


def test_users_create_makes_an_administrator_who_can_log_in(client, db, runner, world):
    result = runner.invoke(args=create_args(), input=f"{TEST_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "first.admin@example.org" in result.output
    created = user(db, "first.admin@example.org")
    assert created.full_name == "Шевченко Тарас Григорович"
    assert created.organisation.code == "UA"
    assert [(grant.role, grant.organisation.code) for grant in created.grants] == [("admin", "UA")]
    login(client, created)
    assert client.get("/orgs/new").status_code == 200


def test_users_create_without_an_org_uses_the_root(db, runner, world):
    args = [a for a in create_args() if a not in ("--org", "UA")]

    result = runner.invoke(args=args, input=f"{TEST_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert user(db, "first.admin@example.org").grants[0].organisation.code == "UA"


def test_users_create_refuses_a_short_password(db, runner, world):
    result = runner.invoke(args=create_args(), input="short\n")

    assert result.exit_code != 0
    assert "at least" in result.output
    assert user(db, "first.admin@example.org") is None


def test_users_create_refuses_an_email_already_in_use_in_any_case(db, runner, world):
    people = count(db, User)

    result = runner.invoke(args=create_args("ADMIN@Example.org"), input=f"{TEST_PASSWORD}\n")

    assert result.exit_code != 0
    assert "already" in result.output
    assert count(db, User) == people


def test_users_create_refuses_an_unknown_organisation(db, runner, world):
    args = create_args()
    args[args.index("UA")] = "NOPE"

    result = runner.invoke(args=args, input=f"{TEST_PASSWORD}\n")

    assert result.exit_code != 0
    assert user(db, "first.admin@example.org") is None


# --- lms orgs import -------------------------------------------------------------------------------


def test_orgs_import_imports_a_good_file(db, runner, tmp_path, world):
    path = tmp_path / "hubs.csv"
    path.write_bytes(
        "code;parent_code;kind;name_uk;latitude;longitude\r\n"
        "HUB-18-501;UA-18;hub;Хаб у Баранівці;50,29915;27,66716\r\n"
        "HUB-18-001;TC-18;hub;Хаб у Житомирі;;\r\n".encode("cp1251")
    )

    result = runner.invoke(args=["orgs", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert "2" in result.output and "1 created, 1 updated" in result.output
    db.session.expire_all()
    hub = db.session.scalar(select(Organisation).where(Organisation.code == "HUB-18-501"))
    assert hub.name["uk"] == "Хаб у Баранівці" and hub.latitude == 50.29915
    moved = db.session.scalar(select(Organisation).where(Organisation.code == "HUB-18-001"))
    assert moved.parent.code == "TC-18"


def test_orgs_import_of_a_bad_file_prints_file_line_reason_and_imports_nothing(db, runner, tmp_path, world):
    path = tmp_path / "bad.csv"
    path.write_text(
        "code;parent_code;kind;name_uk;latitude\n"
        "HUB-18-501;UA-18;hub;Добрий хаб;50.3\n"
        "HUB-18-502;UA-99;hub;Хаб без області;\n"
        "HUB-18-503;UA-18;hub;Хаб;дуже далеко\n",
        encoding="utf-8",
    )
    before = count(db, Organisation)

    result = runner.invoke(args=["orgs", "import", str(path)])

    assert result.exit_code != 0
    assert f"{path}:3: " in result.output and "UA-99" in result.output
    assert f"{path}:4: " in result.output and "latitude" in result.output
    assert f"{path}:2: " not in result.output
    assert count(db, Organisation) == before


def test_orgs_import_of_a_file_with_a_wrong_header_names_line_1(db, runner, tmp_path, world):
    path = tmp_path / "bad.csv"
    path.write_text("code;colour\nHUB-1;red\n", encoding="utf-8")

    result = runner.invoke(args=["orgs", "import", str(path)])

    assert result.exit_code != 0
    assert f"{path}:1: " in result.output and "colour" in result.output


# --- lms demo load ---------------------------------------------------------------------------------


def row_counts(db) -> dict[str, int]:
    db.session.expire_all()
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_demo_load_builds_the_cascade_and_loading_again_changes_nothing(app, client, db, runner):
    result = runner.invoke(args=["demo", "load"])

    assert result.exit_code == 0, result.output
    kinds = dict(
        db.session.execute(select(Organisation.kind, func.count()).group_by(Organisation.kind)).all()
    )
    assert kinds["national"] >= 1
    assert kinds["region"] == 27
    assert kinds["hub"] >= 60
    root = db.session.scalar(select(Organisation).where(Organisation.parent_id.is_(None)))
    assert root.code == "UA" and root.kind == "national"
    regions = db.session.scalars(select(Organisation).where(Organisation.kind == "region")).all()
    assert all(region.parent_id == root.id for region in regions)
    assert {region.code for region in regions if region.is_occupied} == {"UA-43", "UA-40"}
    for region in regions:
        assert any(child.kind == "training_centre" for child in region.children), region.code
        assert dict(region.name).keys() >= {"uk", "en"}
    hubs = db.session.scalars(select(Organisation).where(Organisation.kind == "hub")).all()
    located = [hub for hub in hubs if hub.latitude is not None and hub.longitude is not None]
    assert len(located) >= 60
    assert all(44 <= hub.latitude <= 53 and 22 <= hub.longitude <= 41 for hub in located)  # in Ukraine
    assert all(hub.address and hub.settlement for hub in hubs)
    # Every role, held by people at the national, the regional and the hub level.
    grants = db.session.execute(select(RoleGrant.role, Organisation.kind).join(RoleGrant.organisation)).all()
    roles_at = {kind: {role for role, at in grants if at == kind} for kind in ("national", "region", "hub")}
    roles_at["region"] |= {role for role, at in grants if at == "training_centre"}
    assert roles_at["national"] >= {"admin", "manager", "trainer"}
    assert roles_at["region"] >= {"admin", "manager", "trainer", "learner"}
    assert roles_at["hub"] >= {"learner"}
    assert {role for role, _kind in grants} == {"admin", "manager", "trainer", "learner"}
    # The logins are printed, and they work.
    assert DEMO_PASSWORD in result.output
    for local, *_rest in PEOPLE:
        assert f"{local}@kaskad.demo" in result.output
    # Cohorts at both levels, 2024 to 2026, make a cascade of three levels (courses.cohorts.demo).
    from courses.cohorts import lineage
    from courses.cohorts.models import Cohort

    cohorts = db.session.scalars(select(Cohort)).all()
    assert {(cohort.course.code, cohort.starts_on.year) for cohort in cohorts} >= {
        ("TOT-RTC", 2024), ("TOT-RTC", 2025), ("DEH-COORD", 2024), ("DEH-COORD", 2026)
    }  # fmt: skip
    assert {cohort.status for cohort in cohorts} == {"closed", "running"}
    assert all(cohort.sessions for cohort in cohorts)
    national = db.session.scalar(select(User).where(User.email_casefold == "trainer@kaskad.demo"))
    reach = lineage.reach_of(national)
    assert reach.direct > 0 and reach.indirect > 0 and reach.trainers > 0
    assert [level.number for level in lineage.levels(lineage.Scope((), True))] == [1, 2, 3]
    # A finished cohort's certificates, and the quarters they count in, carry its last day, not the
    # day the demo was loaded (lms.i18n.told_at).
    from certificates.models import Certificate
    from lms.monitoring.models import CertificateFact

    for cohort in cohorts:
        issued = db.session.scalars(
            select(Certificate.issued_on).where(Certificate.cohort_id == cohort.id)
        ).all()
        if cohort.status == "closed":
            assert issued and set(issued) == {cohort.ends_on}, cohort.title
    assert {year for (year,) in db.session.execute(select(CertificateFact.year).distinct())} >= {2024, 2025}
    admin = db.session.scalar(select(User).where(User.email_casefold == "admin@kaskad.demo"))
    login(client, admin, DEMO_PASSWORD)

    before = row_counts(db)
    again = runner.invoke(args=["demo", "load"])

    assert again.exit_code == 0, again.output
    assert row_counts(db) == before


def test_demo_load_if_empty_leaves_an_existing_database_alone(db, runner, world):
    before = row_counts(db)

    result = runner.invoke(args=["demo", "load-if-empty"])

    assert result.exit_code == 0, result.output
    assert "admin@kaskad.demo" in result.output
    assert row_counts(db) == before


def test_make_run_sends_the_install_output_to_a_log_so_the_demo_logins_stay_in_view():
    import shutil
    import subprocess

    root = Path(__file__).resolve().parent.parent
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    # -n: print the commands only; -W: as if pyproject.toml had changed, so the install steps are listed.
    planned = subprocess.run(
        [
            make,
            "--no-print-directory",
            "-n",
            "-W",
            "pyproject.toml",
            "-W",
            "constraints.txt",
            "run",
            "VENV=.venv",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    installs = [line for line in planned if "pip install" in line]
    assert installs and all(">>.venv/install.log 2>&1" in line for line in installs)
    last = [line for line in planned if line.strip()][-3:]
    assert "demo load-if-empty" in last[0] and "lms run" in last[-1]  # the logins are printed last
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "make run PORT=" in readme


def test_the_quick_start_migrates_and_loads_the_demo_into_a_fresh_database(tmp_path):
    """What `make run` does before it serves, as a shell does it: new processes, a new database file.
    (Objects the demo makes and uses in one session once broke this while the in-process tests passed.)"""
    import os
    import subprocess
    import sys

    env = {**os.environ, "LMS_INSTANCE_PATH": str(tmp_path)}
    env["LMS_DATABASE_URL"] = "sqlite:///" + str(tmp_path / "kaskad.db")
    command = str(Path(sys.executable).with_name("lms"))
    for args in (["db", "upgrade"], ["demo", "load-if-empty"]):
        done = subprocess.run([command, *args], env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "admin@kaskad.demo" in done.stdout
