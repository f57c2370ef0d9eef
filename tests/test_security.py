"""Security: password hashing, rate limits, cookies, headers, error pages, CSRF and form-size limits."""

from __future__ import annotations

import html
import logging
import re

import pytest
from flask_babel import gettext
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.passwords import _FAST, _STANDARD
from lms.testing import CSRF_FIELD, TEST_PASSWORD, csrf_token, login, post

NEW_PASSWORD = "a much longer new passphrase"
STANDARD_PREFIX = "$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "LMS_LOGIN_LIMIT": "3 per 10 minutes"}


def text(response) -> str:
    return response.get_data(as_text=True)


def stored_hash(db, user) -> str:
    db.session.expire_all()
    return db.session.scalar(select(User.password_hash).where(User.id == user.id))


def is_logged_in(client) -> bool:
    return client.get("/profile").status_code == 200


def translated(app, message: str, locale: str) -> str:
    with app.test_request_context(headers={"Accept-Language": locale}):
        return gettext(message)


# --- passwords ---------------------------------------------------------------------------------------


def test_the_standard_password_hash_is_argon2id_with_owasp_parameters():
    assert (_STANDARD.memory_cost, _STANDARD.time_cost, _STANDARD.parallelism) == (19456, 2, 1)
    assert _STANDARD.hash("x").startswith(STANDARD_PREFIX)
    assert _FAST.hash("x").startswith("$argon2id$")


