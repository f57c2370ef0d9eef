"""Authoring courses: admins (and trainers, when the admin allows it) create courses, add and reorder
modules and items, preview Markdown on the server, upload media, see accessibility gaps, publish.
Everything works without JavaScript: each change is a POST form with a CSRF token."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from media_samples import wav_bytes
from sqlalchemy import select

from courses.models import Course, Item, Media, Module
from lms.audit.models import AuditEntry
from lms.testing import login, post

EN = {"Accept-Language": "en"}
AUTHOR = "/courses/author"


@pytest.fixture(scope="session")
def authoring_media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("authoring-media")


@pytest.fixture
def app_config(app_config, authoring_media_root, request):
    """Media go to a temporary folder; a test may add settings with
    ``@pytest.mark.parametrize("app_config", [{...}], indirect=True)``."""
    return {**app_config, "COURSES_MEDIA_DIR": str(authoring_media_root), **getattr(request, "param", {})}


TRAINERS_AUTHOR = pytest.mark.parametrize("app_config", [{"COURSES_TRAINERS_AUTHOR": True}], indirect=True)


# --- helpers ----------------------------------------------------------------------------------------


def text(response):
    return html.unescape(response.get_data(as_text=True))


def course(db, code):
    db.session.expire_all()
    return db.session.scalar(select(Course).where(Course.code == code))


def build_course(db, code="DEH-TEST", status="draft", modules=(("first", ("one", "two")),), **fields):
    """A course with modules of text items, committed: ``modules`` is ((module key, (item keys…)), …)."""
    new = Course(code=code, title={"uk": f"Курс {code}", "en": f"Course {code}"}, status=status, **fields)
    for position, (key, items) in enumerate(modules):
        module = Module(key=key, position=position, title={"uk": f"Модуль {key}", "en": f"Module {key}"})
        for number, item_key in enumerate(items):
            module.items.append(
                Item(
                    key=item_key,
                    position=number,
                    kind="text",
                    title={"uk": f"Урок {item_key}", "en": f"Lesson {item_key}"},
                    body=f"Text of {item_key}.",
                )
            )
        new.modules.append(module)
    db.session.add(new)
    db.session.commit()
    return new


def order(db, code):
    """[(module key, [item keys…]), …] in the order learners see them."""
    found = course(db, code)
    return [(module.key, [item.key for item in module.items]) for module in found.modules]


def course_form(**overrides):
    data = {
        "code": "deh-coord",
        "title_uk": "Координатор хабу цифрової освіти",
        "title_en": "Digital Education Hub coordinator",
        "title_fi": "",
        "title_sv": "",
        "summary_uk": "Цифрові компетентності, е-послуги, кібергігієна.",
        "summary_en": "Digital competences, e-services, cyber hygiene.",
        "language": "uk",
        "hours": "12",
        "ects": "0,5",
        "version": "1",
        "enrolment": "open",
        "unlock_in_order": "y",
    }
    data.update(overrides)
    return data


def open_data(name):
    """A tiny real media file from tests/courses/data."""
    return (Path(__file__).parent / "data" / name).read_bytes()


VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nДобрий день!\n"


def admin(client, world):
    login(client, world.people["admin@root"])


# --- who may author -----------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["admin@root", "admin@r1", "admin@r2"])
def test_admins_anywhere_author_courses_and_see_the_authoring_link(client, world, person):
    login(client, world.people[person])

    response = client.get(f"{AUTHOR}/", headers=EN)

    assert response.status_code == 200
    assert f'href="{AUTHOR}/"' in text(response)
    assert "Course authoring" in text(client.get("/", headers=EN))


@pytest.mark.parametrize("person", ["learner@r1", "manager@r1", "trainer@r1"])
def test_learners_managers_and_trainers_may_not_author_by_default(client, db, world, person):
    build_course(db)
    login(client, world.people[person])

    assert f'href="{AUTHOR}/"' not in text(client.get("/"))
    assert client.get(f"{AUTHOR}/").status_code == 403
    assert client.get(f"{AUTHOR}/DEH-TEST").status_code == 403
    assert post(client, f"{AUTHOR}/new", course_form()).status_code == 403
    assert post(client, f"{AUTHOR}/DEH-TEST/publish").status_code == 403
    assert course(db, "DEH-TEST").status == "draft"
    assert course(db, "DEH-COORD") is None


@TRAINERS_AUTHOR
def test_trainers_author_when_the_admin_allows_it(client, db, world):
    build_course(db)
    login(client, world.people["trainer@r1"])

    assert f'href="{AUTHOR}/"' in text(client.get("/"))
    assert client.get(f"{AUTHOR}/DEH-TEST").status_code == 200
    assert post(client, f"{AUTHOR}/DEH-TEST/publish").status_code == 302
    assert course(db, "DEH-TEST").status == "published"


@TRAINERS_AUTHOR
def test_learners_and_managers_still_may_not_author_when_trainers_may(client, db, world):
    build_course(db)
    for person in ("learner@r1", "manager@r1"):
        login(client, world.people[person])
        assert client.get(f"{AUTHOR}/DEH-TEST").status_code == 403
        post(client, "/logout")


def test_visitors_are_sent_to_log_in(client, db):
    build_course(db)
    response = client.get(f"{AUTHOR}/DEH-TEST")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert client.post(f"{AUTHOR}/DEH-TEST/publish").status_code in (400, 401)


# --- the list of courses --------------------------------------------------------------------------------


def test_the_list_shows_drafts_and_published_courses_with_version_modules_and_gaps(client, db, world):
    build_course(db, "DEH-A", modules=(("m1", ("a",)), ("m2", ("b",))), version=3)
    published = build_course(db, "DEH-B", status="published")
    published.modules[0].items.append(Item(key="podcast", position=5, kind="audio", title={"uk": "Подкаст"}))
    db.session.commit()
    admin(client, world)

    page = text(client.get(f"{AUTHOR}/", headers=EN))

    rows = {
        code: re.sub(r"\s+", " ", row) for row, code in re.findall(r"(<tr>.*?(DEH-[AB]).*?</tr>)", page, re.S)
    }
    assert re.search(r"Draft</td>\s*<td>3</td>\s*<td>2</td>\s*<td>0</td>", rows["DEH-A"].replace("> <", "><"))
    assert "Published" in rows["DEH-B"]
    assert 'class="course-gap">1<' in rows["DEH-B"]
    assert f'href="{AUTHOR}/new"' in page


# --- creating and editing a course ----------------------------------------------------------------------


def test_admin_creates_a_draft_course_with_ects_written_with_a_decimal_comma(client, db, world):
    trainer_course = build_course(db, "TOT-RTC")
    admin(client, world)

    response = post(client, f"{AUTHOR}/new", course_form(qualifies_for=[str(trainer_course.id)]))

    assert response.status_code == 302
    assert response.location == f"{AUTHOR}/DEH-COORD"
    created = course(db, "DEH-COORD")
    assert created.status == "draft" and created.version == 1
    assert dict(created.title) == {
        "uk": "Координатор хабу цифрової освіти",
        "en": "Digital Education Hub coordinator",
    }
    assert created.summary["en"] == "Digital competences, e-services, cyber hygiene."
    assert created.hours == 12 and created.ects == 0.5
    assert created.is_open and created.unlock_in_order and created.language == "uk"
    assert [other.code for other in created.qualifies_for] == ["TOT-RTC"]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "Course")).all()
    assert actions == ["course.created"]


def test_a_course_may_be_by_enrolment_only_and_without_ects(client, db, world):
    admin(client, world)
    post(client, f"{AUTHOR}/new", course_form(ects="", enrolment="by_enrolment", unlock_in_order=""))
    created = course(db, "DEH-COORD")
    assert created.ects is None and not created.is_open and not created.unlock_in_order


def test_the_course_form_keeps_what_was_typed_when_it_has_errors(client, db, world):
    build_course(db, "DEH-COORD")
    admin(client, world)

    response = post(client, f"{AUTHOR}/new", course_form(summary_uk="Мій <b>опис</b> курсу", hours="багато"))

    assert response.status_code == 200
    page = text(response)
    assert 'value="DEH-COORD"' in page  # uppercased, kept
    assert "Координатор хабу цифрової освіти" in page
    assert "Мій <b>опис</b> курсу</textarea>" in page
    assert 'value="багато"' in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(select(Course.id).where(Course.code == "DEH-COORD")) is not None
    # the duplicate code is refused, once the number is right
    response = post(client, f"{AUTHOR}/new", course_form(), headers=EN)
    assert "Another course has this code." in text(response)


def test_a_course_code_must_be_latin_capitals_digits_and_dashes(client, db, world):
    admin(client, world)
    response = post(client, f"{AUTHOR}/new", course_form(code="КУРС 1"))
    assert response.status_code == 200
    assert db.session.scalars(select(Course)).all() == []


def test_editing_a_course_keeps_its_code_and_may_raise_the_version(client, db, world):
    build_course(db, "DEH-TEST", version=2, hours=4)
    admin(client, world)

    form = text(client.get(f"{AUTHOR}/DEH-TEST/edit"))
    assert 'value="Курс DEH-TEST"' in form and 'value="2"' in form

    response = post(
        client, f"{AUTHOR}/DEH-TEST/edit", course_form(code="OTHER", version="3", title_uk="Новий заголовок")
    )

    assert response.status_code == 302
    edited = course(db, "DEH-TEST")
    assert edited.version == 3 and edited.title["uk"] == "Новий заголовок"
    assert course(db, "OTHER") is None


def test_the_version_may_not_go_down(client, db, world):
    build_course(db, "DEH-TEST", version=4)
    admin(client, world)

    response = post(
        client, f"{AUTHOR}/DEH-TEST/edit", course_form(version="3", title_uk="Змінено"), headers=EN
    )

    assert response.status_code == 200
    assert "The version may not go down: it is 4 now." in text(response)
    assert 'value="Змінено"' in text(response)
    assert course(db, "DEH-TEST").version == 4
    assert course(db, "DEH-TEST").title["uk"] == "Курс DEH-TEST"


def test_a_course_does_not_offer_to_qualify_for_itself(client, db, world):
    own = build_course(db, "DEH-TEST")
    other = build_course(db, "TOT-RTC")
    admin(client, world)
    page = text(client.get(f"{AUTHOR}/DEH-TEST/edit"))
    assert (
        f'value="{other.id}"' in page and f'name="qualifies_for" type="checkbox" value="{own.id}"' not in page
    )


# --- the authoring page, modules and items ---------------------------------------------------------------


def test_the_authoring_page_shows_modules_in_order_with_their_items_and_a_learner_preview(client, db, world):
    build_course(db, modules=(("intro", ("welcome", "rules")), ("hub", ("services",))))
    admin(client, world)

    page = text(client.get(f"{AUTHOR}/DEH-TEST", headers=EN))

    assert page.index("Module intro") < page.index("Lesson welcome") < page.index("Lesson rules")
    assert page.index("Lesson rules") < page.index("Module hub") < page.index("Lesson services")
    assert 'href="/courses/DEH-TEST"' in page  # preview as learner
    assert f'action="{AUTHOR}/DEH-TEST/publish"' in page
    assert page.count('name="direction" value="up"') == 1 + 2  # modules: hub; items: rules, services
    assert 'name="csrf_token"' in page


def test_admin_adds_a_module_and_text_items(client, db, world):
    build_course(db, modules=())
    admin(client, world)

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/new",
        {"title_uk": "Кібергігієна", "title_en": "Cyber hygiene", "is_required": "y"},
    )
    assert response.status_code == 302
    (module,) = course(db, "DEH-TEST").modules
    assert module.key == "cyber-hygiene" and module.is_required
    assert response.location == f"{AUTHOR}/DEH-TEST#module-{module.id}"

    for title in ("Паролі", "Фішинг"):
        response = post(
            client,
            f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=text",
            {"title_uk": title, "body": f"# {title}\n\nТекст.", "completion": "next", "is_required": "y"},
        )
        assert response.status_code == 302, text(response)[:1000]

    items = course(db, "DEH-TEST").modules[0].items
    assert [item.title["uk"] for item in items] == ["Паролі", "Фішинг"]
    assert [item.position for item in items] == [0, 1]
    assert [item.key for item in items] == ["cyber-hygiene-1", "cyber-hygiene-2"]
    assert items[0].kind == "text" and items[0].completion == "next" and items[0].body.startswith("# Паролі")


def test_stable_ids_are_unique_in_the_course(client, db, world):
    build_course(db, modules=(("intro", ("welcome",)),))
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)

    response = post(client, f"{AUTHOR}/DEH-TEST/modules/new", {"key": "intro", "title_uk": "Ще"}, headers=EN)
    assert "Another module of this course has this id." in text(response)
    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=text",
        {"key": "welcome", "completion": "button", "title_uk": "Ще", "body": "Текст"},
        headers=EN,
    )
    assert "Another item of this course has this id." in text(response)
    assert order(db, "DEH-TEST") == [("intro", ["welcome"])]


def test_a_text_item_needs_a_title_and_text_and_keeps_what_was_typed(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=text",
        {"title_uk": "", "body": "Мій текст"},
    )

    assert response.status_code == 200
    assert "Мій текст</textarea>" in text(response)
    assert len(course(db, "DEH-TEST").items) == 2


def test_the_kind_of_a_new_item_is_chosen_from_the_known_kinds(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)
    page = text(client.get(f"{AUTHOR}/DEH-TEST"))
    assert f'action="{AUTHOR}/DEH-TEST/modules/{module.id}/items/new"' in page
    kinds = ("text", "video", "audio", "file", "link", "quiz")
    assert all(f'<option value="{kind}">' in page for kind in kinds)
    base = f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new"
    assert 'rows="15"' in text(client.get(f"{base}?kind=text"))
    assert 'name="transcript"' in text(client.get(f"{base}?kind=audio"))
    assert 'name="captions"' in text(client.get(f"{base}?kind=video"))
    assert 'name="transcript"' not in text(client.get(f"{base}?kind=file"))
    assert 'name="completion"' not in text(client.get(f"{base}?kind=quiz"))  # passing completes a quiz
    assert client.get(f"{base}?kind=nonsense").status_code == 404


def test_an_author_adds_a_quiz_and_goes_on_to_its_settings(client, db, world):
    from courses.quizzes.models import Quiz

    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=quiz",
        {"title_uk": "Підсумковий тест", "body": "Перевірте себе."},
    )

    quiz_item = course(db, "DEH-TEST").items[-1]
    assert (quiz_item.kind, quiz_item.title["uk"]) == ("quiz", "Підсумковий тест")
    assert response.status_code == 302
    assert response.location == f"/courses/quizzes/items/{quiz_item.id}/settings"
    assert client.get(response.location).status_code == 200
    assert client.get(f"{AUTHOR}/DEH-TEST/items/{quiz_item.id}/edit").status_code == 200
    assert f"/courses/quizzes/items/{quiz_item.id}/settings" in text(client.get(f"{AUTHOR}/DEH-TEST"))
    assert db.session.scalar(select(Quiz).where(Quiz.item_id == quiz_item.id)) is None  # until saved


def test_a_link_item_needs_a_web_address(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)
    url = f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=link"

    assert (
        post(
            client, url, {"completion": "button", "title_uk": "Дія", "url": "javascript:alert(1)"}
        ).status_code
        == 200
    )
    assert post(client, url, {"completion": "button", "title_uk": "Дія", "url": ""}).status_code == 200
    assert (
        post(
            client, url, {"completion": "button", "title_uk": "Дія", "url": "https://diia.gov.ua/"}
        ).status_code
        == 302
    )

    link = course(db, "DEH-TEST").items[-1]
    assert link.kind == "link" and link.url == "https://diia.gov.ua/"


def test_titles_and_summaries_are_written_in_all_four_languages_and_edits_keep_them(client, db, world):
    admin(client, world)
    four = {"uk": "Координатор хабу", "en": "Hub coordinator", "fi": "Digitukipisteen koordinaattori"}
    four["sv"] = "Hubbsamordnare"
    summaries = {"uk": "Опис.", "en": "Summary.", "fi": "Kuvaus.", "sv": "Beskrivning."}
    fields = {f"title_{code}": text for code, text in four.items()}
    fields |= {f"summary_{code}": text for code, text in summaries.items()}
    assert post(client, f"{AUTHOR}/new", course_form(code="FOUR-LANG", **fields)).status_code == 302
    created = course(db, "FOUR-LANG")
    assert dict(created.title) == four and dict(created.summary) == summaries

    module_titles = {f"title_{code}": f"{text} · 1" for code, text in four.items()}
    assert (
        post(client, f"{AUTHOR}/FOUR-LANG/modules/new", {**module_titles, "is_required": "y"}).status_code
        == 302
    )
    module = course(db, "FOUR-LANG").modules[0]
    assert (
        module.title["fi"] == "Digitukipisteen koordinaattori · 1"
        and module.title["sv"] == "Hubbsamordnare · 1"
    )
    item_url = f"{AUTHOR}/FOUR-LANG/modules/{module.id}/items/new?kind=text"
    item_fields = {"title_uk": "Урок", "title_fi": "Oppitunti", "title_sv": "Lektion", "body": "Текст."}
    assert post(client, item_url, {**item_fields, "completion": "next"}).status_code == 302
    item = course(db, "FOUR-LANG").items[0]
    assert dict(item.title) == {"uk": "Урок", "fi": "Oppitunti", "sv": "Lektion"}

    # Editing shows every language and keeps the Finnish and Swedish titles (they were dropped before).
    form = text(client.get(f"{AUTHOR}/FOUR-LANG/items/{item.id}/edit"))
    assert 'value="Oppitunti"' in form and 'value="Lektion"' in form
    edited = {"title_uk": "Урок 1", "title_fi": "Oppitunti", "title_sv": "Lektion", "body": "Текст."}
    assert (
        post(client, f"{AUTHOR}/FOUR-LANG/items/{item.id}/edit", {**edited, "completion": "next"}).status_code
        == 302
    )
    assert dict(course(db, "FOUR-LANG").items[0].title) == {
        "uk": "Урок 1",
        "fi": "Oppitunti",
        "sv": "Lektion",
    }
    finnish = text(client.get("/courses/FOUR-LANG", headers={"Accept-Language": "fi"}))
    assert "Digitukipisteen koordinaattori" in finnish and "Kuvaus." in finnish


def test_editing_an_item_of_a_published_course_is_allowed(client, db, world):
    build_course(db, status="published")
    item = course(db, "DEH-TEST").items[0]
    admin(client, world)

    page = text(client.get(f"{AUTHOR}/DEH-TEST/items/{item.id}/edit"))
    assert "Text of one.</textarea>" in page

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/items/{item.id}/edit",
        {"title_uk": "Виправлений урок", "body": "Новий текст.", "completion": "button"},
    )

    assert response.status_code == 302
    assert response.location == f"{AUTHOR}/DEH-TEST#item-{item.id}"
    edited = course(db, "DEH-TEST")
    assert edited.items[0].title["uk"] == "Виправлений урок" and edited.items[0].body == "Новий текст."
    assert not edited.items[0].is_required
    assert edited.status == "published" and edited.items[0].key == "one"


def test_editing_a_module(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)
    assert 'value="Модуль first"' in text(client.get(f"{AUTHOR}/DEH-TEST/modules/{module.id}/edit"))

    response = post(
        client, f"{AUTHOR}/DEH-TEST/modules/{module.id}/edit", {"title_uk": "Вступ", "key": "changed"}
    )

    assert response.status_code == 302
    module = course(db, "DEH-TEST").modules[0]
    assert module.title["uk"] == "Вступ" and not module.is_required and module.key == "first"


def test_pages_of_another_courses_module_or_item_are_not_found(client, db, world):
    build_course(db, "DEH-A")
    other = build_course(db, "DEH-B")
    admin(client, world)
    module, item = other.modules[0], other.items[0]
    assert client.get(f"{AUTHOR}/DEH-A/modules/{module.id}/edit").status_code == 404
    assert client.get(f"{AUTHOR}/DEH-A/items/{item.id}/edit").status_code == 404
    assert client.get(f"{AUTHOR}/NO-SUCH").status_code == 404


# --- reordering ---------------------------------------------------------------------------------------


def test_modules_move_up_and_down(client, db, world):
    build_course(db, modules=(("a", ()), ("b", ()), ("c", ())))
    found = course(db, "DEH-TEST")
    b, c = found.modules[1].id, found.modules[2].id
    admin(client, world)

    response = post(client, f"{AUTHOR}/DEH-TEST/modules/{c}/move", {"direction": "up"})
    assert response.status_code == 302 and response.location.endswith(f"#module-{c}")
    assert [key for key, _ in order(db, "DEH-TEST")] == ["a", "c", "b"]

    post(client, f"{AUTHOR}/DEH-TEST/modules/{b}/move", {"direction": "down"})  # already last
    post(client, f"{AUTHOR}/DEH-TEST/modules/{c}/move", {"direction": "up"})
    assert [key for key, _ in order(db, "DEH-TEST")] == ["c", "a", "b"]
    assert [module.position for module in course(db, "DEH-TEST").modules] == [0, 1, 2]


def test_items_move_within_their_module_and_across_to_the_next_or_previous_one(client, db, world):
    build_course(db, modules=(("m1", ("a", "b")), ("m2", ("c",))))
    ids = {item.key: item.id for item in course(db, "DEH-TEST").items}
    admin(client, world)

    def move(key, direction):
        response = post(client, f"{AUTHOR}/DEH-TEST/items/{ids[key]}/move", {"direction": direction})
        assert response.status_code == 302
        return order(db, "DEH-TEST")

    assert move("b", "up") == [("m1", ["b", "a"]), ("m2", ["c"])]
    assert move("a", "down") == [("m1", ["b"]), ("m2", ["a", "c"])]
    assert move("c", "up") == [("m1", ["b"]), ("m2", ["c", "a"])]
    assert move("c", "up") == [("m1", ["b", "c"]), ("m2", ["a"])]
    assert move("b", "up") == [("m1", ["b", "c"]), ("m2", ["a"])]  # first of all: stays
    assert move("a", "down") == [("m1", ["b", "c"]), ("m2", ["a"])]  # last of all: stays
    for module in course(db, "DEH-TEST").modules:
        assert [item.position for item in module.items] == list(range(len(module.items)))


# --- preview --------------------------------------------------------------------------------------------


MARKDOWN = """# Безпечні паролі

