"""Plugins and settings: a third-party plugin adds a page, a nav item and an indicator without any
core change; wrong plugin lists stop start-up clearly; environment variables and secret keys."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import config
import lms
from lms.plugins import PluginError
from lms.testing import _test_config, login

EN = {"Accept-Language": "en"}
WITH_SAMPLE = {"LMS_PLUGINS": ["courses", "certificates", "sample"]}
ONLY_COURSES = {"LMS_PLUGINS": ["courses"]}


@pytest.fixture
def app_config(database_url: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test settings, with the overrides a test passes by indirect parametrisation."""
    return {**_test_config(database_url), **getattr(request, "param", {})}


def settings(database_url: str, **overrides: Any) -> dict[str, Any]:
    return {**_test_config(database_url), **overrides}


# --- a third-party plugin -------------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [WITH_SAMPLE], indirect=True)
def test_the_sample_plugin_adds_its_page(app, client, world):
    login(client, world.people["learner@r1"])

    response = client.get("/sample/")

    assert response.status_code == 200
    assert "Hello from a third-party plugin" in response.get_data(as_text=True)
    assert "sample" in app.blueprints
    assert app.extensions["lms"].plugins["sample"].version == "1.0.0"


@pytest.mark.parametrize("app_config", [WITH_SAMPLE], indirect=True)
def test_the_sample_plugin_adds_a_nav_item_on_the_home_page_for_a_logged_in_user(client, world):
    assert "Sample plugin" not in client.get("/").get_data(as_text=True)  # visitors see no navigation

    login(client, world.people["learner@r1"])
    text = client.get("/", headers=EN).get_data(as_text=True)

    assert '<a href="/sample/">Sample plugin</a>' in text


@pytest.mark.parametrize("app_config", [WITH_SAMPLE], indirect=True)
def test_the_sample_plugin_adds_an_indicator(app, client, world):
    login(client, world.people["admin@root"])

    text = client.get("/", headers=EN).get_data(as_text=True)

    assert "<dt>The answer</dt><dd>42</dd>" in text
    assert "sample.answer" in app.extensions["lms"].indicators


@pytest.mark.parametrize("app_config", [WITH_SAMPLE], indirect=True)
def test_health_lists_the_sample_plugin(client):
    assert client.get("/healthz").get_json()["plugins"] == {
        "courses": "0.1.0",
        "certificates": "0.1.0",
        "sample": "1.0.0",
    }


def test_the_sample_plugin_is_off_unless_listed(app, client, world):
    login(client, world.people["learner@r1"])

    assert client.get("/sample/").status_code == 404
    assert "Sample plugin" not in client.get("/", headers=EN).get_data(as_text=True)
    assert "sample" not in app.extensions["lms"].plugins


def test_the_sample_plugin_touches_no_core_file():
    import kaskad_sample_plugin

    plugin_dir = Path(kaskad_sample_plugin.__file__).resolve().parent
    core_dir = Path(lms.__file__).resolve().parent
    assert core_dir not in plugin_dir.parents
    core_files = [path for path in core_dir.rglob("*") if path.suffix in {".py", ".html"}]
    core_files.append(Path(config.__file__))
    for path in core_files:
        source = path.read_text(encoding="utf-8")
        assert "kaskad_sample_plugin" not in source and "sample.index" not in source, path


# --- plugin lists that cannot start ---------------------------------------------------------------


def test_a_plugin_that_is_not_installed_stops_start_up(database_url):
    with pytest.raises(PluginError) as error:
        lms.create_app(settings(database_url, LMS_PLUGINS=["courses", "gradebook"]))

    message = str(error.value)
    assert "'gradebook'" in message
    assert "not installed" in message
    assert "courses" in message  # the installed ones are listed


def test_a_plugin_listed_before_what_it_requires_stops_start_up(database_url):
    with pytest.raises(PluginError) as error:
        lms.create_app(settings(database_url, LMS_PLUGINS=["certificates", "courses"]))

    message = str(error.value)
    assert "'certificates'" in message
    assert "requires courses" in message


def test_a_plugin_whose_requirement_is_missing_stops_start_up(database_url):
    with pytest.raises(PluginError, match="requires courses"):
        lms.create_app(settings(database_url, LMS_PLUGINS=["certificates"]))


