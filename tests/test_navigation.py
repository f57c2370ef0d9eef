"""The header's navigation grouped by area, each person seeing the areas her roles open; the home
page as a list of what needs her now, filled by the plugins through ``add_home_section``."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_login import login_user

from lms.plugins import HomeEntry, PluginError, add_home_section, add_nav_item
from lms.testing import login

EN = {"Accept-Language": "en"}


def areas_of(app: Flask, user) -> dict[str, list[str]]:
    """{area: [endpoint, …]} of the header ``user`` sees."""
    with app.test_request_context("/"):
        login_user(user)
        return {
            area: [item.endpoint for item in items] for area, _, items in app.jinja_env.globals["nav_areas"]()
        }


def fresh(app: Flask, user):
    """A client logged in as ``user`` (logging in again on one client keeps the first person)."""
    client = app.test_client()
    login(client, user)
    return client


def html(client, path: str = "/") -> str:
    return client.get(path, headers=EN).get_data(as_text=True)


def header(page: str) -> str:
    return page[page.index("<nav") : page.index("</nav>")]


# --- areas per role --------------------------------------------------------------------------------


def test_a_learner_sees_only_learning(app, world):
    assert areas_of(app, world.people["learner@r1"]) == {
        "learning": [
            "courses.index",
            "courses_quizzes.my_competences",
            "courses_cohorts.index",
            "certificates.index",
        ]
    }


def test_a_trainer_sees_learning_teaching_and_the_organisations_under_monitoring(app, world):
    areas = areas_of(app, world.people["trainer@r1"])
    assert list(areas) == ["learning", "teaching", "monitoring"]
    assert areas["teaching"][:3] == ["accounts.users", "courses_cohorts.index", "courses_quizzes.grading"]
    assert areas["monitoring"] == ["orgs.index"]


def test_a_manager_monitors_the_organisations_and_people_and_administers_nothing(app, world):
    areas = areas_of(app, world.people["manager@r1"])
    assert list(areas) == ["learning", "monitoring"]
    assert areas["monitoring"][:5] == [
        "monitoring.dashboard",
        "orgs.index",
        "accounts.users",
        "monitoring.external_index",
        "courses_cohorts.index",
    ]


def test_an_admin_administers_and_teaches_and_each_page_is_in_one_area(app, world):
    areas = areas_of(app, world.people["admin@root"])
    assert list(areas) == ["learning", "teaching", "monitoring", "administration"]
    assert areas["monitoring"][:2] == ["monitoring.dashboard", "monitoring.external_index"]
    assert areas["administration"] == [
        "orgs.index",
        "accounts.users",
        "accounts.target_groups",
        "courses_frameworks.index",
        "courses_cohorts.licence_grants",
        "audit.index",
        "public.edit_figures",
    ]
    assert {"courses.author_index", "courses_questions.index", "courses_quizzes.grading"} <= set(
        areas["teaching"]
    )
    endpoints = [endpoint for items in areas.values() for endpoint in items]
    assert len(endpoints) == len(set(endpoints))


def test_a_regional_admin_gets_no_target_groups_which_need_a_national_grant(app, world):
    assert "accounts.target_groups" not in areas_of(app, world.people["admin@r1"])["administration"]


def test_staff_links_are_false_for_people_whose_roles_allow_nothing_and_are_not_asked(app, world, make):
    """A link added with ``staff`` is not asked about a learner: that must not hide anything, so
    every staff link's own test is false for her, whatever the settings."""
    from lms.plugins import registry

    app.config["COURSES_TRAINERS_AUTHOR"] = True
    learners = [world.people["learner@r1"], make.user(world.orgs["hub@r2"])]  # a learner's grant, none
    staff = [item for item in registry(app).nav if item.staff]
    assert len(staff) > 20
    asked: list = []
    add_nav_item(
        app, "pages.home", "Staff only", lambda user: asked.append(user) or True, area="teaching", staff=True
    )
    try:
        for person in learners:
            with app.test_request_context("/"):
                login_user(person)
                assert not any(item.visible(person) for item in staff)
            shown = [endpoint for items in areas_of(app, person).values() for endpoint in items]
            assert "pages.home" not in shown
        assert asked == []
        assert "pages.home" in areas_of(app, world.people["trainer@r1"])["teaching"]
    finally:  # the app outlives the test
        registry(app).nav[:] = [item for item in registry(app).nav if item.label != "Staff only"]


