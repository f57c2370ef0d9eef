"""Learners' pages: the catalogue, enrolment, the course page with progress per module, lessons with
media players and transcripts, completion by "Mark as done" or by Next, resume, unlocking in order,
and the signals a completion sends."""

from __future__ import annotations

import re
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from courses import services
from courses.media import media_url
from courses.models import Enrolment, Item, ItemCompletion
from courses.signals import course_completed, item_completed, module_completed
from lms.testing import login, post

EN = {"Accept-Language": "en"}
PAGE_BUDGET = 50 * 1024  # HTML and CSS of one page
INLINE = re.compile(r"<script|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)
COURSE_ORDER = ("welcome", "lecture", "podcast", "checklist", "portal", "interview", "reading")
REQUIRED = ("welcome", "lecture", "podcast", "checklist", "portal")


class Tags(HTMLParser):
    """The elements of a page with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))

    @property
    def names(self) -> set[str]:
        return {name for name, _ in self.found}


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def learner(client, world):
    person = world.people["learner@r1"]
    login(client, person)
    return person


def enrol(db, user, course):
    enrolment = services.enrol(user, course)
    db.session.commit()
    return enrolment


def enrolment_of(db, user, course):
    db.session.expire_all()
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )


def done_keys(db, user, course) -> set[str]:
    enrolment = enrolment_of(db, user, course)
    if enrolment is None:
        return set()
    return set(
        db.session.scalars(
            select(Item.key).join(ItemCompletion).where(ItemCompletion.enrolment_id == enrolment.id)
        )
    )


def lesson(code: str, key: str, action: str = "") -> str:
    return f"/courses/{code}/items/{key}" + (f"/{action}" if action else "")


def _describe(value):
    """What a signal's argument is, read while the request that sent it is still open."""
    if isinstance(value, Enrolment):
        return ("enrolment", value.user_id, value.course.code)
    return None if value is None else value.key


@contextmanager
def received(app, *signals):
    """Collect what ``signals`` send while the block runs: a list of (signal name, {argument: key})."""
    calls: list[tuple[str, dict]] = []
    receivers = []
    for signal in signals:

        def receiver(sender, signal=signal, **kwargs):
            assert sender is app
            calls.append((signal.name, {name: _describe(value) for name, value in kwargs.items()}))

        receivers.append(receiver)
        signal.connect(receiver, sender=app)
    try:
        yield calls
    finally:
        for signal, receiver in zip(signals, receivers, strict=True):
            signal.disconnect(receiver, sender=app)


# --- the catalogue and enrolment ------------------------------------------------------------------


def test_the_catalogue_shows_open_courses_and_closed_ones_only_to_those_enrolled(
    client, db, make_course, learner, world
):
    make_course("OPEN-1")
    make_course("DRAFT-1", published=False)
    make_course("CLOSED-1", is_open=False)
    closed = make_course("CLOSED-2", is_open=False)
    enrol(db, learner, closed)
    page = text(client.get("/courses/"))
    assert 'href="/courses/OPEN-1"' in page
    assert 'href="/courses/CLOSED-2"' in page
    assert "DRAFT-1" not in page
    assert "CLOSED-1" not in page
    # only the open course the learner is not in offers an Enrol button
    assert re.findall(r'action="(/courses/[^"]+/enrol)"', page) == ["/courses/OPEN-1/enrol"]


def test_authors_find_authoring_from_the_catalogue(app, client, make_course, world):
    login(client, world.people["learner@r1"])
    assert 'href="/courses/author/"' not in text(client.get("/courses/"))
    author = app.test_client()
    login(author, world.people["admin@r1"])
    assert '<p><a href="/courses/author/">' in text(author.get("/courses/"))


def test_the_catalogue_shows_hours_credits_language_status_and_progress(client, db, make_course, learner):
    course = make_course("OPEN-1")
    enrolment = enrol(db, learner, course)
    services.complete_item(enrolment, next(item for item in course.items if item.key == "welcome"))
    db.session.commit()
    page = text(client.get("/courses/", headers=EN))
    assert "Course OPEN-1" in page and "A short summary." in page
    assert "12 h" in page and "ECTS credits" in page and "0.5" in page
    assert "Українська" in page
    assert '<dd class="course-status">Enrolled</dd>' in page
    assert f'<progress id="progress-{course.id}" max="5" value="1"></progress>' in page
    assert "1 of 5 done" in page


def test_a_learner_enrols_in_an_open_course_from_the_catalogue(client, db, make_course, learner):
    course = make_course("OPEN-1")
    response = post(client, "/courses/OPEN-1/enrol")
    assert response.status_code == 302
    assert response.location == "/courses/OPEN-1"
    assert enrolment_of(db, learner, course) is not None
    assert post(client, "/courses/OPEN-1/enrol").status_code == 302  # enrolling again changes nothing
    assert db.session.scalar(select(Enrolment.id).where(Enrolment.course_id == course.id)) is not None
    page = text(client.get("/courses/", headers=EN))
    assert '<dd class="course-status">Enrolled</dd>' in page
    assert 'action="/courses/OPEN-1/enrol"' not in page


def test_nobody_enrols_themselves_in_a_closed_course_a_draft_or_an_unknown_one(
    client, db, make_course, learner
):
    closed = make_course("CLOSED-1", is_open=False)
    draft = make_course("DRAFT-1", published=False)
    assert post(client, "/courses/CLOSED-1/enrol").status_code == 403
    assert post(client, "/courses/DRAFT-1/enrol").status_code == 404
    assert post(client, "/courses/NO-SUCH/enrol").status_code == 404
    assert enrolment_of(db, learner, closed) is None and enrolment_of(db, learner, draft) is None


def test_enrolling_needs_a_login(client, make_course):
    make_course("OPEN-1")
    assert post(client, "/courses/OPEN-1/enrol").status_code == 401
    assert client.get("/courses/OPEN-1").location.startswith("/login")


# --- who sees a course page ---------------------------------------------------------------------


def test_drafts_and_unknown_codes_are_not_found_and_closed_courses_are_forbidden(
    client, db, make_course, learner
):
    make_course("DRAFT-1", published=False)
    closed = make_course("CLOSED-1", is_open=False)
    make_course("OPEN-1")
    assert client.get("/courses/DRAFT-1").status_code == 404
    assert client.get(lesson("DRAFT-1", "welcome")).status_code == 404
    assert client.get("/courses/NO-SUCH").status_code == 404
    assert client.get(lesson("NO-SUCH", "welcome")).status_code == 404
    assert client.get(lesson("OPEN-1", "no-such-item")).status_code == 404
    assert client.get("/courses/CLOSED-1").status_code == 403
    assert client.get(lesson("CLOSED-1", "welcome")).status_code == 403
    enrol(db, learner, closed)
    assert client.get("/courses/CLOSED-1").status_code == 200
    assert client.get(lesson("CLOSED-1", "welcome")).status_code == 200


def test_a_lesson_of_an_open_course_sends_a_visitor_not_enrolled_to_the_enrol_button(
    client, db, make_course, learner
):
    course = make_course("OPEN-1")
    response = client.get(lesson("OPEN-1", "welcome"))
    assert response.status_code == 302 and response.location == "/courses/OPEN-1"
    assert enrolment_of(db, learner, course) is None  # visiting never enrols
    page = text(client.get("/courses/OPEN-1"))
    assert 'action="/courses/OPEN-1/enrol"' in page
    assert 'href="/courses/OPEN-1/items/' not in page  # lessons are listed, not linked


def test_an_author_previews_a_draft_without_enrolling(client, db, make_course, world):
    course = make_course("DRAFT-1", published=False)
    admin = world.people["admin@r1"]
    login(client, admin)
    page = text(client.get("/courses/DRAFT-1"))
    assert 'href="/courses/DRAFT-1/items/welcome"' in page
    preview = client.get(lesson("DRAFT-1", "welcome"))
    assert preview.status_code == 200
    assert "/complete" not in text(preview) and "/next" not in text(preview)
    assert enrolment_of(db, admin, course) is None


# --- progress and completion ----------------------------------------------------------------------


def test_the_course_page_shows_progress_per_module_and_the_state_of_each_item(
    client, db, make_course, learner
):
    course = make_course("OPEN-1")
    enrolment = enrol(db, learner, course)
    items = {item.key: item for item in course.items}
    for key in ("welcome", "lecture", "checklist"):
        services.complete_item(enrolment, items[key])
    db.session.commit()
    basics, practice, further = course.modules
    page = text(client.get("/courses/OPEN-1", headers=EN))
    assert f'<progress id="progress-{basics.id}" max="3" value="2"></progress>' in page
    assert f'<progress id="progress-{practice.id}" max="2" value="1"></progress>' in page
    assert f'<progress id="progress-{further.id}" max="1" value="0"></progress>' in page
    assert f'<label for="progress-{basics.id}">2 of 3 done' in page
    assert '<progress id="course-progress" max="5" value="3"></progress>' in page  # optional module left out
    assert "3 of 5 required items done" in page
    assert page.count('<strong class="course-done">done</strong>') == 3
    assert "(Video)" in page and "(Audio)" in page and "(File)" in page and "(Link)" in page
    assert "course-completed" not in page


def test_mark_as_done_records_the_item_and_announces_it_once(app, client, db, make_course, learner):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    page = text(client.get(lesson("OPEN-1", "lecture")))
    assert 'action="/courses/OPEN-1/items/lecture/complete"' in page
    with received(app, item_completed, module_completed, course_completed) as calls:
        response = post(client, lesson("OPEN-1", "lecture", "complete"))
        assert response.status_code == 302 and response.location == lesson("OPEN-1", "lecture")
        assert post(client, lesson("OPEN-1", "lecture", "complete")).status_code == 302
    assert [(name, kwargs["item"]) for name, kwargs in calls] == [("courses.item-completed", "lecture")]
    assert done_keys(db, learner, course) == {"lecture"}
    page = text(client.get(lesson("OPEN-1", "lecture")))
    assert "/items/lecture/complete" not in page
    assert 'class="course-done"' in page


def test_next_completes_an_item_completed_by_next_and_opens_the_following_one(
    client, db, make_course, learner
):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    page = text(client.get(lesson("OPEN-1", "welcome")))
    assert 'action="/courses/OPEN-1/items/welcome/next"' in page
    assert "/items/welcome/complete" not in page  # no "Mark as done" where Next completes
    response = post(client, lesson("OPEN-1", "welcome", "next"))
    assert response.status_code == 302 and response.location == lesson("OPEN-1", "lecture")
    assert done_keys(db, learner, course) == {"welcome"}


def test_next_on_an_item_completed_by_its_button_only_moves_on(client, db, make_course, learner):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    page = text(client.get(lesson("OPEN-1", "lecture")))
    assert 'rel="next" href="/courses/OPEN-1/items/podcast"' in page
    assert 'rel="prev" href="/courses/OPEN-1/items/welcome"' in page
    response = post(client, lesson("OPEN-1", "lecture", "next"))
    assert response.location == lesson("OPEN-1", "podcast")
    assert done_keys(db, learner, course) == set()


def test_lessons_link_to_the_previous_and_next_item_across_modules(client, db, make_course, learner):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    for before, key, after in zip(COURSE_ORDER, COURSE_ORDER[1:], COURSE_ORDER[2:], strict=False):
        page = text(client.get(lesson("OPEN-1", key)))
        assert f'href="/courses/OPEN-1/items/{before}"' in page, key
        following = f'rel="next" href="/courses/OPEN-1/items/{after}"'
        assert following in page or f'action="/courses/OPEN-1/items/{key}/next"' in page, key
    last = text(client.get(lesson("OPEN-1", "reading")))
    assert 'href="/courses/OPEN-1"' in last  # back to the course at the end
    assert done_keys(db, learner, course) == set()


def test_the_course_page_resumes_where_the_learner_left_off(client, db, make_course, learner):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    start = text(client.get("/courses/OPEN-1", headers=EN))
    assert f'<a class="button" href="{lesson("OPEN-1", "welcome")}">Start the course</a>' in start
    client.get(lesson("OPEN-1", "podcast"))
    assert enrolment_of(db, learner, course).last_item_id == next(
        item.id for item in course.items if item.key == "podcast"
    )
    page = text(client.get("/courses/OPEN-1", headers=EN))
    assert f'<a class="button" href="{lesson("OPEN-1", "podcast")}">Continue where you left off</a>' in page
    post(client, lesson("OPEN-1", "podcast", "complete"))
    page = text(client.get("/courses/OPEN-1", headers=EN))
    assert f'href="{lesson("OPEN-1", "checklist")}">Continue where you left off' in page


def test_modules_unlock_in_order(client, db, make_course, learner):
    course = make_course("ORDER-1", unlock_in_order=True)
    enrol(db, learner, course)
    page = text(client.get("/courses/ORDER-1"))
    assert page.count('class="course-locked"') == 2  # practice and further wait for basics
    assert 'href="/courses/ORDER-1/items/checklist"' not in page
    locked = text(client.get(lesson("ORDER-1", "checklist")))
    assert "course-locked" in locked
    assert "/courses/media/" not in locked and "/complete" not in locked
    assert post(client, lesson("ORDER-1", "checklist", "complete")).status_code == 302
    assert post(client, lesson("ORDER-1", "portal", "next")).status_code == 302
    assert done_keys(db, learner, course) == set()  # nothing in a locked module counts
    for key in ("lecture", "podcast"):
        post(client, lesson("ORDER-1", key, "complete"))
    post(client, lesson("ORDER-1", "welcome", "next"))
    page = text(client.get("/courses/ORDER-1"))
    assert page.count('class="course-locked"') == 1  # practice opened; further waits for practice
    assert 'href="/courses/ORDER-1/items/checklist"' in page
    assert "/courses/media/" in text(client.get(lesson("ORDER-1", "checklist")))


def test_completing_the_course_fires_each_signal_once_and_lands_on_course_completed(
    app, client, db, make_course, learner
):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    with received(app, item_completed, module_completed, course_completed) as calls:
        for key in ("welcome", "lecture", "podcast", "checklist"):
            action = "next" if key == "welcome" else "complete"
            assert post(client, lesson("OPEN-1", key, action)).status_code == 302
        assert enrolment_of(db, learner, course).completed_at is None
        last = post(client, lesson("OPEN-1", "portal", "next"))
        assert last.status_code == 302 and last.location == "/courses/OPEN-1"
        # again, and an optional item afterwards: nothing more is announced for the course
        post(client, lesson("OPEN-1", "portal", "next"))
        post(client, lesson("OPEN-1", "reading", "complete"))
    names = [name for name, _ in calls]
    assert names.count("courses.item-completed") == 6
    assert [kwargs["module"] for name, kwargs in calls if name == "courses.module-completed"] == [
        "basics",
        "practice",
        "further",
    ]
    assert names.count("courses.course-completed") == 1
    (completed,) = [kwargs for name, kwargs in calls if name == "courses.course-completed"]
    assert completed == {"enrolment": ("enrolment", learner.id, "OPEN-1"), "cohort": None, "member": None}
    assert enrolment_of(db, learner, course).completed_at is not None
    page = text(client.get("/courses/OPEN-1", headers=EN))
    assert 'class="msg success course-completed"' in page and "Course completed" in page
    assert re.search(r"Finished on \w+\s\d{1,2},\s\d{4}: you have done every required item", page)  # a date
    ukrainian = text(client.get("/courses/OPEN-1", headers={"Accept-Language": "uk"}))
    assert re.search(r"Завершено \d{1,2}\s[а-яії]+\s\d{4}\sр\.: ви виконали", ukrainian)
    catalogue = text(client.get("/courses/", headers=EN))
    assert '<dd class="course-status">Completed</dd>' in catalogue


def test_mark_as_done_on_the_last_required_item_lands_on_the_course_page(client, db, make_course, learner):
    course = make_course("OPEN-1")
    enrolment = enrol(db, learner, course)
    for item in course.items:
        if item.key in REQUIRED and item.key != "checklist":
            services.complete_item(enrolment, item)
    db.session.commit()
    response = post(client, lesson("OPEN-1", "checklist", "complete"))
    assert response.location == "/courses/OPEN-1"
    assert "course-completed" in text(client.get("/courses/OPEN-1"))


def test_a_learner_cannot_complete_an_item_of_a_course_they_are_not_enrolled_in(
    client, db, make_course, learner, world
):
    course = make_course("OPEN-1")
    other = make_course("OTHER-1")
    enrol(db, learner, other)
    assert post(client, lesson("OPEN-1", "lecture", "complete")).status_code == 403
    assert post(client, lesson("OPEN-1", "welcome", "next")).status_code == 403
    assert enrolment_of(db, learner, course) is None
    assert done_keys(db, learner, other) == set()
    # another person's enrolment is not the learner's either
    enrol(db, world.people["learner@r2"], course)
    assert post(client, lesson("OPEN-1", "lecture", "complete")).status_code == 403
    assert done_keys(db, world.people["learner@r2"], course) == set()


def test_completing_an_unknown_item_or_course_is_not_found(client, db, make_course, learner):
    course = make_course("OPEN-1")
    make_course("DRAFT-1", published=False)
    enrol(db, learner, course)
    assert post(client, lesson("OPEN-1", "no-such", "complete")).status_code == 404
    assert post(client, lesson("OPEN-1", "no-such", "next")).status_code == 404
    assert post(client, lesson("NO-SUCH", "welcome", "complete")).status_code == 404
    assert post(client, lesson("DRAFT-1", "welcome", "complete")).status_code == 404
    assert client.get(lesson("OPEN-1", "reading", "complete")).status_code == 405


# --- lesson content -------------------------------------------------------------------------------


def test_lessons_show_players_with_captions_transcripts_downloads_and_links(
    app, client, db, make_course, learner
):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    items = {item.key: item for item in course.items}
    with app.test_request_context():
        video, captions = media_url(items["lecture"].media), media_url(items["lecture"].captions)
        audio, pdf = media_url(items["podcast"].media), media_url(items["checklist"].media)

    page = text(client.get(lesson("OPEN-1", "lecture")))
    assert '<video class="course-player" controls preload="metadata">' in page
    assert f'<source src="{video}" type="video/webm">' in page
    assert f'<track kind="captions" src="{captions}" srclang="uk" label="Українська" default>' in page
    assert '<details class="course-transcript" open>' in page and "What is said in lecture." in page
    assert client.get(video).status_code == 200
    assert client.get(captions).headers["Content-Type"].startswith("text/vtt")

    page = text(client.get(lesson("OPEN-1", "podcast")))
    assert '<audio class="course-audio" controls preload="none">' in page
    assert f'<source src="{audio}" type="audio/mpeg">' in page
    assert "The podcast, in words." in page

    page = text(client.get(lesson("OPEN-1", "checklist"), headers=EN))
    assert f'<a href="{pdf}" download>Download “checklist.pdf”</a>' in page
    assert "(PDF, 1 KB)" in page and "Print it out." in page

    page = text(client.get(lesson("OPEN-1", "portal")))
    assert '<a href="https://diia.gov.ua/" rel="noopener">' in page

    page = text(client.get(lesson("OPEN-1", "interview")))
    assert '<a class="button" href="https://example.org/interview" rel="noopener">' in page
    assert "<video" not in page and "The interview, word for word." in page

    page = text(client.get(lesson("OPEN-1", "welcome")))
    assert '<div class="course-text" lang="uk"><h2>welcome</h2>' in page
    assert "<strong>welcome</strong>" in page


def test_author_content_is_inert(client, db, make_course, learner):
    course = make_course("OPEN-1")
    items = {item.key: item for item in course.items}
    items["welcome"].body = (
        "<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
        '<img src=x onerror="alert(3)">\n\n<svg onload="alert(4)"></svg>'
    )
    items["portal"].url = "javascript:alert(5)"
    items["interview"].url = "JaVaScRiPt:alert(6)"
    items["lecture"].transcript = "<iframe src='https://evil.example'></iframe>"
    db.session.commit()
    enrol(db, learner, course)
    for key in ("welcome", "portal", "interview", "lecture"):
        tags = Tags()
        tags.feed(text(client.get(lesson("OPEN-1", key))))
        assert tags.names.isdisjoint({"script", "svg", "iframe", "img"}), key
        for name, attributes in tags.found:
            for attribute, value in attributes:
                assert not attribute.startswith("on"), (key, name, attribute)
                assert not (value or "").strip().lower().startswith("javascript:"), (key, name, attribute)


def test_learner_pages_are_light_and_need_no_inline_script_or_style(client, db, make_course, learner):
    make_course("OPEN-1")
    for number in range(2, 8):
        make_course(f"OPEN-{number}")
    enrol(db, learner, make_course("MINE-1"))
    css = client.get("/static/kaskad.css").data
    paths = ["/courses/", "/courses/OPEN-1", "/courses/MINE-1"]
    paths += [lesson("MINE-1", key) for key in COURSE_ORDER]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = text(response)
        assert len(response.data) + len(css) <= PAGE_BUDGET, path
        assert not INLINE.search(html), path
        assert html.count("<h1") == 1, path
        assert response.headers["Cache-Control"] == "private, no-store", path


# --- the cached outline and lesson content stay true to the database --------------------------------


def test_a_lesson_shows_an_edit_of_its_item_and_module_at_once(client, db, make_course, learner):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    url = f"/courses/{course.code}/items/welcome"
    assert "welcome title" in text(client.get(url))  # the outline and the content are now cached
    item = db.session.scalar(select(Item).where(Item.key == "welcome"))
    item.title = {"uk": "Нова назва"}
    item.body = "Оновлений **текст** уроку."
    item.module.title = {"uk": "Перейменований модуль"}
    db.session.commit()
    page = text(client.get(url))
    assert "Нова назва" in page and "Оновлений <strong>текст</strong> уроку." in page
    assert "Перейменований модуль" in page


def test_a_new_item_and_a_deleted_one_change_the_lesson_pager_at_once(client, db, make_course, learner):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    assert "lecture title" in text(client.get(f"/courses/{course.code}/items/welcome"))
    lecture = db.session.scalar(select(Item).where(Item.key == "lecture"))
    module = lecture.module
    db.session.delete(lecture)
    module.items.insert(1, Item(key="extra", kind="text", title={"uk": "Додатковий урок"}, body="Текст."))
    db.session.commit()
    page = text(client.get(f"/courses/{course.code}/items/welcome"))
    assert "Додатковий урок" in page and "lecture title" not in page
    assert client.get(f"/courses/{course.code}/items/lecture").status_code == 404
    assert client.get(f"/courses/{course.code}/items/extra").status_code == 200


def test_unpublishing_a_course_hides_its_lessons_at_once(client, db, make_course, learner):
    course = make_course("OPEN-1")
    enrol(db, learner, course)
    assert client.get(f"/courses/{course.code}/items/welcome").status_code == 200
    course.status = "draft"
    db.session.commit()
    assert client.get(f"/courses/{course.code}/items/welcome").status_code == 404


def test_the_fragment_store_keeps_within_its_size_and_forgets_the_least_recently_used():
    from lms.fragments import FragmentStore

    store = FragmentStore(max_characters=800)
    store.put("a", "x" * 90)
    store.put("b", "y" * 90)
    assert store.get("a") == "x" * 90  # "a" is now the most recently used
    for index in range(8):
        store.put(("c", index), "z" * 90)
    assert store.get("a") is None or store.get("b") is None
    assert sum(len(store.get(key) or "") for key in ["a", "b", *[("c", i) for i in range(8)]]) <= 800
    store.put("huge", "h" * 500)  # more than an eighth of the store: not kept
    assert store.get("huge") is None


def test_a_kept_lesson_carries_each_learners_own_form_token(app, client, db, make_course, world):
    """The second learner is served the kept piece: its "Mark as done" form must still work for her."""
    course = make_course("OPEN-1")
    field = re.compile(r'name="csrf_token" value="([^"]+)"')
    tokens = []
    for person in (world.people["learner@r1"], world.people["learner@r2"]):
        browser = app.test_client()
        login(browser, person)
        enrol(db, person, course)
        page = text(browser.get(f"/courses/{course.code}/items/lecture"))
        assert "\x00" not in page
        token = field.findall(page)[-1]  # the "Mark as done" form's
        tokens.append(token)
        response = browser.post(f"/courses/{course.code}/items/lecture/complete", data={"csrf_token": token})
        assert response.status_code == 302
    assert tokens[0] != tokens[1]
    assert len(app.jinja_env.fragment_store) >= 1  # the lesson was kept


def test_with_the_caches_switched_off_a_lesson_is_the_same_page_and_nothing_is_kept(
    app, client, db, make_course, learner
):
    """LMS_FRAGMENT_CACHE and COURSES_OUTLINE_CACHE off (the benchmark's "without" servers)."""
    from courses import outline

    course = make_course("OPEN-1")
    enrol(db, learner, course)
    url = f"/courses/{course.code}/items/welcome"
    kept = text(client.get(url))
    app.config.update(LMS_FRAGMENT_CACHE=False, COURSES_OUTLINE_CACHE=False)
    app.jinja_env.fragment_store.clear()
    outline._cache.clear()
    fresh = text(client.get(url))
    assert len(app.jinja_env.fragment_store) == 0 and len(outline._cache) == 0
    field = re.compile(r'name="csrf_token" value="[^"]+"')
    assert field.sub("", fresh) == field.sub("", kept)
