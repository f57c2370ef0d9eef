"""Fixtures for the courses plugin's tests: media stored in a folder of this run, and ``make_course``,
which builds a course with modules and items of every kind directly through the models."""

from __future__ import annotations

from typing import Any

import pytest

# Bytes that the media store recognises from their content (it never trusts the extension).
WEBM = b"\x1a\x45\xdf\xa3\x42\x82\x84webm" + bytes(64)
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(64)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nВітаємо в курсі.\n".encode()

# (module key, is required, [(item key, kind, completion, is required)])
RICH = (
    (
        "basics",
        True,
        [
            ("welcome", "text", "next", True),
            ("lecture", "video", "button", True),
            ("podcast", "audio", "button", True),
        ],
    ),
    (
        "practice",
        True,
        [
            ("checklist", "file", "button", True),
            ("portal", "link", "next", True),
            ("interview", "video", "next", False),  # an external video, optional
        ],
    ),
    ("further", False, [("reading", "text", "button", True)]),  # an optional module
)


@pytest.fixture(scope="session")
def courses_media_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("courses-media"))


@pytest.fixture
def app_config(app_config: dict[str, Any], courses_media_dir: str) -> dict[str, Any]:
    return {**app_config, "COURSES_MEDIA_DIR": courses_media_dir}


class CourseFactory:
    """``make_course("CODE", published=True, is_open=True, unlock_in_order=False, layout=RICH)``:
    a committed course. Every item kind appears in ``RICH``: text, an uploaded video with captions and
    a transcript, audio with a transcript, a file, a link, an external video; the third module is
    optional. Item keys are the layout's; titles are ``"<key> title"``."""

    def __call__(
        self,
        code: str = "TEST-COURSE",
        *,
        published: bool = True,
        is_open: bool = True,
        unlock_in_order: bool = False,
        layout: Any = RICH,
    ) -> Any:
        from courses.models import Course, Item, Module, Status
        from lms.extensions import db

        course = Course(
            code=code,
            title={"uk": f"Курс {code}", "en": f"Course {code}"},
            summary={"uk": "Короткий опис курсу.", "en": "A short summary."},
            language="uk",
            hours=12,
            ects=0.5,
            status=Status.PUBLISHED.value if published else Status.DRAFT.value,
            is_open=is_open,
            unlock_in_order=unlock_in_order,
        )
        for module_position, (module_key, module_required, items) in enumerate(layout):
            module = Module(
                key=module_key,
                position=module_position,
                title={"uk": f"Модуль {module_key}", "en": f"Module {module_key}"},
                is_required=module_required,
            )
            for position, (key, kind, completion, required) in enumerate(items):
                module.items.append(
                    Item(
                        key=key,
                        position=position,
                        kind=kind,
                        title={"uk": f"{key} title"},
                        completion=completion,
                        is_required=required,
                        **self._content(key, kind),
                    )
                )
            course.modules.append(module)
        db.session.add(course)
        db.session.commit()
        return course

    def _content(self, key: str, kind: str) -> dict[str, Any]:
        from courses.media import store_bytes

        if kind == "text":
            return {"body": f"# {key}\n\nThe text of **{key}**."}
        if kind == "video" and key == "interview":
            return {"url": "https://example.org/interview", "transcript": "The interview, word for word."}
        if kind == "video":
            return {
                "media": store_bytes(WEBM, f"{key}.webm", {"video"}),
                "captions": store_bytes(VTT, f"{key}.vtt", {"captions"}),
                "transcript": f"What is said in {key}.",
            }
        if kind == "audio":
            return {"media": store_bytes(MP3, f"{key}.mp3", {"audio"}), "transcript": f"The {key}, in words."}
        if kind == "file":
            return {"media": store_bytes(PDF, f"{key}.pdf", {"file"}), "body": "Print it out."}
        if kind == "link":
            return {"url": "https://diia.gov.ua/", "body": "The state's portal of e-services."}
        return {}


@pytest.fixture
def make_course(app: Any, db: Any) -> CourseFactory:
    return CourseFactory()


class CohortFactory:
    """``make_cohort(course, organisation, trainers=[...], learners=[...])``: a committed cohort built
    directly through the models (no licence check), each learner enrolled in the course and a member."""

    def __call__(
        self,
        course: Any,
        organisation: Any,
        *,
        trainers: Any = (),
        learners: Any = (),
        starts_on: Any = None,
        ends_on: Any = None,
        status: str = "running",
        **fields: Any,
    ) -> Any:
        from datetime import date, timedelta

        from courses.cohorts.models import Cohort, CohortMember
        from courses.services import enrol
        from lms.extensions import db

        starts_on = starts_on or date.today()
        cohort = Cohort(
            course=course,
            organisation=organisation,
            starts_on=starts_on,
            ends_on=ends_on or starts_on + timedelta(days=30),
            status=status,
            **fields,
        )
        cohort.trainers.extend(trainers)
        db.session.add(cohort)
        for learner in learners:
            cohort.members.append(CohortMember(user=learner, enrolment=enrol(learner, course)))
        db.session.commit()
        return cohort


@pytest.fixture
def make_cohort(app: Any, db: Any) -> CohortFactory:
    return CohortFactory()
