"""Course packages: a folder or a .zip with course.yaml, Markdown and media. Import validates everything
first and names the file, line and field of every problem; a bad package changes nothing; a newer
version updates the course in place and keeps learners' progress; export is deterministic, so
import → export → import → export gives the same bytes; a .zip can never reach outside itself."""

from __future__ import annotations

import json
import stat
import struct
import zipfile
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from media_samples import wav_bytes
from sqlalchemy import func, select

from courses import packages
from courses.models import Course, Enrolment, Item, ItemCompletion, Media, Module, qualification
from courses.packages import PackageError, export_course, import_packages
from courses.services import by_code, complete_item, enrol

DATA = Path(__file__).parent / "data"
CONTENT = Path(packages.__file__).parent / "content"
SHIPPED = ("tot-regional-centres", "hub-coordinator")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "COURSES_MAX_MEDIA_MB": 1}


# --- tiny packages --------------------------------------------------------------------------------


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nВітаємо в курсі!\n".encode()

# Line numbers matter: the tests below refer to them.
MANIFEST = """\
code: PKG-TEST
version: 1
language: uk
title: {uk: "Тестовий курс", en: "A test course"}
summary: {uk: "Короткий опис.", en: "A short summary."}
hours: 2
ects: 0.5
enrolment: open
unlock_in_order: true
modules:
  - id: intro
    title: {uk: "Вступ"}
    items:
      - id: welcome
        kind: text
        title: {uk: "Вітаємо", en: "Welcome"}
        body: intro/welcome.md
        completion: next
      - id: podcast
        kind: audio
        title: {uk: "Подкаст"}
        media: media/podcast.wav
        transcript: intro/podcast-transcript.md
  - id: practice
    title: {uk: "Практика"}
    required: false
    items:
      - id: clip
        kind: video
        title: {uk: "Відео"}
        media: media/clip.webm
        captions: media/clip.vtt
        transcript: practice/clip-transcript.md
      - id: handout
        kind: file
        title: {uk: "Пам'ятка"}
        media: files/handout.pdf
        body: practice/handout.md
      - id: portal
        kind: link
        title: {uk: "Дія"}
        url: https://diia.gov.ua/
        required: false
"""


def package_files() -> dict[str, bytes]:
    return {
        "course.yaml": MANIFEST.encode(),
        "intro/welcome.md": "# Вітаємо\n\nЦе **перший** урок.\n".encode(),
        "intro/podcast-transcript.md": "Ведуча: добрий день!\n".encode(),
        "media/podcast.wav": wav_bytes(),
        "media/clip.webm": (DATA / "clip.webm").read_bytes(),
        "media/clip.vtt": VTT,
        "practice/clip-transcript.md": "Що сказано у відео.\n".encode(),
        "files/handout.pdf": PDF,
        "practice/handout.md": "Роздрукуйте.\n".encode(),
    }


