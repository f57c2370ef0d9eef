"""The managers' forms: an admin's issue by hand with a reason, the re-issue after a name correction,
and the audit page's words for every action the plugin records."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from certificates import services
from certificates.models import Status
from courses.services import by_code
from lms.audit.models import ACTION_LABELS, AuditEntry
from lms.testing import login, post


def _audit(action: str) -> list[AuditEntry]:
    from lms.extensions import db

    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_an_admin_issues_a_certificate_by_hand_with_a_reason(app, db, client, make_course, learner, world):
    course = make_course("HAND-1")
    db.session.commit()
    login(client, world.people["admin@r1"])
    assert "/certificates/issue" in client.get("/certificates/manage").get_data(as_text=True)
    page = client.get("/certificates/issue")
    assert page.status_code == 200 and "HAND-1" in page.get_data(as_text=True)

    # Every field wrong: the form comes back with translated messages and what was typed.
    nobody = {"email": "nobody@example.org", "course": "", "reason": ""}
    response = post(client, "/certificates/issue", nobody)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="nobody@example.org"' in text
    assert "Ніхто з ваших організацій не має такої адреси" in text
    assert "Вкажіть, чому сертифікат видають вручну." in text
    response = post(client, "/certificates/issue", {"email": learner.email, "course": "HAND-1", "reason": ""})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and '<option selected value="HAND-1">' in text

    response = post(
        client,
        "/certificates/issue",
        {"email": learner.email.upper(), "course": "HAND-1", "reason": "Навчалася за паперовою програмою"},
    )
    assert response.status_code == 302
    certificate = services.current_certificate(learner, course)
    assert certificate is not None and certificate.source == "manual"
    assert certificate.reason == "Навчалася за паперовою програмою"
    assert response.headers["Location"].endswith(f"/certificates/{certificate.number}")
    (entry,) = _audit("certificate.issued")
    assert entry.actor_id == world.people["admin@r1"].id
    assert entry.details["reason"] == "Навчалася за паперовою програмою"

    # A second issue changes nothing and says which certificate she already holds.
    response = post(
        client, "/certificates/issue", {"email": learner.email, "course": "HAND-1", "reason": "Ще раз"}
    )
    assert response.status_code == 302
    assert len(_audit("certificate.issued")) == 1


def test_an_admin_cannot_issue_outside_her_scope(app, db, client, make_course, learner, world):
    make_course("HAND-2")
    db.session.commit()
    login(client, world.people["admin@r2"])
    response = post(
        client, "/certificates/issue", {"email": learner.email, "course": "HAND-2", "reason": "Чому б ні"}
    )
    assert response.status_code == 200
    assert "Ніхто з ваших організацій не має такої адреси" in response.get_data(as_text=True)
    assert services.current_certificate(learner, by_code("HAND-2")) is None
    manager = app.test_client()
    login(manager, world.people["manager@r1"])
    assert manager.get("/certificates/issue").status_code == 403
    assert "/certificates/issue" not in manager.get("/certificates/manage").get_data(as_text=True)


def test_a_manager_issues_a_certificate_again_after_a_name_correction(app, db, client, certificate, world):
    login(client, world.people["manager@r1"])
    page = client.get(f"/certificates/{certificate.number}").get_data(as_text=True)
    assert f"/certificates/{certificate.number}/reissue" in page
    response = post(client, f"/certificates/{certificate.number}/reissue", {"correction": "  "})
    assert response.status_code == 200
    assert "Вкажіть, чому сертифікат перевидають." in response.get_data(as_text=True)

    holder = certificate.user
    holder.surname = "Гудзь"
    db.session.commit()
    response = post(
        client, f"/certificates/{certificate.number}/reissue", {"correction": "Прізвище записали з помилкою"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    old = services.by_number(certificate.number)
    assert old.status == Status.SUPERSEDED and old.superseded_by is not None
    new = old.superseded_by
    assert new.holder_name.startswith("Гудзь ") and new.status == Status.VALID
    assert new.cohort_id == old.cohort_id and new.issued_on == old.issued_on
    assert response.headers["Location"].endswith(f"/certificates/{new.number}")
    (entry,) = _audit("certificate.superseded")
    assert entry.details == {
        "number": old.number,
        "superseded_by": new.number,
        "reason": "Прізвище записали з помилкою",
    }
    assert entry.actor_id == world.people["manager@r1"].id
    # A superseded certificate can neither be revoked nor corrected again.
    again = post(client, f"/certificates/{old.number}/reissue", {"correction": "Ще"})
    assert again.status_code == 200 and "/reissue" not in again.get_data(as_text=True)
    assert services.by_number(old.number).superseded_by.number == new.number
    other = app.test_client()
    login(other, world.people["manager@r2"])
    assert post(other, f"/certificates/{new.number}/reissue", {"correction": "x"}).status_code == 403


def test_every_certificate_audit_action_has_a_label_in_ukrainian(app, db, client, certificate, world):
    recorded = set()
    for path in Path("certificates").glob("*.py"):
        recorded |= set(re.findall(r'record\(\s*"(certificates?\.[\w.-]+)"', path.read_text()))
    assert {"certificate.issued", "certificate.revoked", "certificate.superseded"} <= recorded
    assert recorded <= set(ACTION_LABELS), recorded - set(ACTION_LABELS)

    services.revoke(certificate, "Помилка", world.people["admin@root"])
    db.session.commit()
    login(client, world.people["admin@root"])
    page = client.get("/audit/").get_data(as_text=True)
    assert "Сертифікат видано" in page and "Сертифікат відкликано" in page
    assert "certificate.issued" not in page and "certificate.revoked" not in page
