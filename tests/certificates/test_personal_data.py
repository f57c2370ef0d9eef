"""'Download my data' lists the person's certificates: number, course, status, issued and revoked."""

from __future__ import annotations

from certificates import services
from lms.testing import login


def test_the_export_lists_her_certificates_revoked_ones_too(
    app, db, client, certificate, learner, make_course, world
):
    other = make_course("CERT-OTHER")
    manual = services.issue_manually(
        learner, other, "Навчалася на паперових курсах", world.people["admin@root"]
    )
    services.revoke(manual.certificate, "Видано помилково", world.people["admin@root"])
    db.session.commit()
    login(client, learner)

    response = client.get("/profile/export")

    assert response.status_code == 200
    data = response.get_json()["certificates"]
    assert [(row["number"], row["course"], row["status"]) for row in data] == [
        (certificate.number, "CERT-COURSE", "valid"),
        (manual.certificate.number, "CERT-OTHER", "revoked"),
    ]
    issued, revoked = data
    assert issued["issued_at"].endswith("Z") and issued["issued_on"] == certificate.issued_on.isoformat()
    assert (issued["revoked_at"], issued["source"]) == (None, "completion")
    assert issued["holder"]["name"] == certificate.holder_name
    assert (revoked["source"], revoked["reason"], revoked["revoke_reason"]) == (
        "manual",
        "Навчалася на паперових курсах",
        "Видано помилково",
    )
    assert revoked["revoked_at"].endswith("Z")
    assert "%PDF" not in response.get_data(as_text=True)  # the PDF is downloaded from My certificates


def test_someone_without_certificates_gets_an_empty_list(client, world):
    login(client, world.people["learner@r1"])

    assert client.get("/profile/export").get_json()["certificates"] == []
