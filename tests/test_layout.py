"""The base layout: light pages, one local stylesheet, no scripts, a skip link, a language switcher."""

from __future__ import annotations

import re

import pytest

from lms.testing import login

PAGE_BUDGET = 50 * 1024  # HTML and CSS of one page
PAGES = [
    "/",
    "/profile",
    "/orgs/",
    "/orgs/{hub}",
    "/orgs/{hub}/edit",
    "/people",
    "/people/new",
    "/audit/",
    "/orgs/import",
    "/target-groups",
]


@pytest.fixture
def admin_client(client, world, make):
    # Enough rows to fill a page of each list.
    for number in range(60):
        make.org(
            "hub", world.orgs["r1"], code=f"HUB-18-{100 + number}", name=f"Хаб цифрової освіти № {number}"
        )
    make.commit()
    login(client, world.people["admin@root"])
    return client


def test_pages_fit_the_weight_budget_and_use_one_local_stylesheet(admin_client, world, client):
    css = client.get("/static/kaskad.css")
    assert css.status_code == 200
    for path in PAGES:
        response = admin_client.get(path.format(hub=world.orgs["hub@r1"].id))
        html = response.get_data(as_text=True)
        assert response.status_code == 200, path
        assert len(response.data) + len(css.data) <= PAGE_BUDGET, path
        stylesheets = re.findall(r'<link[^>]+rel="stylesheet"[^>]*>', html)
        assert stylesheets == ['<link rel="stylesheet" href="/static/kaskad.css">'], path
        assert "<script" not in html and "style=" not in html, path
        assert not re.search(r'(src|href)="(https?:)?//', html), path  # no CDN, nothing off-site


def test_every_page_has_skip_link_language_switcher_and_main_landmark(client):
    html = client.get("/").get_data(as_text=True)
    assert '<a class="skip" href="#main">' in html
    assert '<main id="main"' in html
    for code in ("uk", "en", "fi", "sv"):
        assert f'name="locale" value="{code}"' in html
    assert '<html lang="uk">' in html


def test_language_follows_accept_language_then_default(client):
    assert '<html lang="fi">' in client.get("/", headers={"Accept-Language": "fi-FI,fi;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="uk">' in client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)


def test_numbers_and_dates_are_formatted_for_the_locale(app):
    from datetime import datetime

    from lms.i18n import local_datetime

    moment = datetime(2026, 1, 15, 10, 30)  # UTC, stored without tzinfo
    template = app.jinja_env.from_string("{{ value|number }}")  # a variable: Jinja folds constants early
    expected = {"uk": "1\xa0234\xa0567", "en": "1,234,567", "fi": "1\xa0234\xa0567", "sv": "1\xa0234\xa0567"}
    for locale, number in expected.items():
        with app.app_context(), app.test_request_context(headers={"Accept-Language": locale}):
            assert template.render(value=1234567) == number
            assert re.search(r"12[:.]30", local_datetime(moment))  # Kyiv is UTC+2 in January
