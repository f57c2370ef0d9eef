"""The public verification page and API, and a learner's own certificates."""

from __future__ import annotations

from certificates import services
from lms.testing import login


def _mistype(number: str) -> str:
    """The same number with its first body character changed."""
    replacement = "3" if number[4] != "3" else "4"
    return number[:4] + replacement + number[5:]


def test_the_api_answers_the_record_of_a_valid_certificate(app, client, certificate):
    response = client.get(f"/api/v1/certificates/{certificate.number}")
    assert response.status_code == 200
    assert response.json == {
        "number": certificate.number,
        "status": "valid",
        "holder": "Ґудзь Марʼяна Євгенівна",
        "course": "Курс CERT-COURSE",
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": None,
        "issuer": certificate.issuer,
        "superseded_by": None,
    }


def test_the_api_tells_mistyped_from_unknown(app, client, certificate):
    assert client.get(f"/api/v1/certificates/{_mistype(certificate.number)}").json == {"error": "mistyped"}
    assert client.get(f"/api/v1/certificates/{_mistype(certificate.number)}").status_code == 400
    from certificates import numbers

    unknown = numbers.new_number()
    response = client.get(f"/api/v1/certificates/{unknown}")
    assert (response.status_code, response.json) == (404, {"error": "not_found"})


def test_the_api_forgives_case_and_cyrillic(app, client, certificate):
    typed = certificate.number.lower().replace("-", " ").replace("k", "к")
    assert client.get(f"/api/v1/certificates/{typed}").json["number"] == certificate.number


def test_the_page_verifies_by_number_without_login(app, client, certificate):
    response = client.get("/verify", query_string={"number": certificate.number.lower()})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ґудзь Марʼяна Євгенівна" in text
    assert "Курс CERT-COURSE" in text


def test_the_page_says_mistyped_rather_than_not_found(app, client, certificate):
    response = client.get("/verify", query_string={"number": _mistype(certificate.number)})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "check character" in text or "контрольн" in text
    assert _mistype(certificate.number) in text  # the form keeps what was typed


def test_revoked_and_superseded_show_as_such(app, db, client, certificate, learner, world):
    learner.set_names("Ґудзь-Коваль", "Марʼяна", "Євгенівна")
    new = services.reissue(certificate, "Змінила прізвище", world.people["admin@root"])
    services.revoke(new, "Видано помилково", world.people["admin@root"])
    db.session.commit()
    old = client.get(f"/api/v1/certificates/{certificate.number}").json
    assert (old["status"], old["superseded_by"]) == ("superseded", new.number)
    assert client.get(f"/api/v1/certificates/{new.number}").json["status"] == "revoked"
    page = client.get(f"/verify/{new.number}").get_data(as_text=True)
    assert "Видано помилково" in page
    page = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert f"/verify/{new.number}" in page


def test_verification_is_rate_limited_per_address_above_sixty_a_minute(app, client, certificate):
    app.config["CERTIFICATES_VERIFY_LIMIT"] = "120 per minute"
    for _ in range(60):
        assert client.get(f"/api/v1/certificates/{certificate.number}").status_code == 200
    statuses = {client.get(f"/verify/{certificate.number}").status_code for _ in range(60)}
    assert statuses == {200}
    assert client.get(f"/verify/{certificate.number}").status_code == 429
    other = client.get(f"/verify/{certificate.number}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_a_learner_sees_and_downloads_her_certificates(app, client, certificate, learner):
    login(client, learner)
    page = client.get("/certificates/").get_data(as_text=True)
    assert certificate.number in page
    assert f"/certificates/{certificate.number}/credential.jwt" in page
    response = client.get(f"/certificates/{certificate.number}/certificate.pdf")
    assert response.status_code == 200
    assert response.data == certificate.pdf
    assert response.headers["Content-Type"] == "application/pdf"


def test_others_may_not_download_unless_their_scope_holds_the_holder(app, client, certificate, world):
    path = f"/certificates/{certificate.number}/certificate.pdf"
    assert client.get(path).status_code == 302  # to the login form
    login(client, world.people["learner@r2"])
    assert client.get(path).status_code == 403
    manager = app.test_client()
    login(manager, world.people["manager@r1"])
    assert manager.get(path).status_code == 200
    outside = app.test_client()
    login(outside, world.people["manager@r2"])
    assert outside.get(path).status_code == 403