@pytest.mark.parametrize("app_config", [ONLY_COURSES], indirect=True)
def test_with_only_courses_enabled_the_certificates_routes_are_absent(app, client, world):
    login(client, world.people["learner@r1"])

    assert client.get("/courses/").status_code == 200
    assert client.get("/certificates/").status_code == 404
    assert not [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("certificates.")]
    assert "certificates" not in app.blueprints
    assert "/certificates/" not in client.get("/", headers=EN).get_data(as_text=True)
    assert client.get("/healthz").get_json()["plugins"] == {"courses": "0.1.0"}


def test_by_default_both_plugins_are_enabled_in_order(app, client, world):
    assert list(app.extensions["lms"].plugins) == ["courses", "certificates"]
    login(client, world.people["learner@r1"])

    assert client.get("/certificates/").status_code == 200


# --- settings -------------------------------------------------------------------------------------


def test_the_defaults():
    assert config.Config.LMS_PLUGINS == ["courses", "certificates"]
    assert config.Config.BABEL_DEFAULT_LOCALE == "uk"
    assert config.Config.RATELIMIT_STORAGE_URI == "memory://"
    assert config.Config.SQLALCHEMY_DATABASE_URI is None
    assert config.Config.SECRET_KEY is None


def test_the_environment_table_converts_types():
    environ = {
        "LMS_PLUGINS": " courses , certificates,, sample ",
        "LMS_SMTP_PORT": "587",
        "LMS_SMTP_STARTTLS": "Yes",
        "LMS_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0",
        "LMS_DATABASE_URL": "postgresql+psycopg://kaskad@127.0.0.1/kaskad",
        "LMS_DEFAULT_LOCALE": "en",
        "LMS_PAGE_SIZE": "25",
        "LMS_SMTP_HOST": "",  # blank means unset
        "UNRELATED": "x",
    }

    assert config.from_environment(environ) == {
        "LMS_PLUGINS": ["courses", "certificates", "sample"],
        "LMS_SMTP_PORT": 587,
        "LMS_SMTP_STARTTLS": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://kaskad@127.0.0.1/kaskad",
        "BABEL_DEFAULT_LOCALE": "en",
        "LMS_PAGE_SIZE": 25,
    }


@pytest.mark.parametrize(
    ("text", "value"), [("1", True), ("true", True), ("ON", True), ("0", False), ("no", False)]
)
def test_booleans_from_the_environment(text, value):
    assert config.from_environment({"LMS_SMTP_STARTTLS": text}) == {"LMS_SMTP_STARTTLS": value}


def test_every_environment_variable_is_lms_prefixed_and_feeds_a_known_setting():
    known = {key for key in dir(config.Config) if key.isupper()}
    for name, (setting, convert) in config.ENVIRONMENT.items():
        assert name.startswith("LMS_"), name
        assert setting in known, f"{name} feeds {setting}, which has no default"
        assert callable(convert)


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Apps made in this test keep their instance folder in a temporary directory, and see no LMS_*."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
    for name in config.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    return folder


def test_the_environment_overrides_settings_outside_tests(database_url, instance, monkeypatch):
    monkeypatch.setenv("LMS_PLUGINS", "courses")
    monkeypatch.setenv("LMS_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("LMS_DATABASE_URL", database_url)

    app = lms.create_app({"LMS_ENV": "production"})

    assert list(app.extensions["lms"].plugins) == ["courses"]
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == database_url


def test_tests_are_not_changed_by_the_environment(database_url, instance, monkeypatch):
    monkeypatch.setenv("LMS_PLUGINS", "courses")

    app = lms.create_app(settings(database_url))

    assert list(app.extensions["lms"].plugins) == ["courses", "certificates"]


def test_production_without_a_secret_key_refuses_to_start(database_url, instance):
    with pytest.raises(RuntimeError, match="LMS_SECRET_KEY"):
        lms.create_app({"LMS_ENV": "production", "SQLALCHEMY_DATABASE_URI": database_url})

    assert not (instance / "secret_key").exists()


def test_development_generates_the_secret_key_once_into_the_instance_folder(database_url, instance):
    first = lms.create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    second = lms.create_app({"SQLALCHEMY_DATABASE_URI": database_url})

    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert [path.name for path in instance.iterdir() if "secret" in path.name] == ["secret_key"]


def test_concurrent_workers_get_the_same_generated_secret_key(tmp_path):
    path = tmp_path / "secret_key"
    start = threading.Barrier(8)
    keys: list[str] = []

    def worker() -> None:
        start.wait()
        keys.append(lms._instance_secret(path))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(keys) == 8
    assert len(set(keys)) == 1
    assert keys[0] == path.read_text().strip()
    assert os.listdir(tmp_path) == ["secret_key"]  # no temporary files left behind
