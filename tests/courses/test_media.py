"""Uploaded media: the type comes from the content, never the name; files are size-limited, kept outside
``static/`` under random names and served to logged-in people with ranges, the right type and
disposition, or handed to nginx with ``X-Accel-Redirect``."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote

import pytest
from media_samples import wav_bytes
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from courses.media import CHUNK, MediaError, media_url, path_of, store, store_bytes
from courses.models import Media
from lms.testing import login

DATA = Path(__file__).parent / "data"
ALL_KINDS = {"video", "audio", "captions", "file", "image"}


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def app_config(app_config, media_root):
    return {**app_config, "COURSES_MEDIA_DIR": str(media_root), "COURSES_MAX_MEDIA_MB": 1}


# --- tiny real files ------------------------------------------------------------------------------


def png_bytes() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, one red pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n"
        b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def office_bytes(member: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr(member, '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


def data(name: str):
    return lambda: (DATA / name).read_bytes()


VTT = "WEBVTT\n\n00:00.000 --> 00:02.000\nВітаємо в курсі!\n".encode()
TEXT = "Нотатки до заняття: цифрова грамотність.\n".encode()
CSV = "код;назва\nHUB-1;Бібліотека\n".encode()

# file name, its bytes, the kind it is uploaded as, the content type it must be stored with
SUPPORTED = [
    ("Подкаст.wav", wav_bytes, "audio", "audio/wav"),
    ("tone.ogg", data("tone.ogg"), "audio", "audio/ogg"),
    ("tone.opus", data("tone.opus"), "audio", "audio/ogg"),
    ("tone.mp3", data("tone.mp3"), "audio", "audio/mpeg"),
    ("tone.m4a", data("tone.m4a"), "audio", "audio/mp4"),
    ("clip.webm", data("clip.webm"), "video", "video/webm"),
    ("clip.mp4", data("clip.mp4"), "video", "video/mp4"),
    ("clip.ogv", data("clip.ogv"), "video", "video/ogg"),
    ("subtitles.vtt", lambda: VTT, "captions", "text/vtt; charset=utf-8"),
    ("dot.png", png_bytes, "image", "image/png"),
    ("dot.jpg", data("dot.jpg"), "image", "image/jpeg"),
    ("checklist.pdf", pdf_bytes, "file", "application/pdf"),
    (
        "plan.docx",
        lambda: office_bytes("word/document.xml"),
        "file",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "hubs.xlsx",
        lambda: office_bytes("xl/workbook.xml"),
        "file",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "slides.pptx",
        lambda: office_bytes("ppt/presentation.xml"),
        "file",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("notes.txt", lambda: TEXT, "file", "text/plain; charset=utf-8"),
    ("hubs.csv", lambda: CSV, "file", "text/csv; charset=utf-8"),
]


def leftovers(root: Path) -> list[Path]:
    """Temporary files an upload left behind."""
    return list(root.glob(".upload-*"))


def media_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Media))


# --- storing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "make_bytes", "kind", "content_type"), SUPPORTED, ids=[row[0] for row in SUPPORTED]
)
def test_each_supported_type_is_recognised_from_its_content(
    app, db, filename, make_bytes, kind, content_type
):
    content = make_bytes()
    media = store_bytes(content, filename, {kind})
    assert media.id is not None  # flushed
    assert media.content_type == content_type
    assert media.filename == filename
    assert media.size == len(content)
    assert path_of(media).read_bytes() == content
    assert media.sha256 == hashlib.sha256(content).hexdigest()


def test_all_test_files_are_tiny():
    assert all(path.stat().st_size < 20_000 for path in DATA.iterdir())


def test_an_upload_is_stored_through_its_stream_in_chunks(app, db, media_root):
    class Stream(io.BytesIO):
        sizes: list[int] = []

        def read(self, size=-1):
            self.sizes.append(size)
            return super().read(size)

    stream = Stream(wav_bytes(800) + b"\x00" * 100)
    media = store(FileStorage(stream, filename="lecture.wav"), {"audio"})
    assert media.content_type == "audio/wav"
    assert stream.sizes and all(0 < size <= CHUNK for size in stream.sizes)  # never read whole
    assert leftovers(media_root) == []


def test_a_png_renamed_to_mp4_is_refused(app, db, media_root):
    before = media_count(db)
    with pytest.raises(MediaError, match=r"\.mp4.*\.png"):
        store_bytes(png_bytes(), "lecture.mp4", {"video", "image"})
    with pytest.raises(MediaError):
        store_bytes(png_bytes(), "lecture.mp4", {"video"})
    assert media_count(db) == before
    assert leftovers(media_root) == []


@pytest.mark.parametrize(
    ("filename", "content", "kinds"),
    [
        ("checklist.pdf", pdf_bytes(), {"video"}),  # a real PDF where a video is expected
        ("song.mp3", (DATA / "tone.mp3").read_bytes(), {"video"}),
        ("captions.vtt", TEXT, {"captions"}),  # text that is not WebVTT
        ("picture.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', ALL_KINDS),
        ("page.html", b"<html><script>alert(1)</script></html>", ALL_KINDS),
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 200, ALL_KINDS),
        ("archive.zip", office_bytes("readme.txt"), ALL_KINDS),  # a zip that is no office document
        ("noise.bin", bytes(range(256)) * 4, ALL_KINDS),
        ("latin1.txt", "café".encode("latin-1"), ALL_KINDS),  # not UTF-8
        ("empty.pdf", b"", ALL_KINDS),
    ],
)
def test_unknown_types_and_types_of_another_kind_are_refused(app, db, media_root, filename, content, kinds):
    with pytest.raises(MediaError) as error:
        store_bytes(content, filename, kinds)
    assert str(error.value)
    assert media_count(db) == 0
    assert leftovers(media_root) == []


def test_the_message_lists_what_may_be_uploaded(app, db):
    with pytest.raises(MediaError) as error, app.test_request_context(headers={"Accept-Language": "en"}):
        store_bytes(pdf_bytes(), "checklist.pdf", {"video"})
    assert ".mp4" in str(error.value) and ".webm" in str(error.value)


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(app, db, media_root):
    assert app.config["COURSES_MAX_MEDIA_MB"] == 1
    with pytest.raises(MediaError):
        store_bytes(b"a" * (1024 * 1024 + 512 * 1024), "big.txt", {"file"})
    assert media_count(db) == 0
    assert leftovers(media_root) == []


def test_a_file_of_exactly_the_limit_is_accepted(app, db):
    media = store_bytes(b"a" * (1024 * 1024), "big.txt", {"file"})
    assert media.size == 1024 * 1024


def test_files_are_stored_outside_static_under_random_names(app, db, media_root):
    first = store_bytes(png_bytes(), "Схема.png", {"image"})
    second = store_bytes(pdf_bytes(), "Схема.pdf", {"file"})
    for media in (first, second):
        path = path_of(media)
        assert path.parent == media_root
        assert Path(app.static_folder) not in path.parents
        assert re.fullmatch(r"[0-9a-f]{32}\.(png|pdf)", media.storage_name)
        assert "Схема" not in media.storage_name
    assert first.storage_name != second.storage_name


def test_identical_content_is_stored_once(app, db, media_root):
    first = store_bytes(pdf_bytes(), "one.pdf", {"file"})
    second = store_bytes(pdf_bytes(), "two.pdf", {"file"})
    assert second.id == first.id
    assert media_count(db) == 1
    assert len([p for p in media_root.iterdir() if p.name.startswith(first.storage_name[:32])]) == 1


def test_a_lost_file_is_put_back_by_the_next_identical_upload(app, db):
    media = store_bytes(pdf_bytes(), "one.pdf", {"file"})
    path_of(media).unlink()
    assert store_bytes(pdf_bytes(), "again.pdf", {"file"}).id == media.id
    assert path_of(media).read_bytes() == pdf_bytes()


@pytest.mark.parametrize(
    ("uploaded", "kept"),
    [
        ("../../etc/passwd.wav", "passwd.wav"),
        ("..\\..\\windows\\win.wav", "win.wav"),
        ("/var/lib/kaskad/../podcast.wav", "podcast.wav"),
        ("C:\\Users\\Олена\\Подкаст №1.wav", "Подкаст №1.wav"),
        ("..wav", "wav.wav"),  # a bare extension after the dots are stripped is a name without one
        ("ґанок\x00\x1b[31m\u202e.wav", "ґанок[31m.wav"),  # control and direction characters
        ("  Лекція   про\tхаби .wav", "Лекція про хаби.wav"),
        ("Лекція", "Лекція.wav"),  # no extension: the right one is added
        ("Звіт v1.2 остаточний", "Звіт v1.2 остаточний.wav"),
        ("", "file.wav"),
        ("я" * 300 + ".wav", "я" * 196 + ".wav"),
    ],
)
def test_the_original_name_is_kept_without_path_or_control_characters(app, db, media_root, uploaded, kept):
    media = store_bytes(wav_bytes(800), uploaded, {"audio"})
    assert media.filename == kept
    assert path_of(media).parent == media_root
    assert not (media_root.parent / "etc").exists()


# --- serving --------------------------------------------------------------------------------------


def stored(db, make_bytes, filename: str, kind: str, *, status="published", is_open=True) -> Media:
    """A stored file, used by an item of a course (published and open to everyone unless told)."""
    media = store_bytes(make_bytes(), filename, {kind})
    attach(db, media, status=status, is_open=is_open)
    return media


def attach(db, media: Media, *, status="published", is_open=True, code=None):
    from courses.models import Course, Item, Module

    code = code or f"MEDIA-{media.id}-{db.session.scalar(select(func.count()).select_from(Item))}"
    item = Item(key=f"file-{media.id}", kind="file", title={"uk": "Файл"}, media=media)
    course = Course(code=code, title={"uk": "Курс"}, status=status, is_open=is_open)
    course.modules.append(Module(key="files", title={"uk": "Файли"}, items=[item]))
    db.session.add(course)
    db.session.commit()
    return course


def url(app, media: Media) -> str:
    with app.test_request_context():
        return media_url(media)


@pytest.fixture
def learner(world, login_as):
    login_as(world.people["learner@r1"])
    return world.people["learner@r1"]


def test_a_range_request_gets_206_with_exactly_those_bytes(app, db, client, learner):
    content = (DATA / "clip.webm").read_bytes()
    media = stored(db, lambda: content, "clip.webm", "video")
    whole = client.get(url(app, media))
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.data == content
    part = client.get(url(app, media), headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(content)}"
    assert part.data == content[100:200]
    tail = client.get(url(app, media), headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.data == content[-50:]
    beyond = client.get(url(app, media), headers={"Range": f"bytes={len(content) + 10}-"})
    assert beyond.status_code == 416


def test_a_cached_copy_is_revalidated_by_its_sha256(app, db, client, learner):
    media = stored(db, pdf_bytes, "checklist.pdf", "file")
    response = client.get(url(app, media))
    assert response.headers["ETag"] == f'"{media.sha256}"'
    assert "private" in response.headers["Cache-Control"]
    again = client.get(url(app, media), headers={"If-None-Match": f'"{media.sha256}"'})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("filename", "make_bytes", "kind", "disposition"),
    [
        ("checklist.pdf", pdf_bytes, "file", "attachment"),
        ("notes.txt", lambda: TEXT, "file", "attachment"),
        ("plan.docx", lambda: office_bytes("word/document.xml"), "file", "attachment"),
        ("clip.mp4", data("clip.mp4"), "video", "inline"),
        ("tone.ogg", data("tone.ogg"), "audio", "inline"),
        ("subtitles.vtt", lambda: VTT, "captions", "inline"),
        ("dot.png", png_bytes, "image", "inline"),
    ],
)
def test_files_are_downloads_and_media_play_inline(
    app, db, client, learner, filename, make_bytes, kind, disposition
):
    media = stored(db, make_bytes, filename, kind)
    response = client.get(url(app, media))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == media.content_type
    assert response.headers["Content-Disposition"] == f"{disposition}; filename={filename}"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-cache"


def test_a_ukrainian_file_name_survives_in_content_disposition(app, db, client, learner):
    media = stored(db, pdf_bytes, "Пам'ятка для бібліотекаря.pdf", "file")
    response = client.get(url(app, media))
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    encoded = re.search(r"filename\*=UTF-8''(\S+)", disposition)
    assert encoded and unquote(encoded[1]) == "Пам'ятка для бібліотекаря.pdf"
    assert response.headers["Content-Disposition"].encode("latin-1")  # a valid header value


def test_with_x_accel_redirect_nginx_streams_the_file(app, db, client, learner):
    app.config["COURSES_X_ACCEL_REDIRECT"] = "/protected-media/"
    media = stored(db, pdf_bytes, "Пам'ятка.pdf", "file")
    video = stored(db, data("clip.webm"), "clip.webm", "video")
    response = client.get(url(app, media))
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["X-Accel-Redirect"] == f"/protected-media/{media.storage_name}"
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert disposition.endswith("filename*=UTF-8''%D0%9F%D0%B0%D0%BC%27%D1%8F%D1%82%D0%BA%D0%B0.pdf")
    assert response.headers["Cache-Control"] == "private, no-cache"
    inline = client.get(url(app, video), headers={"Range": "bytes=0-9"})
    assert inline.headers["X-Accel-Redirect"] == f"/protected-media/{video.storage_name}"
    assert inline.headers["Content-Disposition"] == "inline; filename=clip.webm"
    assert inline.data == b""


def test_x_accel_redirect_gives_the_same_disposition_as_the_app(app, db, client, learner):
    media = stored(db, pdf_bytes, "Пам'ятка.pdf", "file")
    direct = client.get(url(app, media)).headers["Content-Disposition"]
    app.config["COURSES_X_ACCEL_REDIRECT"] = "/protected-media"
    accel = client.get(url(app, media))
    assert accel.headers["Content-Disposition"] == direct
    assert accel.headers["X-Accel-Redirect"] == f"/protected-media/{media.storage_name}"


def test_anonymous_visitors_are_sent_to_log_in(app, db, client):
    media = stored(db, pdf_bytes, "checklist.pdf", "file")
    response = client.get(url(app, media))
    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert "X-Accel-Redirect" not in response.headers


def test_unknown_ids_and_lost_files_are_404(app, db, client, learner):
    assert client.get("/courses/media/999999/anything.pdf").status_code == 404
    media = stored(db, pdf_bytes, "checklist.pdf", "file")
    path_of(media).unlink()
    assert client.get(url(app, media)).status_code == 404


def test_the_name_in_the_address_cannot_reach_another_file(app, db, client, learner, media_root):
    secret = media_root / "not-a-media-row.txt"
    secret.write_text("secret")
    media = stored(db, pdf_bytes, "checklist.pdf", "file")
    for name in ("../not-a-media-row.txt", "..%2Fnot-a-media-row.txt", "not-a-media-row.txt"):
        response = client.get(f"/courses/media/{media.id}/{name}")
        assert b"secret" not in response.data
    assert client.get("/courses/media/not-a-number/not-a-media-row.txt").status_code == 404


def test_a_file_of_a_draft_or_a_closed_course_is_only_for_authors_and_the_enrolled(app, db, client, world):
    from courses.services import enrol

    draft = store_bytes(pdf_bytes(), "draft.pdf", {"file"})
    attach(db, draft, status="draft", code="DRAFT-FILES")
    closed_file = store_bytes(b"Notes for the enrolled.\n", "notes.txt", {"file"})
    closed = attach(db, closed_file, is_open=False, code="CLOSED-FILES")
    loose = store_bytes(b"Not in any course.\n", "loose.txt", {"file"})
    db.session.commit()
    learner = world.people["learner@r1"]

    login(client, learner)
    assert client.get(url(app, draft)).status_code == 404
    assert client.get(url(app, closed_file)).status_code == 404
    assert client.get(url(app, loose)).status_code == 404
    enrol(learner, closed)
    db.session.commit()
    assert client.get(url(app, closed_file)).status_code == 200

    author = app.test_client()
    login(author, world.people["admin@r1"])
    assert all(author.get(url(app, media)).status_code == 200 for media in (draft, closed_file, loose))


def test_prune_media_deletes_unused_files_and_leftovers_but_not_uploads_in_progress(
    app, db, runner, media_root
):
    import os
    import time

    used = stored(db, pdf_bytes, "used.pdf", "file")
    unused = store_bytes(b"Nobody uses me.\n", "unused.txt", {"file"})
    db.session.commit()
    unused_id, unused_path = unused.id, path_of(unused)
    old_leftover = Path(media_root) / ".upload-rolled-back"
    old_leftover.write_bytes(b"left by an upload that was rolled back")
    an_hour_ago = time.time() - 7200
    os.utime(old_leftover, (an_hour_ago, an_hour_ago))
    in_progress = Path(media_root) / ".upload-in-progress"
    in_progress.write_bytes(b"an upload still being written")

    dry = runner.invoke(args=["courses", "prune-media", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would delete 1 unused media and 1 stray files." in dry.output
    assert unused_path.is_file() and old_leftover.is_file()

    result = runner.invoke(args=["courses", "prune-media"])

    assert result.exit_code == 0, result.output
    assert "Deleted 1 unused media and 1 stray files." in result.output
    db.session.expire_all()
    assert db.session.get(Media, unused_id) is None and not unused_path.exists()
    assert not old_leftover.exists() and in_progress.is_file()
    assert db.session.get(Media, used.id) is not None and path_of(used).is_file()
    in_progress.unlink()