Пароль має бути **довгим**.

<script>alert("xss")</script>

[натисни](javascript:alert(1)) <img src=x onerror=alert(2)>
"""


def test_preview_renders_sanitised_markdown_below_the_form_and_keeps_everything_typed(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=audio",
        {
            "title_uk": "Подкаст про паролі",
            "title_en": "Passwords podcast",
            "body": MARKDOWN,
            "transcript": "**Ведуча:** Добрий день!",
            "completion": "next",
            "preview": "1",
        },
    )

    assert response.status_code == 200
    raw = response.get_data(as_text=True)
    preview = raw[raw.index('id="preview"') :]
    assert "<h2>Безпечні паролі</h2>" in preview
    assert "<strong>довгим</strong>" in preview
    assert "<strong>Ведуча:</strong> Добрий день!" in preview  # the transcript too
    assert "&lt;script&gt;" in preview and "<script>" not in raw  # shown as text, never run
    assert not re.search(r"<[^>]*onerror", raw) and 'href="javascript:' not in raw
    form = raw[: raw.index('id="preview"')]
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in form  # typed text, kept and escaped
    assert 'value="Подкаст про паролі"' in form and 'value="Passwords podcast"' in form
    assert '<option selected value="next">' in form
    assert len(course(db, "DEH-TEST").items) == 2  # nothing was saved


def test_preview_of_an_existing_item_changes_nothing(client, db, world):
    build_course(db)
    item = course(db, "DEH-TEST").items[0]
    admin(client, world)

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/items/{item.id}/edit",
        {"title_uk": "Інша назва", "body": "*нове*", "preview": "1"},
    )

    assert response.status_code == 200
    assert "<em>нове</em>" in response.get_data(as_text=True)
    assert course(db, "DEH-TEST").items[0].body == "Text of one."


def test_the_preview_button_returns_to_the_preview(client, db, world):
    build_course(db)
    item = course(db, "DEH-TEST").items[0]
    admin(client, world)
    page = text(client.get(f"{AUTHOR}/DEH-TEST/items/{item.id}/edit"))
    edit = f"{AUTHOR}/DEH-TEST/items/{item.id}/edit"
    assert f'name="preview" value="1" class="secondary" formaction="{edit}#preview"' in page
    assert 'id="preview"' not in page  # until Preview is pressed


# --- uploads and accessibility gaps ---------------------------------------------------------------------


def test_an_audio_item_is_uploaded_through_the_form(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=audio",
        {
            "title_uk": "Подкаст",
            "media": (io.BytesIO(wav_bytes()), "podcast.wav"),
            "transcript": "Добрий день!",
            "completion": "button",
            "is_required": "y",
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302, text(response)[:2000]
    audio = course(db, "DEH-TEST").items[-1]
    assert audio.kind == "audio" and audio.media.filename == "podcast.wav"
    assert audio.media.content_type == "audio/wav"
    assert not audio.accessibility_gap


def test_a_video_is_uploaded_with_webvtt_captions(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)
    video = open_data("clip.webm")

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=video",
        {
            "title_uk": "Відео",
            "media": (io.BytesIO(video), "clip.webm"),
            "captions": (io.BytesIO(VTT.encode()), "clip.vtt"),
            "completion": "button",
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 302, text(response)[:2000]
    item = course(db, "DEH-TEST").items[-1]
    assert item.media.content_type == "video/webm"
    assert item.captions.content_type.startswith("text/vtt") and item.captions.filename == "clip.vtt"
    assert not item.accessibility_gap


def test_a_rejected_file_stores_nothing_and_keeps_what_was_typed(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=audio",
        {
            "completion": "button",
            "title_uk": "Подкаст",
            "media": (io.BytesIO(b"%PDF-1.4 not audio"), "podcast.wav"),
            "transcript": "Мій транскрипт",
        },
        content_type="multipart/form-data",
        headers=EN,
    )

    assert response.status_code == 200
    page = text(response)
    assert "not allowed here" in page or "could not be recognised" in page
    assert 'value="Подкаст"' in page and "Мій транскрипт</textarea>" in page
    assert len(course(db, "DEH-TEST").items) == 2
    assert db.session.scalars(select(Media)).all() == []


def test_captions_must_be_webvtt(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)

    response = post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=video",
        {
            "completion": "button",
            "title_uk": "Відео",
            "url": "https://example.org/video.webm",
            "captions": (io.BytesIO(wav_bytes()), "captions.vtt"),
        },
        content_type="multipart/form-data",
    )

    assert response.status_code == 200
    assert len(course(db, "DEH-TEST").items) == 2


def test_audio_and_files_need_an_upload_and_a_video_a_file_or_an_address(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)
    base = f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new"
    for kind in ("audio", "file", "video"):
        response = post(client, f"{base}?kind={kind}", {"completion": "button", "title_uk": "Без файлу"})
        assert response.status_code == 200, kind
        assert 'class="field-error"' in response.get_data(as_text=True)
    assert len(course(db, "DEH-TEST").items) == 2


def test_accessibility_gaps_are_listed_with_links_to_the_items_until_fixed(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)
    base = f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new"
    post(
        client,
        f"{base}?kind=video",
        {"completion": "button", "title_uk": "Відео без субтитрів", "url": "https://example.org/v.webm"},
    )
    post(
        client,
        f"{base}?kind=audio",
        {
            "completion": "button",
            "title_uk": "Подкаст без транскрипту",
            "media": (io.BytesIO(wav_bytes()), "p.wav"),
        },
        content_type="multipart/form-data",
    )
    video, audio = course(db, "DEH-TEST").items[-2:]

    page = text(client.get(f"{AUTHOR}/DEH-TEST", headers=EN))

    gaps = page[page.index('id="gaps-heading"') : page.index('id="modules-heading"')]
    assert "2 items cannot be used by everyone" in gaps
    assert f'href="{AUTHOR}/DEH-TEST/items/{video.id}/edit">Відео без субтитрів</a>' in gaps
    assert "Video without captions or transcript" in gaps
    assert f'href="{AUTHOR}/DEH-TEST/items/{audio.id}/edit">Подкаст без транскрипту</a>' in gaps
    assert "Audio without transcript" in gaps
    assert page.count('class="course-gap"') == 2  # flagged in the outline too
    assert "Audio without transcript" in text(
        client.get(f"{AUTHOR}/DEH-TEST/items/{audio.id}/edit", headers=EN)
    )

    post(
        client,
        f"{AUTHOR}/DEH-TEST/items/{audio.id}/edit",
        {"title_uk": "Подкаст", "transcript": "Добрий день!", "completion": "button"},
    )
    post(
        client,
        f"{AUTHOR}/DEH-TEST/items/{video.id}/edit",
        {
            "title_uk": "Відео",
            "url": "https://example.org/v.webm",
            "captions": (io.BytesIO(VTT.encode()), "v.vtt"),
            "completion": "button",
        },
        content_type="multipart/form-data",
    )

    page = text(client.get(f"{AUTHOR}/DEH-TEST", headers=EN))
    assert "No accessibility gaps" in page and 'class="course-gap"' not in page
    assert course(db, "DEH-TEST").items[-1].media.filename == "p.wav"  # kept when not replaced


def test_an_uploaded_video_can_be_swapped_for_a_web_address(client, db, world):
    build_course(db)
    module = course(db, "DEH-TEST").modules[0]
    admin(client, world)
    post(
        client,
        f"{AUTHOR}/DEH-TEST/modules/{module.id}/items/new?kind=video",
        {
            "completion": "button",
            "title_uk": "Відео",
            "media": (io.BytesIO(open_data("clip.webm")), "clip.webm"),
            "transcript": "Текст",
        },
        content_type="multipart/form-data",
    )
    video = course(db, "DEH-TEST").items[-1]
    edit = f"{AUTHOR}/DEH-TEST/items/{video.id}/edit"

    both = {
        "completion": "button",
        "title_uk": "Відео",
        "url": "https://example.org/v.webm",
        "transcript": "Текст",
    }
    assert post(client, edit, both).status_code == 200  # a file and an address: which one?
    assert post(client, edit, {**both, "remove_media": "y"}).status_code == 302

    video = course(db, "DEH-TEST").items[-1]
    assert video.media is None and video.url == "https://example.org/v.webm"


# --- publishing -----------------------------------------------------------------------------------------


def test_publishing_and_returning_to_draft(client, db, world):
    build_course(db, version=2)
    admin(client, world)

    response = post(client, f"{AUTHOR}/DEH-TEST/publish")
    assert response.status_code == 302 and response.location == f"{AUTHOR}/DEH-TEST"
    published = course(db, "DEH-TEST")
    assert published.status == "published" and published.version == 2  # nothing is bumped
    page = text(client.get(f"{AUTHOR}/DEH-TEST"))
    assert f'action="{AUTHOR}/DEH-TEST/unpublish"' in page

    assert post(client, f"{AUTHOR}/DEH-TEST/unpublish").status_code == 302
    assert course(db, "DEH-TEST").status == "draft"
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "Course").order_by(AuditEntry.id)
    ).all()
    assert actions == ["course.published", "course.unpublished"]


def test_an_empty_course_is_not_published(client, db, world):
    build_course(db, modules=(("empty", ()),))
    admin(client, world)
    post(client, f"{AUTHOR}/DEH-TEST/publish")
    assert course(db, "DEH-TEST").status == "draft"


def test_publishing_with_accessibility_gaps_warns(client, db, world):
    found = build_course(db)
    found.modules[0].items.append(Item(key="pod", position=2, kind="audio", title={"uk": "Подкаст"}))
    db.session.commit()
    admin(client, world)
    response = post(client, f"{AUTHOR}/DEH-TEST/publish", follow_redirects=True, headers=EN)
    assert "It still has 1 accessibility gap" in text(response)


# --- deleting -------------------------------------------------------------------------------------------


def test_deleting_an_item_needs_the_confirmation_box(client, db, world):
    build_course(db)
    item = course(db, "DEH-TEST").items[0]
    admin(client, world)

    response = post(client, f"{AUTHOR}/DEH-TEST/items/{item.id}/delete", {})
    assert response.status_code == 200 and 'class="field-error"' in response.get_data(as_text=True)
    assert order(db, "DEH-TEST") == [("first", ["one", "two"])]

    response = post(client, f"{AUTHOR}/DEH-TEST/items/{item.id}/delete", {"confirm": "y"})
    assert response.status_code == 302
    assert order(db, "DEH-TEST") == [("first", ["two"])]
    assert course(db, "DEH-TEST").items[0].position == 0


def test_deleting_a_module_deletes_its_items(client, db, world):
    build_course(db, modules=(("a", ("x",)), ("b", ("y",))))
    first = course(db, "DEH-TEST").modules[0]
    admin(client, world)

    assert post(client, f"{AUTHOR}/DEH-TEST/modules/{first.id}/delete", {}).status_code == 200
    assert post(client, f"{AUTHOR}/DEH-TEST/modules/{first.id}/delete", {"confirm": "y"}).status_code == 302

    assert order(db, "DEH-TEST") == [("b", ["y"])]
    assert course(db, "DEH-TEST").modules[0].position == 0
    assert db.session.scalar(select(Item).where(Item.key == "x")) is None


def test_a_draft_course_is_deleted_but_a_published_one_is_not(client, db, world):
    build_course(db, "DEH-A")
    build_course(db, "DEH-B", status="published")
    admin(client, world)

    assert post(client, f"{AUTHOR}/DEH-A/delete", {}).status_code == 200
    assert course(db, "DEH-A") is not None
    response = post(client, f"{AUTHOR}/DEH-A/delete", {"confirm": "y"})
    assert response.status_code == 302 and response.location == f"{AUTHOR}/"
    assert course(db, "DEH-A") is None
    assert db.session.scalars(select(Module)).all() == course(db, "DEH-B").modules

    assert post(client, f"{AUTHOR}/DEH-B/delete", {"confirm": "y"}).status_code == 200
    assert course(db, "DEH-B") is not None


def test_a_course_with_enrolled_learners_is_not_deleted(client, db, world):
    from courses.services import enrol

    found = build_course(db)
    enrol(world.people["learner@r1"], found)
    db.session.commit()
    admin(client, world)
    assert post(client, f"{AUTHOR}/DEH-TEST/delete", {"confirm": "y"}).status_code == 200
    assert course(db, "DEH-TEST") is not None
