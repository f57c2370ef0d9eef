"""``GET /healthz``: what a load balancer or a monitoring probe asks."""

from __future__ import annotations

import pytest

import lms
from certificates import __version__ as certificates_version
from courses import __version__ as courses_version


def test_healthz_reports_ok_with_the_version_the_database_and_the_plugins(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "status": "ok",
        "version": lms.__version__,
        "database": "ok",
        "plugins": {"courses": courses_version, "certificates": certificates_version},
    }


def test_healthz_needs_no_login_and_sets_no_session_cookie(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///{tmp}/no-such-directory/kaskad.db",
        "postgresql+psycopg://kaskad@127.0.0.1:1/kaskad?connect_timeout=2",
    ],
    ids=["sqlite-in-a-missing-directory", "postgresql-port-nobody-listens-on"],
)
def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path, url):
    broken = lms.create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "health-test",
            "SQLALCHEMY_DATABASE_URI": url.format(tmp=tmp_path),
            "SQLALCHEMY_ENGINE_OPTIONS": {},
        }
    )

    response = broken.test_client().get("/healthz")

    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "error"
    assert body["database"] == "error"
    assert body["version"] == lms.__version__
    assert set(body["plugins"]) == {"courses", "certificates"}
    assert "Traceback" not in response.get_data(as_text=True)