def test_a_password_set_through_the_form_is_stored_as_standard_argon2id(app, client, db, world, login_as):
    app.config["LMS_PASSWORD_HASH_FAST"] = False
    person = world.people["trainer@r1"]
    login_as(person)
    response = post(
        client,
        "/password",
        {"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    password_hash = stored_hash(db, person)
    assert password_hash.startswith(STANDARD_PREFIX)
    assert NEW_PASSWORD not in password_hash


def test_logging_in_upgrades_a_hash_made_with_other_parameters(app, client, db, world, login_as):
    person = world.people["trainer@r1"]
    assert not stored_hash(db, person).startswith(STANDARD_PREFIX)  # the suite's fast hash
    app.config["LMS_PASSWORD_HASH_FAST"] = False
    login_as(person)
    assert stored_hash(db, person).startswith(STANDARD_PREFIX)
    post(client, "/logout")
    login_as(person)


# --- rate limits on logging in and on password resets ------------------------------------------------


WRONG = "a wrong guess"


def attempt(client, email: str, password: str = WRONG, address: str = "10.0.0.1"):
    return post(
        client, "/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_failed_logins_for_one_account_from_one_address_are_limited(client, app, world):
    email = world.people["trainer@r1"].email
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for _ in range(3):
        assert attempt(client, email).status_code == 200
    response = attempt(client, email.upper())  # the same account, however it is typed
    assert response.status_code == 429
    assert "Too many attempts" in text(response)
    assert "Traceback" not in text(response)
    # While the limit lasts, even the right password is refused from that address.
    assert attempt(client, email, TEST_PASSWORD).status_code == 429
    assert not is_logged_in(client)


def test_other_accounts_behind_the_same_address_are_not_locked_out(client, app, world):
    locked = world.people["trainer@r1"].email
    for _ in range(4):
        attempt(client, locked)
    assert attempt(client, locked).status_code == 429
    classmate = world.people["learner@r1"].email
    assert attempt(client, classmate).status_code == 200
    assert attempt(client, classmate, TEST_PASSWORD).status_code == 302


def test_the_same_account_from_another_address_is_not_locked_out(client, app, world):
    email = world.people["trainer@r1"].email
    for _ in range(4):
        attempt(client, email, address="10.0.0.1")
    assert attempt(client, email, address="10.0.0.1").status_code == 429
    other = app.test_client()
    assert attempt(other, email, TEST_PASSWORD, address="10.0.0.2").status_code == 302


def test_successful_logins_do_not_count_towards_the_limit(client, world):
    email = world.people["trainer@r1"].email
    for _ in range(5):
        assert attempt(client, email, TEST_PASSWORD).status_code == 302
        post(client, "/logout")
    for _ in range(3):
        assert attempt(client, email).status_code == 200
    assert attempt(client, email).status_code == 429


def request_reset(client, email: str, address: str = "10.0.0.1"):
    return post(client, "/password/reset", {"email": email}, environ_base={"REMOTE_ADDR": address})


def test_password_reset_requests_are_limited_per_account_and_address(client, world):
    email = world.people["trainer@r1"].email
    for _ in range(3):
        assert request_reset(client, email).status_code == 302
    assert request_reset(client, email).status_code == 429
    assert request_reset(client, world.people["learner@r1"].email).status_code == 302
    assert request_reset(client, email, address="10.0.0.2").status_code == 302
    # Unknown addresses are limited the same way, so the limit tells nothing about accounts.
    for _ in range(3):
        assert request_reset(client, "nobody@example.org").status_code == 302
    assert request_reset(client, "nobody@example.org").status_code == 429


def test_rate_limits_are_checked_once_and_only_by_the_views_that_declare_them(client, world, monkeypatch):
    """Flask-Limiter runs with auto_check off: no check before every request; a view's stacked
    limits are checked together, once."""
    from lms.extensions import limiter

    checks = []
    original = limiter.check
    monkeypatch.setattr(limiter, "check", lambda: checks.append(1) or original())
    assert client.get("/healthz").status_code == 200
    assert client.get("/courses/").status_code in (200, 302)
    assert checks == []
    assert client.get("/login").status_code == 200  # /login declares two limits (for its POST)
    assert checks == [1]
    attempt(client, world.people["trainer@r1"].email)  # the form (GET), then the POST
    assert checks == [1, 1, 1]


def test_every_view_limit_goes_through_the_checked_decorator():
    """``@limiter.limit`` alone is never checked (auto_check is off): views use ``@limit``."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for package in ("lms", "courses", "certificates")
        for path in (root / package).rglob("*.py")
        if path.name != "extensions.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "limiter.limit(" in line
    ]
    assert offenders == [], "use lms.extensions.limit, which checks the limits: " + ", ".join(offenders)


# --- cookies -----------------------------------------------------------------------------------------


def session_cookie(response) -> str:
    cookies = [cookie for cookie in response.headers.getlist("Set-Cookie") if cookie.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, world):
    response = login(client, world.people["trainer@r1"])
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the test site runs on http://
    assert "Strict-Transport-Security" not in response.headers


def test_the_session_serializer_is_built_once_and_again_when_the_secret_changes(app, client, world):
    """Flask would build it for every request; ours keeps it while the secret key and its fallbacks
    stay the same, so rotating the key (the old one as a fallback) keeps people logged in."""
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is serializer
    login(client, world.people["trainer@r1"])
    assert client.get("/profile").status_code == 200
    old = app.secret_key
    app.secret_key = app.config["SECRET_KEY"] = "a-rotated-secret"
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert interface.get_signing_serializer(app) is not serializer
    assert client.get("/profile").status_code == 200  # signed with the fallback
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/profile").status_code == 302  # the old cookie no longer counts


class TestOnAnHttpsSite:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "LMS_BASE_URL": "https://kaskad.example.org"}

    def test_the_session_cookie_is_secure(self, client, world):
        response = login(client, world.people["trainer@r1"])
        cookie = session_cookie(response)
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# --- headers and error pages -------------------------------------------------------------------------


def test_pages_carry_security_headers_and_a_policy_without_unsafe_inline(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_pages_need_no_inline_script_or_style(client, world, login_as):
    for path in ("/", "/login", "/password/reset"):
        assert not INLINE.search(text(client.get(path))), path
    login_as(world.people["admin@root"])
    for path in ("/", "/people", "/people/new", "/people/invite", "/target-groups", "/profile", "/password"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not INLINE.search(text(response)), path
        assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("locale", ["uk", "en", "fi", "sv"])
def test_a_missing_page_is_a_localised_404(client, app, locale):
    response = client.get("/no/such/page", headers={"Accept-Language": locale})
    assert response.status_code == 404
    page = text(response)
    assert f'<html lang="{locale}">' in page
    assert html.escape(translated(app, "Page not found", locale)) in page
    assert "Content-Security-Policy" in response.headers


def test_an_unexpected_error_is_a_localised_500_without_a_traceback(app, client, caplog):
    def explode():
        raise RuntimeError("secret internals of the server")

    app.add_url_rule("/test-explode", "test_explode", explode)
    with caplog.at_level(logging.ERROR, logger="lms"):
        response = client.get("/test-explode", headers={"Accept-Language": "fi"})
    assert response.status_code == 500
    page = text(response)
    assert '<html lang="fi">' in page
    assert html.escape(translated(app, "Something went wrong", "fi")) in page
    assert "Traceback" not in page and "secret internals" not in page and "RuntimeError" not in page
    assert any("secret internals" in str(record.exc_info) for record in caplog.records)  # logged, not shown


def test_a_forbidden_page_is_a_localised_403(client, app, world, login_as):
    login_as(world.people["learner@r1"])
    response = client.get("/people", headers={"Accept-Language": "sv"})
    assert response.status_code == 403
    assert html.escape(translated(app, "Not allowed", "sv")) in text(response)


# --- CSRF ---------------------------------------------------------------------------------------------


def test_a_post_without_a_csrf_token_is_refused(client, world):
    response = client.post(
        "/login", data={"email": world.people["trainer@r1"].email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert not is_logged_in(client)


def test_a_stale_token_gives_a_send_again_page_with_the_typed_values_but_not_the_password(app, client, world):
    email = world.people["trainer@r1"].email
    stale = csrf_token(app.test_client())  # a token of another (for example an expired) session
    response = client.post(
        "/login?next=/people", data={"csrf_token": stale, "email": email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    page = text(response)
    assert email in page
    assert TEST_PASSWORD not in page
    assert 'action="/login?next=/people"' in page
    fresh = CSRF_FIELD.search(page).group(1)
    assert fresh != stale

    # Sending it again with the fresh token (and the password typed again) works.
    response = client.post(
        "/login?next=/people", data={"csrf_token": fresh, "email": email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/people"


def test_the_send_again_page_never_shows_any_password_field(client, world, login_as):
    login_as(world.people["trainer@r1"])
    typed = {
        "current_password": "my old secret 1",
        "password": "my new secret 22",
        "confirm": "my new secret 22",
    }
    response = client.post("/password", data={"csrf_token": "stale", **typed})
    assert response.status_code == 400
    page = text(response)
    for value in typed.values():
        assert value not in page
    assert CSRF_FIELD.search(page)


def test_the_send_again_page_keeps_a_long_text(client, world, login_as):
    login_as(world.people["admin@r1"])
    long_text = "Довгий опис, який писали годину. " * 2000
    response = client.post("/people/new", data={"surname": "Коваленко", "patronymic": long_text})
    assert response.status_code == 400
    page = text(response)
    assert "Коваленко" in page
    assert long_text.strip() in html.unescape(page)


# --- form size and token lifetime --------------------------------------------------------------------


def test_csrf_tokens_do_not_expire_before_the_session(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    assert app.config["MAX_FORM_MEMORY_SIZE"] >= 4 * 1024 * 1024


@pytest.mark.parametrize("encoding", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_form_with_a_megabyte_of_text_is_not_refused(client, world, login_as, encoding):
    login_as(world.people["admin@r1"])
    response = post(
        client,
        "/people/new",
        {"email": "long@example.org", "surname": "Коваленко", "given_name": "a" * 1024 * 1024},
        content_type=encoding,
    )
    assert response.status_code == 200  # the form comes back with its errors, not 413
    assert 'id="given_name-error"' in text(response)
    assert 'value="Коваленко"' in text(response)


def test_a_form_field_beyond_the_limit_gets_a_localised_413(client, app, world, login_as):
    login_as(world.people["admin@r1"])
    response = post(
        client,
        "/people/new",
        {"surname": "a" * (app.config["MAX_FORM_MEMORY_SIZE"] + 1)},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert html.escape(translated(app, "File too large", "en")) in text(response)