def write_folder(root: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def write_zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def edited(**replacements: str) -> dict[str, bytes]:
    """The good package with course.yaml edited (old text → new text)."""
    files = package_files()
    text = MANIFEST
    for old, new in replacements.values():
        assert old in text, old
        text = text.replace(old, new, 1)
    files["course.yaml"] = text.encode()
    return files


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def counts(db) -> dict[str, int]:
    db.session.expire_all()
    tables = {
        "course": Course,
        "module": Module,
        "item": Item,
        "media": Media,
        "enrolment": Enrolment,
        "completion": ItemCompletion,
    }
    result = {
        name: db.session.scalar(select(func.count()).select_from(model)) for name, model in tables.items()
    }
    result["qualification"] = db.session.scalar(select(func.count()).select_from(qualification))
    return result


def media_files(app) -> set[str]:
    root = Path(app.config["COURSES_MEDIA_DIR"])
    return {path.name for path in root.iterdir()} if root.exists() else set()


def import_and_commit(db, *paths: Path):
    imported = import_packages(list(paths))
    db.session.commit()
    return imported


def problems_of(paths: list[Path]) -> list[str]:
    with pytest.raises(PackageError) as raised:
        import_packages(paths)
    return [str(problem) for _package, problem in raised.value.problems]


# --- importing ------------------------------------------------------------------------------------


def test_a_folder_package_becomes_a_published_course_with_every_kind_of_item(app, db, tmp_path):
    root = write_folder(tmp_path / "pkg", package_files())

    [result] = import_and_commit(db, root)

    assert result.created
    course = by_code("PKG-TEST")
    assert (course.version, course.status, course.language) == (1, "published", "uk")
    assert course.title == {"uk": "Тестовий курс", "en": "A test course"}
    assert (course.hours, course.ects, course.is_open, course.unlock_in_order) == (2, 0.5, True, True)
    assert [module.key for module in course.modules] == ["intro", "practice"]
    assert [module.is_required for module in course.modules] == [True, False]
    items = {item.key: item for item in course.items}
    assert [item.key for item in course.items] == ["welcome", "podcast", "clip", "handout", "portal"]
    assert items["welcome"].body.startswith("# Вітаємо") and items["welcome"].completion == "next"
    assert items["podcast"].media.content_type == "audio/wav"
    assert items["podcast"].transcript == "Ведуча: добрий день!\n"
    assert items["clip"].media.content_type == "video/webm"
    assert items["clip"].captions.content_type.startswith("text/vtt")
    assert items["handout"].media.content_type == "application/pdf"
    assert items["handout"].completion == "button"
    assert items["portal"].url == "https://diia.gov.ua/" and not items["portal"].is_required
    assert not any(item.accessibility_gap for item in course.items)


def test_a_zip_package_imports_like_a_folder(app, db, tmp_path):
    path = write_zip(tmp_path / "pkg.zip", package_files())

    import_and_commit(db, path)

    assert len(by_code("PKG-TEST").items) == 5


def test_status_draft_imports_the_course_as_a_draft(app, db, tmp_path):
    files = edited(status=("version: 1\n", "version: 1\nstatus: draft\n"))

    import_and_commit(db, write_folder(tmp_path / "pkg", files))

    assert by_code("PKG-TEST").status == "draft"


def test_a_course_that_qualifies_trainers_for_another_may_be_imported_with_it(app, db, tmp_path):
    trainers = edited(
        code=("code: PKG-TEST", "code: PKG-TOT"),
        qualifies=("unlock_in_order: true\n", "unlock_in_order: true\nqualifies_trainers_for: [PKG-TEST]\n"),
    )
    alone = write_folder(tmp_path / "tot", trainers)

    assert any(
        "qualifies_trainers_for[0]: no course has the code PKG-TEST" in text for text in problems_of([alone])
    )

    import_and_commit(db, alone, write_folder(tmp_path / "pkg", package_files()))

    assert [course.code for course in by_code("PKG-TOT").qualifies_for] == ["PKG-TEST"]


# --- updating in place ----------------------------------------------------------------------------


def test_a_newer_version_updates_the_course_in_place_and_keeps_progress(app, db, world, tmp_path):
    import_and_commit(db, write_folder(tmp_path / "v1", package_files()))
    course = by_code("PKG-TEST")
    ids = {item.key: item.id for item in course.items}
    module_ids = {module.key: module.id for module in course.modules}
    learner = world.people["learner@r1"]
    enrolment = enrol(learner, course)
    items = {item.key: item for item in course.items}
    complete_item(enrolment, items["welcome"])
    complete_item(enrolment, items["portal"])
    enrolment.last_item_id = items["portal"].id
    db.session.commit()

    # Version 2: a new title, the welcome text moved to the second module, the link removed,
    # a new text item added at the start.
    v2 = MANIFEST.replace("version: 1", "version: 2").replace('"Тестовий курс"', '"Новий курс"')
    welcome = v2[v2.index("      - id: welcome") : v2.index("      - id: podcast")]
    portal = v2[v2.index("      - id: portal") :]
    v2 = v2.replace(welcome, "").replace(portal, "")
    v2 = v2.replace("    required: false\n    items:\n", "    required: false\n    items:\n" + welcome)
    new_item = (
        "      - id: news\n        kind: text\n        title: {uk: Новини}\n        body: intro/news.md\n"
    )
    v2 = v2.replace(
        '  - id: intro\n    title: {uk: "Вступ"}\n    items:\n',
        '  - id: intro\n    title: {uk: "Вступ"}\n    items:\n' + new_item,
    )
    files = package_files() | {"course.yaml": v2.encode(), "intro/news.md": "Новини.\n".encode()}

    [result] = import_and_commit(db, write_folder(tmp_path / "v2", files))

    assert not result.created and result.previous_version == 1
    db.session.expire_all()
    course = by_code("PKG-TEST")
    assert course.version == 2 and course.title["uk"] == "Новий курс"
    assert {module.key: module.id for module in course.modules} == module_ids
    assert [[item.key for item in module.items] for module in course.modules] == [
        ["news", "podcast"],
        ["welcome", "clip", "handout"],
    ]
    kept = {item.key: item.id for item in course.items}
    assert all(kept[key] == ids[key] for key in ("welcome", "podcast", "clip", "handout"))
    assert "portal" not in kept
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id))
    # The welcome text was done and still is; the removed link's completion went with it.
    assert enrolment.completed_item_ids == {ids["welcome"]}
    assert enrolment.last_item_id is None
    assert counts(db)["enrolment"] == 1