def test_a_nav_item_needs_a_known_area(app):
    with pytest.raises(PluginError, match="unknown area"):
        add_nav_item(app, "pages.home", "Home", lambda user: True, area="elsewhere")
    with pytest.raises(TypeError):
        add_nav_item(app, "pages.home", "Home", lambda user: True)  # type: ignore[call-arg]


# --- the header as HTML ----------------------------------------------------------------------------


def test_visitors_see_only_the_login_link(client):
    nav = header(html(client))
    assert "<details" not in nav and re.findall(r'href="([^"]+)"', nav) == ["/login"]


def test_one_area_is_a_plain_list_and_several_are_disclosures_open_on_the_current_area(app, world):
    nav = header(html(fresh(app, world.people["learner@r1"])))
    assert "<details" not in nav and 'href="/courses/"' in nav

    client = fresh(app, world.people["admin@root"])
    nav = header(html(client))
    assert re.findall(r"<summary>([^<]+)</summary>", nav) == [
        "Learning",
        "Teaching",
        "Monitoring",
        "Administration",
    ]
    assert "<details open>" not in nav  # the home page is in no area
    nav = header(html(client, "/people"))
    assert nav.count("<details open>") == 1
    opened = nav[nav.index("<details open>") :]
    assert opened.index("<summary>Administration</summary>") < opened.index(
        '<a href="/people" aria-current="page">People</a>'
    )


def test_the_header_of_one_page_differs_per_area_of_its_links(client, world):
    """The header is cached per person and navigation: a trainer's People is under Teaching."""
    login(client, world.people["trainer@r1"])
    nav = header(html(client, "/people"))
    opened = nav[nav.index("<details open>") : nav.index("</details>", nav.index("<details open>"))]
    assert "<summary>Teaching</summary>" in opened and 'href="/people"' in opened


# --- the home page ---------------------------------------------------------------------------------


def test_the_home_page_no_longer_repeats_the_navigation(client, world):
    login(client, world.people["admin@root"])
    page = html(client)
    main = page[page.index("<main") :]
    assert 'class="cards"' not in main and "Where to go" not in main
    assert 'href="/people"' not in main and 'href="/audit/"' not in main
    assert "What needs you now" in main


def test_the_home_page_of_visitors_is_unchanged(client):
    page = html(client)
    assert "What needs you now" not in page and 'class="cards"' in page


@pytest.fixture
def registered(app):
    """The app is shared by tests: what a test registers is taken away after it."""
    before = list(app.extensions["lms"].home_sections)
    yield
    app.extensions["lms"].home_sections[:] = before


@pytest.fixture
def sections(app, registered):
    """Three sections of a third party: one for everyone with entries, one empty, one for trainers."""
    add_home_section(
        app,
        "sample.news",
        "News",
        lambda user: [HomeEntry(f"Hello {user.given_name}", "/sample/", "today")],
        lambda user: True,
        order=5,
        more="pages.home",
        more_label="All news",
    )
    add_home_section(app, "sample.empty", "Nothing here", lambda user: [], lambda user: True)
    add_home_section(
        app,
        "sample.trainers",
        "For trainers",
        lambda user: [HomeEntry("Prepare", "/sample/prepare")],
        lambda user: "trainer" in {grant.role for grant in user.grants},
        order=6,
    )


def test_home_sections_show_what_a_person_has_and_hide_what_is_empty_or_not_hers(app, world, sections):
    page = html(fresh(app, world.people["learner@r1"]))
    assert '<a href="/sample/">Hello ' in page and '<span class="muted">today</span>' in page
    assert '<a href="/">All news</a>' in page
    assert "Nothing here" not in page and "For trainers" not in page

    page = html(fresh(app, world.people["trainer@r1"]))
    assert page.index('<h3 id="home-1">News</h3>') < page.index('<h3 id="home-2">For trainers</h3>')


def test_a_person_with_nothing_waiting_is_told_so(client, world):
    login(client, world.people["manager@r2"])
    assert "Nothing needs you right now." in html(client)


def test_a_home_section_name_is_registered_once(app, registered):
    add_home_section(app, "sample.once", "Once", lambda user: [], lambda user: True)
    with pytest.raises(PluginError, match="twice"):
        add_home_section(app, "sample.once", "Once", lambda user: [], lambda user: True)


def test_plugins_register_sections_for_each_role(app):
    names = [section.name for section in app.extensions["lms"].home_sections]
    assert names == [
        "courses.flagged-cohorts",
        "courses.todays-sessions",
        "courses.unmarked-attendance",
        "courses.essays",
        "courses.cohorts-to-close",
        "plans.reports-due",
        "courses.next-session",
        "courses.resume",
    ]
