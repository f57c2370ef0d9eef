"""Admins edit a course's template with a server-rendered preview; a bad template is refused with the
error and nothing is saved; the settings decide how and how long certificates are issued."""

from __future__ import annotations

from sqlalchemy import select

from certificates import pdf, services
from certificates.models import CourseSetting, Template
from lms.testing import login, post


def test_the_page_documents_the_variables(app, client, world, make_course):
    make_course("TPL")
    login(client, world.people["admin@root"])
    page = client.get("/certificates/templates/TPL").get_data(as_text=True)
    assert "holder_latin" in page and "verify_url" in page
    assert "@font-face" in page  # the default template, to start from


def test_the_preview_renders_the_typed_template_and_saves_nothing(app, db, client, world, make_course):
    make_course("TPL")
    login(client, world.people["admin@root"])
    html = pdf.default_template().replace("{{ labels.certificate }}</h1>", "ПОСВІДЧЕННЯ</h1>")
    response = post(
        client, "/certificates/templates/TPL", {"html": html, "issue_on": "completion", "preview": "1"}
    )
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("inline")
    assert db.session.scalar(select(Template.id)) is None


def test_a_bad_template_is_refused_with_the_error_and_kept(app, db, client, world, make_course):
    make_course("TPL")
    login(client, world.people["admin@root"])
    response = post(
        client,
        "/certificates/templates/TPL",
        {"html": "<p>{% if %}</p>", "issue_on": "completion", "save": "1"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Expected an expression" in text
    assert "{% if %}" in text  # what was typed is kept
    assert db.session.scalar(select(Template.id)) is None


def test_saving_a_template_and_settings_changes_later_certificates(app, db, client, world, make_course):
    course = make_course("TPL")
    login(client, world.people["admin@root"])
    html = pdf.default_template().replace("{{ labels.certificate }}</h1>", "ПОСВІДЧЕННЯ</h1>")
    data = {"html": html, "issue_on": "cohort_closed", "valid_months": "36", "issuer": "ДЦО", "save": "1"}
    assert post(client, "/certificates/templates/TPL", data).status_code == 302
    db.session.expire_all()
    setting = db.session.get(CourseSetting, course.id)
    assert (setting.issue_on, setting.valid_months, setting.issuer) == ("cohort_closed", 36, "ДЦО")
    assert "ПОСВІДЧЕННЯ" in services.template_source(course)
    assert post(client, "/certificates/templates/TPL", {**data, "save": "", "reset": "1"}).status_code == 302
    assert services.template_source(course) == pdf.default_template()


def test_only_admins_edit_templates(app, client, world, make_course):
    make_course("TPL")
    login(client, world.people["manager@r1"])
    assert client.get("/certificates/templates/TPL").status_code == 403