@pytest.mark.parametrize("version", [2, 1])
def test_the_same_or_a_lower_version_is_refused(app, db, tmp_path, version):
    import_and_commit(db, write_folder(tmp_path / "v2", edited(version=("version: 1", "version: 2"))))
    before = counts(db)
    files = edited(version=("version: 1", f"version: {version}"), title=("Тестовий курс", "Змінений"))

    problems = problems_of([write_folder(tmp_path / "again", files)])

    assert problems == [
        "course.yaml:2: version: must be greater than 2, the version of PKG-TEST already installed"
    ]
    db.session.rollback()
    assert counts(db) == before
    assert by_code("PKG-TEST").title["uk"] == "Тестовий курс"


# --- bad packages ---------------------------------------------------------------------------------


def folder(files: dict[str, bytes]):
    return lambda tmp_path: write_folder(tmp_path / "bad", files)


def zipped(files: dict[str, bytes]):
    return lambda tmp_path: write_zip(tmp_path / "bad.zip", files)


def without(name: str) -> dict[str, bytes]:
    files = package_files()
    del files[name]
    return files


def zip_with_entries(*names: str):
    def build(tmp_path: Path) -> Path:
        path = write_zip(tmp_path / "bad.zip", package_files())
        with zipfile.ZipFile(path, "a") as archive:
            for name in names:
                archive.writestr(zipfile.ZipInfo(name), b"owned")
        return path

    return build


def zip_with_symlink(tmp_path: Path) -> Path:
    path = write_zip(tmp_path / "bad.zip", package_files())
    with zipfile.ZipFile(path, "a") as archive:
        link = zipfile.ZipInfo("media/passwd")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return path


def zip_with_too_many_entries(tmp_path: Path) -> Path:
    path = write_zip(tmp_path / "bad.zip", package_files())
    with zipfile.ZipFile(path, "a") as archive:
        for number in range(packages.MAX_ENTRIES):
            archive.writestr(f"extra/{number}.txt", b"")
    return path


def zip_bomb_over_the_limit(tmp_path: Path) -> Path:
    files = package_files() | {"media/podcast.wav": wav_bytes() + bytes(3 * 1024 * 1024)}
    return write_zip(tmp_path / "bad.zip", files)


