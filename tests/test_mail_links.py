"""One-time links: invitations and password resets, e-mailed through a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from lms.accounts import services
from lms.accounts.models import AccountToken, User
from lms.i18n import utcnow
from lms.testing import CSRF_FIELD, TEST_PASSWORD, audit_actions, login, post
from tests.smtp_sink import body, links

BASE_URL = "http://kaskad.test"
NEW_PASSWORD = "a much longer new passphrase"
INVITEE = {
    "email": "Mariia.Kovalchuk@example.org",
    "surname": "Ковальчук",
    "given_name": "Марʼяна",
    "patronymic": "Ігорівна",
    "organisation": "HUB-18-001",
    "role": "learner",
    "job": "",
    "locale": "",
    "timezone": "Europe/Kyiv",
}
LINK_ON_PAGE = re.compile(r'id="invite-link"[^>]*value="([^"]+)"')


@pytest.fixture
def app_config(app_config, sink):
    return {**app_config, "LMS_SMTP_HOST": sink.host, "LMS_SMTP_PORT": sink.port}


def text(response) -> str:
    return response.get_data(as_text=True)


def path_of(link: str) -> str:
    return urlsplit(link).path


def person_by_email(db, email: str) -> User | None:
    db.session.expire_all()
    return services.find_by_email(email)


def invite(client, data=None):
    return post(client, "/people/invite", {**INVITEE, **(data or {})})


def invitation_link(response) -> str:
    match = LINK_ON_PAGE.search(text(response))
    assert match, text(response)[:3000]
    return match.group(1)


def as_host(client, host: str, path: str, data: dict) -> object:
    """GET a form and POST it back, both with another Host header (its cookies stay on that host)."""
    headers = {"Host": host}
    token = CSRF_FIELD.search(text(client.get(path, headers=headers))).group(1)
    return client.post(path, data={"csrf_token": token, **data}, headers=headers)


def all_stored_text(db) -> str:
    """Every value of every row of every table, as one text."""
    db.session.expire_all()
    with db.engine.connect() as connection:
        return "\n".join(
            repr(tuple(row))
            for table in db.metadata.sorted_tables
            for row in connection.execute(select(table))
        )


# --- invitations -------------------------------------------------------------------------------------


def test_an_admin_invites_a_person_and_sees_the_link(client, db, world, sink, login_as):
    login_as(world.people["admin@r1"])
    assert client.get("/people/invite").status_code == 200
    response = invite(client)
    assert response.status_code == 200
    link = invitation_link(response)
    assert link.startswith(f"{BASE_URL}/invitation/")

    person = person_by_email(db, INVITEE["email"])
    assert person.email == INVITEE["email"] and person.given_name == "Марʼяна"
    assert person.password_hash is None
    assert [(grant.role, grant.organisation.code) for grant in person.grants] == [("learner", "HUB-18-001")]
    assert audit_actions(person) == ["user.created", "role.granted", "user.invitation-issued"]

    # It is also e-mailed, with the same link.
    [message] = sink.to(INVITEE["email"])
    assert links(message) == [link]
    assert INVITEE["email"] in text(response)  # "the link has also been e-mailed to …"


def test_the_invitation_link_is_built_from_the_base_url_not_the_host_header(client, world, sink):
    admin = world.people["admin@r1"]
    response = as_host(client, "evil.example", "/login", {"email": admin.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    response = as_host(client, "evil.example", "/people/invite", INVITEE)
    link = invitation_link(response)
    assert link.startswith(f"{BASE_URL}/invitation/")
    assert "evil.example" not in link
    [message] = sink.to(INVITEE["email"])
    assert "evil.example" not in body(message)
    assert links(message) == [link]


def test_only_a_hash_of_the_invitation_token_is_stored(client, db, world, login_as):
    login_as(world.people["admin@r1"])
    raw = path_of(invitation_link(invite(client))).rsplit("/", 1)[1]
    assert len(raw) >= 40
    person = person_by_email(db, INVITEE["email"])
    token = db.session.scalar(select(AccountToken).where(AccountToken.user_id == person.id))
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.purpose == "invitation"
    assert token.expires_at - utcnow() > timedelta(days=13)
    assert raw not in all_stored_text(db)


def test_the_invitation_link_works_once(client, app, db, world, login_as):
    login_as(world.people["admin@r1"])
    path = path_of(invitation_link(invite(client)))

    invitee = app.test_client()
    response = invitee.get(path)
    assert response.status_code == 200
    assert INVITEE["email"] in text(response)
    response = post(invitee, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert invitee.get("/profile").status_code == 200  # logged in straight away

    person = person_by_email(db, INVITEE["email"])
    assert "user.invitation-used" in audit_actions(person)
    assert app.test_client().get(path).status_code == 404
    assert (
        post(
            app.test_client(), path, {"password": "another long one!", "confirm": "another long one!"}
        ).status_code
        == 404
    )
    login(app.test_client(), person, NEW_PASSWORD)


def test_a_new_password_from_an_invitation_must_be_long_enough(client, app, db, world, login_as):
    login_as(world.people["admin@r1"])
    path = path_of(invitation_link(invite(client)))
    invitee = app.test_client()
    response = post(invitee, path, {"password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert 'id="password-error"' in text(response)
    assert person_by_email(db, INVITEE["email"]).password_hash is None
    assert invitee.get(path).status_code == 200  # still usable


def test_an_expired_invitation_shows_the_link_does_not_work_page(client, app, db, world, login_as):
    login_as(world.people["admin@r1"])
    path = path_of(invitation_link(invite(client)))
    person = person_by_email(db, INVITEE["email"])
    token = db.session.scalar(select(AccountToken).where(AccountToken.user_id == person.id))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    invitee = app.test_client()
    response = invitee.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "This link does not work" in text(response)
    assert 'name="password"' not in text(response)
    assert post(invitee, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 404
    assert person_by_email(db, INVITEE["email"]).password_hash is None


def test_a_made_up_link_does_not_work(client):
    assert client.get("/invitation/not-a-real-token").status_code == 404
    assert client.get("/password/reset/not-a-real-token").status_code == 404


def test_a_new_invitation_replaces_the_previous_one(client, app, db, world, login_as):
    login_as(world.people["admin@r1"])
    first = path_of(invitation_link(invite(client)))
    person = person_by_email(db, INVITEE["email"])
    second = services.issue_token(person, services.TokenPurpose.INVITATION)
    db.session.commit()
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(f"/invitation/{second}").status_code == 200


def test_an_admin_sends_a_new_invitation_to_someone_who_has_not_set_a_password(
    client, app, db, world, sink, login_as
):
    login_as(world.people["admin@r1"])
    first = path_of(invitation_link(invite(client)))
    person = person_by_email(db, INVITEE["email"])
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert f'action="/people/{person.id}/invitation"' in page

    second = path_of(invitation_link(post(client, f"/people/{person.id}/invitation")))
    assert second != first
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200
    assert len(sink.to(INVITEE["email"])) == 2


def test_no_new_invitation_for_someone_who_already_has_a_password(client, db, world, login_as):
    login_as(world.people["admin@r1"])
    learner = world.people["learner@r1"]
    assert f'action="/people/{learner.id}/invitation"' not in client.get(f"/people/{learner.id}").get_data(
        as_text=True
    )
    response = post(client, f"/people/{learner.id}/invitation")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AccountToken)) == 0


def test_a_trainer_invites_learners_within_their_scope(client, db, world, login_as):
    trainer = world.people["trainer@r1"]
    login_as(trainer)
    form = text(client.get("/people/invite"))
    assert 'value="learner"' in form and 'value="admin"' not in form
    response = invite(client, {"organisation": "TC-18"})
    assert response.status_code == 200
    assert invitation_link(response).startswith(f"{BASE_URL}/invitation/")
    person = person_by_email(db, INVITEE["email"])
    assert [(grant.role, grant.organisation.code) for grant in person.grants] == [("learner", "TC-18")]
    assert person.grants[0].granted_by_id == trainer.id


def test_a_trainer_cannot_invite_an_admin(client, db, world, login_as):
    login_as(world.people["trainer@r1"])
    response = invite(client, {"organisation": "TC-18", "role": "admin"})
    assert response.status_code == 200
    assert 'id="role-error"' in text(response)
    assert not LINK_ON_PAGE.search(text(response))
    assert person_by_email(db, INVITEE["email"]) is None


def test_a_trainer_cannot_invite_into_another_region(client, db, world, sink, login_as):
    login_as(world.people["trainer@r1"])
    for organisation in ("HUB-46-001", "UA-46"):
        response = invite(client, {"organisation": organisation})
        assert response.status_code == 200
        assert 'id="organisation-error"' in text(response)
        assert not LINK_ON_PAGE.search(text(response))
    assert person_by_email(db, INVITEE["email"]) is None
    assert sink.messages == []


def test_a_regional_admin_invites_an_admin_for_their_region_only(client, db, world, login_as):
    login_as(world.people["admin@r1"])
    response = invite(client, {"organisation": "UA-46", "role": "admin"})
    assert 'id="organisation-error"' in text(response)
    assert person_by_email(db, INVITEE["email"]) is None
    response = invite(client, {"organisation": "UA-18", "role": "admin"})
    invitation_link(response)
    person = person_by_email(db, INVITEE["email"])
    assert [(grant.role, grant.organisation.code) for grant in person.grants] == [("admin", "UA-18")]


def test_managers_and_learners_cannot_invite(client, world, login_as):
    for role in ("manager@r1", "learner@r1"):
        login_as(world.people[role])
        assert client.get("/people/invite").status_code == 403
        assert invite(client).status_code == 403
        post(client, "/logout")


class TestWithoutEmail:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "LMS_SMTP_HOST": ""}

    def test_the_invitation_page_shows_the_link_to_pass_on(self, client, world, sink, login_as):
        login_as(world.people["admin@r1"])
        response = invite(client)
        assert invitation_link(response).startswith(f"{BASE_URL}/invitation/")
        assert 'class="msg info"' in text(response)
        assert sink.messages == []

    def test_no_reset_link_is_made_when_it_cannot_be_e_mailed(self, client, db, world, sink):
        person = world.people["trainer@r1"]
        response = post(client, "/password/reset", {"email": person.email})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.scalar(select(AccountToken).where(AccountToken.user_id == person.id)) is None
        login_page = text(client.get("/login", headers={"Accept-Language": "en"}))
        assert "/password/reset/" not in login_page
        assert sink.messages == []

    def test_without_e_mail_the_reset_page_says_one_true_thing(self, client, world, sink):
        english = {"Accept-Language": "en"}
        page = text(client.get("/password/reset", headers=english))
        assert "cannot send you a link to reset your password" in page
        assert 'name="email"' not in page  # no form that would pretend to send
        response = post(
            client, "/password/reset", {"email": world.people["trainer@r1"].email}, headers=english
        )
        assert response.status_code == 302
        login_page = text(client.get("/login", headers=english))
        assert "cannot send you a link to reset your password" in login_page
        assert "has been e-mailed" not in login_page


# --- password resets ---------------------------------------------------------------------------------


def test_a_reset_link_is_e_mailed_and_never_shown_on_the_page(client, world, sink):
    person = world.people["trainer@r1"]
    response = post(client, "/password/reset", {"email": person.email})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    [message] = sink.to(person.email)
    [link] = links(message)
    assert link.startswith(f"{BASE_URL}/password/reset/")
    raw = path_of(link).rsplit("/", 1)[1]
    page = text(client.get("/login"))
    assert raw not in page and "/password/reset/" not in page
    assert raw not in text(response)


def test_the_reset_page_answers_the_same_for_unknown_addresses(client, app, world, sink):
    def messages_after_request(email: str) -> tuple[int, str, list[str]]:
        visitor = app.test_client()
        response = post(visitor, "/password/reset", {"email": email})
        page = text(visitor.get(response.headers["Location"]))
        return (
            response.status_code,
            response.headers["Location"],
            re.findall(r'<p class="msg[^"]*">.*?</p>', page),
        )

    known = messages_after_request(world.people["trainer@r1"].email)
    unknown = messages_after_request("nobody@example.org")
    assert known == unknown
    assert known[2]  # the "if this address has an account" message
    assert [message["To"] for message in sink.messages] == [world.people["trainer@r1"].email]


def test_a_reset_link_sets_a_new_password_once(client, app, db, world, sink):
    person = world.people["trainer@r1"]
    post(client, "/password/reset", {"email": person.email.upper()})
    [message] = sink.to(person.email)
    path = path_of(links(message)[0])

    response = client.get(path)
    assert response.status_code == 200
    assert person.email in text(response)
    response = post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/profile").status_code == 200

    other = app.test_client()
    assert post(other, "/login", {"email": person.email, "password": TEST_PASSWORD}).status_code == 200
    login(other, person, NEW_PASSWORD)
    assert app.test_client().get(path).status_code == 404
    assert audit_actions(person)[-2:] == ["user.password-reset-issued", "user.password-reset-used"]


def test_an_expired_reset_link_does_not_work(client, db, world, sink):
    person = world.people["trainer@r1"]
    post(client, "/password/reset", {"email": person.email})
    path = path_of(links(sink.to(person.email)[0])[0])
    db.session.expire_all()
    token = db.session.scalar(select(AccountToken).where(AccountToken.user_id == person.id))
    assert token.expires_at - utcnow() <= timedelta(hours=2)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(path).status_code == 404


def test_the_reset_link_is_built_from_the_base_url_not_the_host_header(client, world, sink):
    person = world.people["trainer@r1"]
    response = as_host(client, "evil.example", "/password/reset", {"email": person.email})
    assert response.status_code == 302
    [message] = sink.to(person.email)
    assert "evil.example" not in body(message)
    assert links(message)[0].startswith(f"{BASE_URL}/password/reset/")


def test_only_a_hash_of_the_reset_token_is_stored(client, db, world, sink):
    person = world.people["trainer@r1"]
    post(client, "/password/reset", {"email": person.email})
    raw = path_of(links(sink.to(person.email)[0])[0]).rsplit("/", 1)[1]
    assert raw not in all_stored_text(db)
    assert db.session.scalar(
        select(AccountToken).where(AccountToken.token_hash == hashlib.sha256(raw.encode()).hexdigest())
    )


def test_deactivated_and_erased_people_get_no_reset_link(client, db, world, sink):
    deactivated, erased = world.people["learner@r1"], world.people["learner@r2"]
    erased_email = erased.email
    services.deactivate(deactivated)
    services.erase(erased)
    db.session.commit()
    for email in (deactivated.email, erased_email):
        assert post(client, "/password/reset", {"email": email}).status_code == 302
    assert sink.messages == []


def test_reset_e_mails_are_in_the_language_of_the_page(client, world, sink):
    person = world.people["trainer@r1"]
    post(client, "/password/reset", {"email": person.email}, headers={"Accept-Language": "en"})
    [message] = sink.to(person.email)
    assert message["Subject"] == "Password reset for Kaskad"
    assert "open this link within 2 hours" in body(message)


def test_a_reset_link_stops_working_when_the_person_is_deactivated(client, app, db, world, sink):
    person = world.people["trainer@r1"]
    post(client, "/password/reset", {"email": person.email})
    path = path_of(links(sink.to(person.email)[0])[0])
    services.deactivate(db.session.get(User, person.id))
    db.session.commit()

    assert client.get(path).status_code == 404
    assert post(client, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, person.id).is_active_account is False
    assert (
        post(app.test_client(), "/login", {"email": person.email, "password": NEW_PASSWORD}).status_code
        == 200
    )


def test_an_invitation_stops_working_when_the_person_is_deactivated(client, app, db, world, login_as):
    login_as(world.people["admin@r1"])
    path = path_of(invitation_link(invite(client)))
    person = person_by_email(db, INVITEE["email"])
    assert post(client, f"/people/{person.id}/deactivate").status_code == 302

    invitee = app.test_client()
    assert invitee.get(path).status_code == 404
    assert post(invitee, path, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 404
    assert person_by_email(db, INVITEE["email"]).is_active_account is False
