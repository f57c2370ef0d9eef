"""Four complete catalogs, fresh compiled files, and no visible text that bypasses gettext."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from lms import catalogs
from lms.i18n import LOCALE_NAMES
from lms.testing import login, post

PSEUDO = "eo"  # a locale Babel knows that no real catalog uses
OPEN, CLOSE = "⟦", "⟧"


@pytest.mark.parametrize("package", catalogs.PACKAGES)
def test_catalogs_are_complete_fresh_and_well_formed(package):
    assert list(catalogs.problems(package)) == []


def test_a_new_message_is_left_for_the_translators_of_every_locale_but_english(tmp_path, monkeypatch):
    """English fills itself from the source; Ukrainian, Finnish and Swedish wait for a translator
    (the English text used to leak into the catalogs updated after the English one)."""
    template = Catalog(project="Kaskad", charset="utf-8")
    template.add("A new message", None, [("demo/x.py", 1)])
    monkeypatch.setattr(catalogs, "extract", lambda package: template)
    monkeypatch.setattr(catalogs, "translations_dir", lambda package: tmp_path)

    catalogs.update("demo")

    strings = {locale: catalogs.read("demo", locale)["A new message"].string for locale in catalogs.LOCALES}
    assert strings == {"uk": "", "en": "A new message", "fi": "", "sv": ""}


# Strings that really read the same as the English: codes, names, file formats, and texts that are
# only placeholders. Nothing else may stay English in a translated catalog (a bug once copied the
# English into the Finnish and Swedish catalogs, which then passed for translated).
SAME_IN_EVERY_LANGUAGE = {"Kaskad", "CSV", "XLSX", "PDF", "OK", "Aiken", "GIFT (Moodle)", "HTML", "Markdown"}
# Words spelled in the language exactly as in English (checked with a speaker's dictionary).
SAME_IN = {
    "fi": {"Video"},
    "sv": {
        "Administration",
        "Institution",
        "Organisation",
        "Period",
        "Person",
        "Quiz",
        "Region",
        "Status",
        "Text",
        "Version",
        "Version %(number)s",
        "Video",
        "%(size)s MB",
    },
}
PLACEHOLDERS_ONLY = re.compile(r"(?:%\(\w+\)[sd]|[\s,.:;·—–()/-])*")


def _same_as_english(message) -> bool:
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = [
        text for text in (message.string if isinstance(message.string, tuple) else (message.string,)) if text
    ]
    return bool(strings) and all(string in ids for string in strings)  # an empty one is untranslated


@pytest.mark.parametrize("locale", ["uk", "fi", "sv"])
@pytest.mark.parametrize("package", catalogs.PACKAGES)
def test_no_translation_is_a_copy_of_the_english(package, locale):
    allowed = SAME_IN_EVERY_LANGUAGE | SAME_IN.get(locale, set())
    copies = [
        message.id
        for message in catalogs.read(package, locale)
        if message.id
        and _same_as_english(message)
        and not (
            isinstance(message.id, str) and (message.id in allowed or PLACEHOLDERS_ONLY.fullmatch(message.id))
        )
    ]
    assert copies == []


def test_a_copied_english_string_is_caught():
    from babel.messages.catalog import Message

    assert _same_as_english(Message("Absent", "Absent"))
    assert _same_as_english(
        Message(("%(num)s cohort", "%(num)s cohorts"), ("%(num)s cohort", "%(num)s cohorts"))
    )
    assert not _same_as_english(Message("Absent", "Poissa"))
    assert not _same_as_english(
        Message(("%(num)s person", "%(num)s people"), ("%(num)s person", "%(num)s personer"))
    )
    assert PLACEHOLDERS_ONLY.fullmatch("%(day)s, %(times)s · %(cohort)s")
    assert not PLACEHOLDERS_ONLY.fullmatch("%(size)s MB")


def test_ukrainian_catalog_has_three_plural_forms():
    catalog = catalogs.read("lms", "uk")
    assert catalog.num_plurals == 3
    plural = next(message for message in catalog if message.pluralizable)
    assert len(plural.string) == 3 and all(plural.string)


def test_plural_forms_follow_ukrainian_rules(app, client):
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale("uk"):
        forms = [ngettext("%(num)d row imported", "%(num)d rows imported", n) for n in (1, 3, 5, 21, 22, 25)]
    assert len({forms[0], forms[1], forms[2]}) == 3  # one, few, many differ
    assert forms[3].endswith(forms[0].split(" ", 1)[1])  # 21 takes the "one" form
    assert forms[4].endswith(forms[1].split(" ", 1)[1])  # 22 takes the "few" form


# --- pseudo-locale: every visible string passed through gettext --------------------------------------


def _pseudo_catalogs(folder: Path) -> None:
    """Compile a catalog where every message reads ⟦message⟧, for all packages together."""
    catalog = Catalog(locale=PSEUDO)
    for package in catalogs.PACKAGES:
        for message in catalogs.extract(package):
            if not message.id:
                continue
            if message.pluralizable:
                string = tuple(OPEN + text + CLOSE for text in message.id)
            else:
                string = OPEN + message.id + CLOSE
            catalog.add(message.id, string)
    target = folder / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)


@pytest.fixture
def app_config(app_config, tmp_path):
    _pseudo_catalogs(tmp_path)
    core = catalogs.translations_dir("lms")
    return {
        **app_config,
        "BABEL_TRANSLATION_DIRECTORIES": f"{tmp_path};{core}",
        "LMS_LOCALES": (*app_config["LMS_LOCALES"], PSEUDO),
    }


class VisibleText(HTMLParser):
    """Collects text a person sees or hears: text nodes and the attributes read aloud. Code, and what
    authors wrote (lesson texts in ``div.course-text``), are data and skipped."""

    ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skipped: str | None = None  # the tag whose content is being skipped
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if self._skipped:
            self._depth += tag == self._skipped
            return
        if tag in ("script", "style", "code") or "course-text" in (values.get("class") or "").split():
            self._skipped, self._depth = tag, 1
            return
        for name in self.ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.texts.append(values["value"])

    def handle_endtag(self, tag):
        if self._skipped and tag == self._skipped:
            self._depth -= 1
            if not self._depth:
                self._skipped = None

    def handle_data(self, data):
        if not self._skipped and data.strip():
            self.texts.append(data)


def untranslated(html: str, data: list[str]) -> list[str]:
    """Visible text left after removing gettext output (⟦…⟧), known data and numbers."""
    parser = VisibleText()
    parser.feed(html)
    leftovers = []
    for text in parser.texts:
        text = re.sub(f"{OPEN}.*?{CLOSE}", " ", text, flags=re.S)
        text = re.sub(r"\d{4}-\w{3,5}-\d{1,2}", " ", text)  # dates formatted by Babel for the locale
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        if re.sub(r"[\s\d.,:;·—–()/«»\"'’ʼ+%|@<>&‹›←→-]+", "", text):
            leftovers.append(text.strip())
    return leftovers


PAGES = [
    "/",
    "/profile",
    "/password",
    "/orgs/",
    "/orgs/{hub}",
    "/orgs/{hub}/edit",
    "/orgs/{hub}/move",
    "/orgs/new",
    "/orgs/import",
    "/people",
    "/people/{learner}",
    "/people/{learner}/edit",
    "/people/new",
    "/people/invite",
    "/people/import",
    "/target-groups",
    "/target-groups/new",
    "/audit/",
    "/courses/",
    "/courses/DEH-COORD",
    "/courses/DEH-COORD/items/framework-video",
    "/courses/DEH-COORD/items/cyber-podcast",
    "/courses/author/",
    "/courses/author/new",
    "/courses/author/DEH-COORD",
    "/courses/author/DEH-COORD/edit",
    "/courses/author/DEH-COORD/modules/{module}/edit",
    "/courses/author/DEH-COORD/items/{item}/edit",
    "/courses/frameworks/",
    "/courses/frameworks/{framework}",
    "/courses/frameworks/import",
    "/courses/frameworks/profiles/",
    "/courses/frameworks/profiles/{profile}",
    "/courses/questions/",
    "/courses/questions/import",
    "/courses/questions/new",
    "/courses/quizzes/grading",
    "/courses/quizzes/items/{quiz_item}/settings",
    "/courses/DEH-COORD/items/final-quiz",
    "/competences/",
    "/certificates/",
    "/certificates/issue",
    "/certificates/jobs",
    "/no-such-page",
]


def test_every_visible_string_passes_through_gettext(client, world):
    admin = world.people["admin@root"]
    data = [*LOCALE_NAMES.values(), "Kaskad", "0.1.0"]
    for person in world.people.values():
        data += [person.full_name, person.email, person.given_name, person.surname]
    for organisation in world.orgs.values():
        data += [
            organisation.code,
            str(organisation.name.in_locale("uk")),
            str(organisation.name.in_locale("en")),
        ]
    data += ["UA-18", "HUB-18-001"]
    from lms.accounts.services import target_groups

    data += [str(group.name.in_locale("uk")) for group in target_groups()]
    data += [job_name for job_name in _job_names()]
    course = _shipped_course()
    data += _course_data(course)
    data += _competence_data()

    visitor_pages = {
        "/": client.get("/"),
        "/login": client.get("/login"),
        "/password/reset": client.get("/password/reset"),
    }
    post(client, "/locale", {"locale": PSEUDO})
    visitor_pages = {path: client.get(path) for path in visitor_pages}
    login(client, admin)
    post(client, "/locale", {"locale": PSEUDO})
    ids = {
        "hub": world.orgs["hub@r1"].id,
        "learner": world.people["learner@r1"].id,
        "module": course.modules[0].id,
        "item": course.modules[0].items[0].id,
        "quiz_item": course.modules[-1].items[0].id,
        "framework": _first_framework_id(),
        "profile": _first_profile_id(),
    }
    pages = {path: client.get(path.format(**ids)) for path in PAGES}
    problems = {}
    for path, response in {**visitor_pages, **pages}.items():
        html = response.get_data(as_text=True)
        assert f'lang="{PSEUDO}"' in html, path
        leftovers = untranslated(html, data)
        if leftovers:
            problems[path] = leftovers
    assert problems == {}, "\n".join(f"{path}: {texts}" for path, texts in problems.items())


def _shipped_course():
    """The coordinator course, imported from its package (its texts are data, not UI)."""
    from pathlib import Path

    import courses
    from courses.packages import import_packages
    from lms.extensions import db

    (imported,) = import_packages([Path(courses.__file__).parent / "content" / "hub-coordinator"])
    db.session.commit()
    return imported.course


def _course_data(course) -> list[str]:
    data = [course.code, *course.title.values(), *course.summary.values()]
    for module in course.modules:
        data += [module.key, *module.title.values()]
        for item in module.items:
            data += [item.key, *item.title.values(), item.url, item.body, item.transcript]
            data += [media.filename for media in (item.media, item.captions) if media]
            data += [media.filename.rsplit(".", 1)[-1].upper() for media in (item.media,) if media]
    return [text for text in data if text]


def _competence_data() -> list[str]:
    """Frameworks, competences, levels, profiles and bank categories: data in their own languages."""
    from sqlalchemy import select

    from courses.frameworks.models import Competence, Framework, MinimumProfile, ProficiencyLevel
    from courses.questions.models import QuestionCategory
    from lms.extensions import db

    data: list[str] = []
    for model, names in (
        (Framework, ("shortname", "description")),
        (Competence, ("shortname", "description")),
        (ProficiencyLevel, ("name",)),
        (MinimumProfile, ("name",)),
    ):
        for row in db.session.scalars(select(model)):
            for name in names:
                data += [text for text in getattr(row, name).values() if text]
    data += [text for row in db.session.scalars(select(Framework)) for text in (row.idnumber, row.taxonomy)]
    data += [row.code for row in db.session.scalars(select(MinimumProfile))]
    data += [row.idnumber for row in db.session.scalars(select(Competence))]
    for category in db.session.scalars(select(QuestionCategory)):
        data += [category.name, category.path]
    return data


def _first_framework_id() -> int:
    from sqlalchemy import select

    from courses.frameworks.models import Framework
    from lms.extensions import db

    return db.session.scalar(select(Framework.id).order_by(Framework.idnumber).limit(1))


def _first_profile_id() -> int:
    from sqlalchemy import select

    from courses.frameworks.models import MinimumProfile
    from lms.extensions import db

    return db.session.scalar(select(MinimumProfile.id).order_by(MinimumProfile.code).limit(1))


def _job_names() -> list[str]:
    from lms.accounts.services import jobs

    return [str(job.name.in_locale("uk")) for job in jobs()]


@pytest.mark.parametrize("locale", sorted(LOCALE_NAMES))
def test_the_number_and_percent_filters_write_what_flask_babel_writes(app, locale):
    """The template filters read the locale the cheap way and skip Babel's pattern for small counts:
    the text is Flask-Babel's in every locale, also inside force_locale."""
    from flask_babel import force_locale, format_decimal, format_percent

    values = [0, 7, 999, 1000, 12345, -3, 2.5, 1234.5678]
    template = app.jinja_env.from_string(
        "{% for v in values %}{{ v|number }}|{{ v|number('#,##0.0') }}|{{ (v / 100)|percent }};{% endfor %}"
    )
    with app.test_request_context(), force_locale(locale):
        expected = "".join(
            f"{format_decimal(v)}|{format_decimal(v, '#,##0.0')}|{format_percent(v / 100)};" for v in values
        )
        assert template.render(values=values) == expected


