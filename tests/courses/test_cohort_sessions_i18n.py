"""Every visible string of the session pages passes through gettext (the pseudo-locale scan of
tests/test_translations.py, over a cohort with a session)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.testing import login, post
from tests.test_translations import PSEUDO, _pseudo_catalogs, untranslated


@pytest.fixture
def app_config(app_config, tmp_path_factory):
    folder = tmp_path_factory.getbasetemp() / "pseudo-sessions"
    if not folder.exists():
        folder.mkdir()
        _pseudo_catalogs(folder)
    from lms import catalogs

    return {
        **app_config,
        "BABEL_TRANSLATION_DIRECTORIES": f"{folder};{catalogs.translations_dir('lms')}",
        "LMS_LOCALES": (*app_config["LMS_LOCALES"], PSEUDO),
    }


def test_every_visible_string_of_the_session_pages_passes_through_gettext(
    client, world, make_course, make_cohort, db
):
    from courses.cohorts.models import CohortSession
    from courses.cohorts.sessions import when
    from lms.i18n import utcnow

    course = make_course("SESS-I18N")
    trainer, learner = world.people["trainer@r1"], world.people["learner@r1"]
    cohort = make_cohort(course, world.orgs["tc@r1"], trainers=[trainer], learners=[learner], title="Група")
    start = utcnow() - timedelta(hours=1)
    session = CohortSession(
        starts_at=start, ends_at=start + timedelta(hours=2), topic="Вступ", place="Зала 2"
    )
    session.venue_organisation = world.orgs["hub@r1"]
    session.modules = [course.modules[0]]
    cohort.sessions.append(session)
    db.session.commit()

    login(client, trainer)
    post(client, "/locale", {"locale": PSEUDO})
    base = f"/cohorts/{cohort.id}/sessions"
    paths = [
        base,
        f"{base}/new",
        f"{base}/{session.id}/edit",
        f"{base}/{session.id}/attendance",
        f"{base}/{session.id}/offline",
    ]
    pages = {path: client.get(path).get_data(as_text=True) for path in paths}
    data = [
        trainer.full_name,
        trainer.given_name,
        trainer.surname,
        learner.full_name,
        "Група",
        "Вступ",
        "Зала 2",
        str(course.title),
        world.orgs["hub@r1"].code,
        str(world.orgs["hub@r1"].name),
        cohort.timezone,
        "Kaskad",
        "0.1.0",
        "Українська",
        "English",
        "Suomi",
        "Svenska",
        cohort.calendar_token,
    ]
    data += [str(module.title) for module in course.modules] + [str(item.title) for item in course.items]
    with client.application.test_request_context():
        from flask_babel import force_locale

        with force_locale(PSEUDO):
            moment = when(session)
    data += [moment.day, moment.times, "http://", "https://", "localhost", "/cohorts/calendar/", ".ics"]
    problems = {}
    for path, html in pages.items():
        assert f'lang="{PSEUDO}"' in html and "⟦" in html, path
        if leftovers := untranslated(html, data):
            problems[path] = leftovers
    assert problems == {}, "\n".join(f"{path}: {texts}" for path, texts in problems.items())