def zip_bomb_lying_about_its_size(tmp_path: Path) -> Path:
    """An entry of 3 MB of zeros (a few kB compressed) whose headers claim 100 bytes."""
    name = b"intro/welcome.md"
    path = write_zip(tmp_path / "bad.zip", package_files() | {name.decode(): b"\0" * (3 * 1024 * 1024)})
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    while data[local + 30 : local + 30 + len(name)] != name:
        local = data.index(b"PK\x03\x04", local + 4)
    struct.pack_into("<I", data, local + 22, 100)
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 100)
    path.write_bytes(bytes(data))
    return path


BAD = {
    "no course.yaml": (folder(without("course.yaml")), "course.yaml: is missing"),
    "no course.yaml in the zip": (zipped(without("course.yaml")), "course.yaml: is missing"),
    "YAML syntax error": (
        folder(edited(syntax=("hours: 2\n", "hours: [2\n"))),
        "course.yaml:7: YAML syntax error",
    ),
    "wrong type": (
        folder(edited(hours=("hours: 2", "hours: two"))),
        "course.yaml:6: hours: must be a number",
    ),
    "wrong nested type": (
        folder(edited(required=("    required: false\n", "    required: maybe\n"))),
        "course.yaml:26: modules[1].required: must be true or false",
    ),
    "unknown kind": (
        folder(edited(kind=("kind: link", "kind: podcast"))),
        "course.yaml:40: modules[1].items[2].kind: must be one of text, video, audio, file, link, quiz",
    ),
    "unknown field": (
        folder(
            edited(field=("        completion: next\n", "        completion: next\n        colour: red\n"))
        ),
        "course.yaml:19: modules[0].items[0].colour: is not a field of course.yaml here",
    ),
    "missing field": (
        folder(edited(title=('    title: {uk: "Практика"}\n', ""))),
        "course.yaml:24: modules[1].title: is required",
    ),
    "a field of another kind": (
        folder(
            edited(url=("        kind: file\n", "        kind: file\n        url: https://example.org/\n"))
        ),
        "course.yaml:36: modules[1].items[1].url: is not used by this kind of item (file)",
    ),
    "duplicate item id": (
        folder(edited(id=("id: portal", "id: welcome"))),
        "course.yaml:39: modules[1].items[2].id: the item id 'welcome' is already used on line 14",
    ),
    "duplicate module id": (
        folder(edited(id=("id: practice", "id: intro"))),
        "course.yaml:24: modules[1].id: the module id 'intro' is already used on line 11",
    ),
    "duplicate key": (
        folder(edited(key=("hours: 2\n", "hours: 2\nhours: 3\n"))),
        "course.yaml:7: hours: appears twice (first on line 6)",
    ),
    "missing referenced file": (
        folder(without("practice/handout.md")),
        "course.yaml:38: modules[1].items[1].body: practice/handout.md: no such file in the package",
    ),
    "a path leaving the package": (
        folder(edited(body=("body: practice/handout.md", "body: ../handout.md"))),
        "course.yaml:38: modules[1].items[1].body: '../handout.md' is not a relative path inside the package",
    ),
    "Markdown that is not UTF-8": (
        folder(package_files() | {"intro/welcome.md": "Вітаємо\nу курсі\n".encode("cp1251")}),
        "course.yaml:17: modules[0].items[0].body: intro/welcome.md: line 1 is not UTF-8 text",
    ),
    "media that is not what its name says": (
        folder(package_files() | {"media/podcast.wav": PDF}),
        "course.yaml:22: modules[0].items[1].media: media/podcast.wav: ",
    ),
    "zip entry with ../": (zip_with_entries("../evil.txt"), "../evil.txt: '..' is not allowed in paths"),
    "zip entry with .. inside": (
        zip_with_entries("media/../../evil.txt"),
        "media/../../evil.txt: '..' is not allowed",
    ),
    "zip entry with an absolute path": (zip_with_entries("/etc/evil.txt"), "/etc/evil.txt: absolute paths"),
    "zip entry with a drive letter": (zip_with_entries("C:/evil.txt"), "C:/evil.txt: absolute paths"),
    "zip entry that is a symbolic link": (zip_with_symlink, "media/passwd: symbolic links are not allowed"),
    "too many zip entries": (zip_with_too_many_entries, "the .zip has 2009 entries; at most 2000"),
    "zip bomb over the size limit": (
        zip_bomb_over_the_limit,
        "media/podcast.wav: is 3.0 MB uncompressed; a file may have at most 1.0 MB",
    ),
    "zip bomb lying about its size": (
        zip_bomb_lying_about_its_size,
        "course.yaml:17: modules[0].items[0].body: intro/welcome.md: the entry is damaged or does not match",
    ),
    "not a package": (
        lambda tmp_path: write_folder(tmp_path, {"notes.txt": b"x"}) / "notes.txt",
        "a package is",
    ),
}


