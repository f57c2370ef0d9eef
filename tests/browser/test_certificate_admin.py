"""An admin on a 320 px phone with JavaScript off issues a certificate by hand with a reason, corrects
the holder's name (a new number, the old one superseded), and opens the re-rendering page. Every page
passes axe-core and fits the screen (see conftest.py)."""

from __future__ import annotations

from typing import Any

from courses.models import Course

from .conftest import log_in


def test_an_admin_issues_by_hand_and_corrects_a_name(world: Any, journey: Any, db: Any):
    course = Course(code="CERT-H", title={"uk": "Безпека в мережі"}, status="published")
    course.hours = 12
    db.session.add(course)
    db.session.commit()
    learner = world.people["learner@r1"]

    admin = journey()
    admin.goto("/")
    log_in(admin, world.people["admin@root"].email)
    admin.goto("/certificates/manage")
    admin.click('main a[href="/certificates/issue"]')
    admin.fill({"#email": "nobody@example.org", "#reason": "Навчалася за паперовою програмою"})
    admin.page.select_option("#course", "CERT-H")
    admin.click('main form button[type="submit"]')  # nobody has that address: the form again, as typed
    assert admin.page.locator("main .field-error").count() == 1
    assert admin.page.input_value("#reason") == "Навчалася за паперовою програмою"
    assert admin.page.input_value("#course") == "CERT-H"
    admin.fill({"#email": learner.email})
    admin.click('main form button[type="submit"]')
    first = admin.page.url.rsplit("/", 1)[-1]
    assert "Навчалася за паперовою програмою" in admin.page.content()

    learner.set_names("Гудзь", "Марʼяна", "Євгенівна")
    db.session.commit()
    admin.fill({"#correction": "Прізвище записали з помилкою"})
    admin.click('main form[action$="/reissue"] button[type="submit"]')
    second = admin.page.url.rsplit("/", 1)[-1]
    assert second != first and "Гудзь" in admin.page.content()
    admin.goto(f"/certificates/{first}")
    assert f'href="/certificates/{second}"' in admin.page.content()

    admin.goto("/certificates/templates")
    admin.click('main a[href="/certificates/jobs"]')
    assert admin.page.locator("#region").count() == 1