def test_template_gettext_formats_and_escapes_as_jinjas_new_style(app):
    """The template's ``_``, ``gettext`` and ``ngettext`` are one call each, and still behave as
    Jinja's new-style gettext: the text is a format string ("%%" is "%"), values are escaped where the
    template autoescapes and left alone where it does not (mail in plain text)."""
    from flask_babel import force_locale

    html = app.jinja_env.from_string(
        "{{ _('Page %(page)s of %(pages)s', page=2, pages='<b>') }}|{{ _('100%% sure') }}|{{ _('Log out') }}|"
        "{{ gettext('Log out') }}|{{ ngettext('%(num)d minute', '%(num)d minutes', 3) }}|"
        "{% autoescape false %}{{ _('Page %(page)s of %(pages)s', page=1, pages='<i>') }}{% endautoescape %}"
    )
    with app.test_request_context(), force_locale("en"):
        assert html.render() == "Page 2 of &lt;b&gt;|100% sure|Log out|Log out|3 minutes|Page 1 of <i>"
    with app.test_request_context(), force_locale("uk"):
        ukrainian = html.render().split("|")
        assert ukrainian[2] == ukrainian[3] == "Вийти"
        assert ukrainian[0].endswith("&lt;b&gt;") and ukrainian[4].startswith("3 ")


def test_lazy_texts_and_gettext_read_the_catalog_of_the_locale_in_force(app):
    """Flask-Babel's gettext and lazy_gettext go through Kaskad's domain, which keeps the catalog
    beside the locale: each text follows the locale in force, ``force_locale`` included."""
    from flask_babel import force_locale, get_domain, gettext, lazy_gettext

    from lms.i18n import CATALOGS

    label = lazy_gettext("Log out")
    with app.test_request_context(headers={"Accept-Language": "uk"}):
        assert get_domain() is CATALOGS
        assert str(label) == gettext("Log out") == "Вийти"
        with force_locale("en"):
            assert str(label) == "Log out"
            with force_locale("sv"):
                assert str(label) == gettext("Log out") != "Log out"
        assert str(label) == "Вийти"
    with app.app_context(), app.test_request_context(headers={"Accept-Language": "en"}):  # a new request
        assert str(label) == "Log out"