@pytest.mark.parametrize(("build", "expected"), BAD.values(), ids=BAD.keys())
def test_a_bad_package_is_refused_with_file_line_and_field_and_changes_nothing(
    app, db, tmp_path, build, expected
):
    import_and_commit(db, write_folder(tmp_path / "installed", edited(code=("PKG-TEST", "PKG-OTHER"))))
    before, files_before = counts(db), media_files(app)

    problems = problems_of([build(tmp_path)])

    assert any(expected in text for text in problems), problems
    db.session.rollback()
    assert counts(db) == before
    assert media_files(app) == files_before


def test_every_problem_is_reported_not_just_the_first(app, db, tmp_path):
    files = edited(
        kind=("kind: link", "kind: podcast"),
        id=("id: handout", "id: welcome"),
        hours=("hours: 2", "hours: many"),
    )
    del files["intro/podcast-transcript.md"]
    files["media/clip.webm"] = wav_bytes()

    problems = problems_of([write_folder(tmp_path / "bad", files)])

    assert problems == [
        "course.yaml:6: hours: must be a number",
        "course.yaml:23: modules[0].items[1].transcript: "
        "intro/podcast-transcript.md: no such file in the package",
        problems[2],
        "course.yaml:34: modules[1].items[1].id: the item id 'welcome' is already used on line 14",
        "course.yaml:40: modules[1].items[2].kind: must be one of text, video, audio, file, link, quiz",
    ]
    assert problems[2].startswith("course.yaml:31: modules[1].items[0].media: media/clip.webm: ")


def test_one_bad_package_stops_the_whole_batch(app, db, tmp_path):
    good = write_folder(tmp_path / "good", package_files())
    bad = write_folder(tmp_path / "bad", edited(code=("PKG-TEST", "PKG-BAD"), kind=("kind: link", "kind: x")))
    before, files_before = counts(db), media_files(app)

    with pytest.raises(PackageError) as raised:
        import_packages([good, bad])

    assert {package for package, _problem in raised.value.problems} == {str(bad)}
    db.session.rollback()
    assert counts(db) == before and media_files(app) == files_before


def test_yaml_aliases_are_refused(app, db, tmp_path):
    files = edited(
        alias=('title: {uk: "Тестовий курс", en: "A test course"}', "title: &t {uk: Курс}\nsummary2: *t")
    )

    problems = problems_of([write_folder(tmp_path / "bad", files)])

    assert "course.yaml:5: summary2: YAML aliases (*name) are not allowed in course.yaml" in problems


# --- exporting ------------------------------------------------------------------------------------


def reinstall(db, path: Path) -> None:
    """Import ``path`` as another installation would: the course is not there yet."""
    course = by_code("PKG-TEST")
    if course is not None:
        db.session.delete(course)
        db.session.commit()
    import_and_commit(db, path)


def test_import_export_import_export_gives_the_same_files_in_a_folder(app, db, tmp_path):
    import_and_commit(db, write_folder(tmp_path / "pkg", package_files()))

    export_course(by_code("PKG-TEST"), tmp_path / "first")
    reinstall(db, tmp_path / "first")
    export_course(by_code("PKG-TEST"), tmp_path / "second")

    first, second = tree(tmp_path / "first"), tree(tmp_path / "second")
    assert first == second
    assert sorted(first) == [
        "course.yaml",
        "intro/podcast.transcript.md",
        "intro/welcome.md",
        "media/clip.vtt",
        "media/clip.webm",
        "media/handout.pdf",
        "media/podcast.wav",
        "practice/clip.transcript.md",
        "practice/handout.md",
    ]
    assert first["media/podcast.wav"] == wav_bytes()
    assert first["intro/welcome.md"] == package_files()["intro/welcome.md"]
    manifest = yaml.safe_load(first["course.yaml"])
    assert list(manifest) == [
        "code", "version", "status", "language", "title", "summary", "hours", "ects", "enrolment",
        "unlock_in_order", "modules",
    ]  # fmt: skip
    assert manifest["modules"][0]["items"][1] == {
        "id": "podcast",
        "kind": "audio",
        "title": {"uk": "Подкаст"},
        "transcript": "intro/podcast.transcript.md",
        "media": "media/podcast.wav",
        "completion": "button",
        "required": True,
    }
    assert "Тестовий курс" in first["course.yaml"].decode()  # Ukrainian as it is, not escaped


def test_import_export_import_export_gives_the_same_zip(app, db, tmp_path):
    import_and_commit(db, write_zip(tmp_path / "pkg.zip", package_files()))

    export_course(by_code("PKG-TEST"), tmp_path / "first.zip")
    reinstall(db, tmp_path / "first.zip")
    export_course(by_code("PKG-TEST"), tmp_path / "second.zip")

    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "second.zip") as archive:
        infos = archive.infolist()
        assert [info.filename for info in infos] == sorted(info.filename for info in infos)
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {stat.S_IMODE(info.external_attr >> 16) for info in infos} == {0o644}
        assert archive.read("course.yaml") == tree_of_export(db, tmp_path)["course.yaml"]


def tree_of_export(db, tmp_path: Path) -> dict[str, bytes]:
    export_course(by_code("PKG-TEST"), tmp_path / "as-folder")
    return tree(tmp_path / "as-folder")


def test_a_course_made_in_the_authoring_pages_exports_and_round_trips(app, db, make_course, tmp_path):
    make_course("PKG-TEST")

    export_course(by_code("PKG-TEST"), tmp_path / "first.zip")
    reinstall(db, tmp_path / "first.zip")
    export_course(by_code("PKG-TEST"), tmp_path / "second.zip")

    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()
    items = {item.key: item for item in by_code("PKG-TEST").items}
    assert items["interview"].url == "https://example.org/interview" and items["interview"].media is None
    assert not items["interview"].is_required


def test_a_course_a_package_cannot_describe_is_not_exported(app, db, make_course, tmp_path):
    course = make_course("PKG-TEST")
    items = {item.key: item for item in course.items}
    items["reading"].key = "welcome"  # item ids are unique per module in the database, per course here
    items["portal"].kind = "quiz"
    db.session.commit()

    with pytest.raises(PackageError) as raised:
        export_course(course, tmp_path / "out.zip")

    problems = [str(problem) for _code, problem in raised.value.problems]
    assert "course.yaml: modules[2].items[0].id: the item id 'welcome' is used twice" in problems
    assert "course.yaml: modules[1].items[1].quiz: the quiz 'portal' has no settings yet" in problems
    assert not (tmp_path / "out.zip").exists()


def test_export_refuses_a_folder_that_is_not_empty(app, db, tmp_path):
    import_and_commit(db, write_folder(tmp_path / "pkg", package_files()))
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")

    with pytest.raises(PackageError):
        export_course(by_code("PKG-TEST"), tmp_path / "busy")

    assert tree(tmp_path / "busy") == {"notes.txt": b"mine"}


# --- the command ----------------------------------------------------------------------------------


def test_lms_courses_import_and_export(app, db, runner, tmp_path):
    result = runner.invoke(args=["courses", "import", str(write_folder(tmp_path / "pkg", package_files()))])

    assert result.exit_code == 0, result.output
    assert "PKG-TEST: created at version 1 (published), 2 modules, 5 items." in result.output
    db.session.expire_all()
    assert by_code("PKG-TEST") is not None

    exported = runner.invoke(args=["courses", "export", "PKG-TEST", str(tmp_path / "out.zip")])

    assert exported.exit_code == 0, exported.output
    assert (
        zipfile.ZipFile(tmp_path / "out.zip").read("intro/welcome.md") == package_files()["intro/welcome.md"]
    )

    newer = edited(version=("version: 1", "version: 2"))
    updated = runner.invoke(args=["courses", "import", str(write_folder(tmp_path / "v2", newer))])

    assert updated.exit_code == 0, updated.output
    assert "PKG-TEST: updated from version 1 to 2" in updated.output


def test_lms_courses_import_prints_every_problem_and_imports_nothing(app, db, runner, tmp_path):
    good = write_folder(tmp_path / "good", edited(code=("PKG-TEST", "PKG-GOOD")))
    bad = write_folder(
        tmp_path / "bad", edited(kind=("kind: link", "kind: podcast"), hours=("hours: 2", "hours: x"))
    )
    before = counts(db)

    result = runner.invoke(args=["courses", "import", str(good), str(bad)])

    assert result.exit_code != 0
    assert f"{bad}: course.yaml:6: hours: must be a number" in result.output
    assert (
        f"{bad}: course.yaml:40: modules[1].items[2].kind: "
        "must be one of text, video, audio, file, link, quiz" in result.output
    )
    assert "Nothing was imported: 2 problems to fix." in result.output
    assert counts(db) == before


def test_lms_courses_export_of_an_unknown_code_fails(app, runner, tmp_path):
    result = runner.invoke(args=["courses", "export", "NO-SUCH", str(tmp_path / "out")])

    assert result.exit_code != 0
    assert "No course has the code NO-SUCH." in result.output
    assert not (tmp_path / "out").exists()


# --- the published schema -------------------------------------------------------------------------


def test_the_json_schema_accepts_a_good_course_yaml_and_rejects_a_bad_one():
    schema = json.loads((Path(packages.__file__).parent / "course.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    good = yaml.safe_load(MANIFEST)

    assert list(validator.iter_errors(good)) == []

    bad = yaml.safe_load(
        MANIFEST.replace("kind: link", "kind: podcast").replace("code: PKG-TEST", "code: pkg")
    )
    bad["modules"][0]["items"][0]["media"] = "/etc/passwd"
    errors = {tuple(error.absolute_path) for error in validator.iter_errors(bad)}
    assert {("code",), ("modules", 1, "items", 2, "kind"), ("modules", 0, "items", 0, "media")} <= errors


# --- the shipped courses --------------------------------------------------------------------------


@pytest.mark.skipif(
    not all((CONTENT / name / "course.yaml").is_file() for name in SHIPPED), reason="content not written yet"
)
def test_the_shipped_course_packages_are_valid_and_import_together(app, db, tmp_path):
    from courses.frameworks.services import load_shipped
    from courses.quizzes.models import Quiz

    app.config["COURSES_MAX_MEDIA_MB"] = 200  # the default: this module's 1 MB is for the zip bombs
    load_shipped()  # the competences the courses teach and their quizzes test
    imported = import_and_commit(db, *(CONTENT / name for name in SHIPPED))

    assert len(imported) == 2
    kinds = {item.kind for result in imported for item in result.course.items}
    assert kinds == {"text", "video", "audio", "file", "link", "quiz"}
    quizzes = db.session.scalars(select(Quiz)).all()
    assert len(quizzes) == 2 and all(len(quiz.competences) >= 5 for quiz in quizzes)
    assert all(module.competences for result in imported for module in result.course.modules[:-1])
    assert all(result.course.is_published for result in imported)
    assert not any(item.accessibility_gap for result in imported for item in result.course.items)
    trainers, coordinators = (result.course for result in imported)
    assert coordinators in trainers.qualifies_for
    # …and they export and re-import to the same bytes.
    code = coordinators.code
    export_course(coordinators, tmp_path / "first.zip")
    db.session.delete(coordinators)
    db.session.commit()
    import_and_commit(db, tmp_path / "first.zip")
    export_course(by_code(code), tmp_path / "second.zip")
    assert (tmp_path / "first.zip").read_bytes() == (tmp_path / "second.zip").read_bytes()


@pytest.mark.parametrize(
    ("package", "profile_code"),
    [("hub-coordinator", "HUB-COORDINATOR"), ("tot-regional-centres", "REGIONAL-TRAINER")],
)
def test_each_shipped_quiz_tests_its_profiles_minimum_with_enough_questions(app, db, package, profile_code):
    """The quiz of each shipped course tests every competence at the level its learners' minimum
    profile requires, asks enough questions to confirm it, and has a bank for a retake of new ones."""
    from courses.frameworks.models import MinimumProfile
    from courses.frameworks.services import load_shipped, requirements_of
    from courses.quizzes.models import Quiz
    from courses.quizzes.services import bank_count, min_evidence

    app.config["COURSES_MAX_MEDIA_MB"] = 200
    load_shipped()
    import_and_commit(db, *(CONTENT / name for name in SHIPPED))  # one qualifies trainers for the other
    code = yaml.safe_load((CONTENT / package / "course.yaml").read_text(encoding="utf-8"))["code"]
    quiz = next(quiz for quiz in db.session.scalars(select(Quiz)) if quiz.item.module.course.code == code)
    profile = db.session.scalar(select(MinimumProfile).where(MinimumProfile.code == profile_code))
    required = requirements_of(profile)

    for row in quiz.competences:
        level = row.level if row.level is not None else required[row.competence_id]
        assert level == required[row.competence_id], row.competence.idnumber
        assert row.count >= min_evidence(), row.competence.idnumber
        assert bank_count(quiz, row.competence_id, level) >= 2 * row.count, row.competence.idnumber


def _first_release(tmp_path: Path) -> Path:
    """The hub coordinator package as it was released first: version 1, no question bank, no quiz."""
    folder = tmp_path / "hub-coordinator-1"
    files = {
        str(path.relative_to(CONTENT / "hub-coordinator")): path.read_bytes()
        for path in (CONTENT / "hub-coordinator").rglob("*")
        if path.is_file()
    }
    manifest = yaml.safe_load(files["course.yaml"])
    manifest["version"] = 1
    del manifest["questions"]
    manifest["modules"] = [module for module in manifest["modules"] if module["id"] != "final-assessment"]
    files["course.yaml"] = yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False).encode()
    return write_folder(folder, files)


def test_learners_progress_survives_the_upgrade_that_adds_the_quiz(app, db, tmp_path, world):
    from courses.frameworks.services import load_shipped

    app.config["COURSES_MAX_MEDIA_MB"] = 200
    load_shipped()
    (result,) = import_and_commit(db, _first_release(tmp_path))
    course = result.course
    learner = world.people["learner@r1"]
    enrolment = enrol(learner, course)
    done = [item for item in course.items][:4]
    for item in done:
        complete_item(enrolment, item)
    enrolment.last_item_id = done[-1].id
    db.session.commit()
    ids = {item.key: item.id for item in course.items}

    (upgraded,) = import_and_commit(db, CONTENT / "hub-coordinator")

    assert upgraded.previous_version == 1 and upgraded.course.version == 3
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, enrolment.id)
    assert {completion.item.key for completion in enrolment.completions} == {item.key for item in done}
    assert enrolment.last_item_id == ids[done[-1].key]
    assert {item.key: item.id for item in upgraded.course.items if item.key in ids} == ids  # same rows
    assert upgraded.course.items[-1].kind == "quiz"
    assert enrolment.completed_at is None  # the new required quiz is still to pass
