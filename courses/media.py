"""Uploaded media: type checked from the content, size-limited, stored outside ``static/`` under random
names, deduplicated by SHA-256.

A file is copied to a temporary file in ``COURSES_MEDIA_DIR`` chunk by chunk (hashed on the way, never
held whole in memory), recognised from its bytes (the ``filetype`` package for binary formats, the zip
directory for office documents, the text itself for WebVTT, plain text and CSV), checked against the
kinds the caller accepts and against the extension of its name, then renamed to
``secrets.token_hex(16)`` plus the canonical extension. The extension is never trusted: a PNG named
``.mp4`` is refused.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import re
import secrets
import tempfile
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import filetype
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from courses.models import Media
from lms.extensions import db

CHUNK = 1024 * 1024
HEAD = 8192  # bytes the content sniffers look at
KINDS = frozenset({"video", "audio", "captions", "file", "image"})
MAX_FILENAME = 200


class MediaError(ValueError):
    """A file that cannot be stored; the message is translated and may be shown to the uploader."""


@dataclass(frozen=True)
class MediaType:
    content_type: str
    kind: str  # one of KINDS
    extensions: tuple[str, ...]  # the first is the canonical one, used for the stored name


TEXT = "; charset=utf-8"
TYPES: dict[str, MediaType] = {
    media_type.content_type: media_type
    for media_type in (
        MediaType("video/mp4", "video", ("mp4", "m4v")),
        MediaType("video/webm", "video", ("webm",)),
        MediaType("video/ogg", "video", ("ogv", "ogg")),
        MediaType("audio/ogg", "audio", ("ogg", "oga", "opus")),
        MediaType("audio/mpeg", "audio", ("mp3",)),
        MediaType("audio/wav", "audio", ("wav",)),
        MediaType("audio/mp4", "audio", ("m4a", "mp4")),
        MediaType("text/vtt" + TEXT, "captions", ("vtt",)),
        MediaType("image/png", "image", ("png",)),
        MediaType("image/jpeg", "image", ("jpg", "jpeg")),
        MediaType("application/pdf", "file", ("pdf",)),
        MediaType(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "file", ("docx",)
        ),
        MediaType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "file", ("xlsx",)),
        MediaType(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation", "file", ("pptx",)
        ),
        MediaType("text/plain" + TEXT, "file", ("txt", "md")),
        MediaType("text/csv" + TEXT, "file", ("csv",)),
    )
}
# what the ``filetype`` package reports -> our content type
FILETYPE_MIMES = {
    "video/mp4": "video/mp4",
    "video/x-m4v": "video/mp4",
    "video/webm": "video/webm",
    "audio/mpeg": "audio/mpeg",
    "audio/x-wav": "audio/wav",
    "audio/mp4": "audio/mp4",
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "application/pdf": "application/pdf",
}
# a member every package of that kind has -> content type (office documents are zip files)
OFFICE_MEMBERS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OGG_AUDIO_CODECS = (b"OpusHead", b"\x01vorbis", b"\x7fFLAC", b"Speex   ")
EXTENSION = re.compile(r"[a-z0-9]{1,5}")


def store(upload: FileStorage, kinds: set[str]) -> Media:
    """Store an uploaded file of one of ``kinds`` (see ``KINDS``); raise ``MediaError`` when it is
    empty, too large, of an unknown type, of a kind not accepted here, or named as another type."""
    stream = upload.stream
    if stream.seekable():
        stream.seek(0)  # a form validator may have looked at it
    return _store(stream, upload.filename or "", kinds)


def store_bytes(data: bytes, filename: str, kinds: set[str]) -> Media:
    """``store`` for a file read from a course package."""
    return _store(io.BytesIO(data), filename, kinds)


def path_of(media: Media) -> Path:
    """Where the file of ``media`` lives on disk."""
    name = media.storage_name
    if not name or Path(name).name != name or name.startswith("."):
        raise ValueError(f"not a storage name: {name!r}")
    return media_dir() / name


def media_dir() -> Path:
    return Path(current_app.config["COURSES_MEDIA_DIR"])


def media_url(media: Media) -> str:
    """The address that serves ``media`` (``courses.media``), ending with its file name."""
    return url_for("courses.media", media_id=media.id, filename=media.filename)


def kind_of(media: Media) -> str:
    """video, audio, captions, image or file (everything else: offered as a download)."""
    media_type = TYPES.get(media.content_type)
    return media_type.kind if media_type else "file"


def safe_filename(name: str) -> str:
    """The last part of ``name`` without control or format characters, spaces collapsed and leading
    dots removed; letters of any script are kept. May be empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(" " if char.isspace() else char for char in name)  # tabs, new lines
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    return name


def allowed_extensions(kinds: set[str]) -> str:
    """``.mp4, .webm, …``: the extensions of the types of ``kinds``, for messages and ``accept``."""
    extensions = [
        ext for media_type in TYPES.values() if media_type.kind in kinds for ext in media_type.extensions
    ]
    return ", ".join("." + ext for ext in dict.fromkeys(extensions))


# --- storing --------------------------------------------------------------------------------------


@dataclass
class _Copy:
    path: Path
    size: int
    sha256: str
    head: bytes
    is_text: bool  # valid UTF-8 without NUL bytes


def _store(stream: IO[bytes], filename: str, kinds: set[str]) -> Media:
    unknown = set(kinds) - KINDS
    if unknown or not kinds:
        raise ValueError(f"kinds must be a non-empty subset of {sorted(KINDS)}, not {sorted(kinds)}")
    filename = safe_filename(filename)
    directory = media_dir()
    directory.mkdir(parents=True, exist_ok=True)
    copy = _copy(stream, directory, current_app.config["COURSES_MAX_MEDIA_MB"])
    try:
        media_type = _check(_detect(copy, _extension(filename)), filename, kinds)
        filename = _final_name(filename, media_type)
        existing = db.session.scalar(
            select(Media).where(Media.sha256 == copy.sha256, Media.size == copy.size).limit(1)
        )
        if existing is not None:
            target = path_of(existing)
            if target.is_file():
                copy.path.unlink()
            else:  # the row outlived its file: put the file back
                _publish(copy.path, target)
            return existing
        storage_name = f"{secrets.token_hex(16)}.{media_type.extensions[0]}"
        _publish(copy.path, directory / storage_name)
    except BaseException:
        copy.path.unlink(missing_ok=True)
        raise
    media = Media(
        storage_name=storage_name,
        filename=filename,
        content_type=media_type.content_type,
        size=copy.size,
        sha256=copy.sha256,
    )
    db.session.add(media)
    db.session.flush()
    return media


def _copy(stream: IO[bytes], directory: Path, limit_mb: int) -> _Copy:
    """Copy ``stream`` to a temporary file in ``directory``, hashing it and looking at its text."""
    limit = limit_mb * 1024 * 1024
    handle, name = tempfile.mkstemp(dir=directory, prefix=".upload-")
    path = Path(name)
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = bytearray()
    size = 0
    is_text = True
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise MediaError(_("The file is larger than %(limit)s MB.", limit=limit_mb))
                digest.update(chunk)
                out.write(chunk)
                if len(head) < HEAD:
                    head += chunk[: HEAD - len(head)]
                if is_text:
                    is_text = b"\0" not in chunk and _decodes(decoder, chunk)
        if is_text:
            is_text = _decodes(decoder, b"", final=True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink()
        raise MediaError(_("The file is empty."))
    return _Copy(path, size, digest.hexdigest(), bytes(head), is_text)


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return False
    return True


def _publish(source: Path, target: Path) -> None:
    os.chmod(source, 0o644)  # readable by a front server (nginx) that serves the folder
    os.replace(source, target)


def _extension(filename: str) -> str:
    """The extension of ``filename`` in lower case, or "" when it has none (``report v1.2 final``)."""
    stem, dot, extension = filename.rpartition(".")
    extension = extension.lower()
    return extension if dot and stem and EXTENSION.fullmatch(extension) else ""


def _detect(copy: _Copy, extension: str) -> MediaType | None:
    """The type of the file from its bytes; the extension only chooses between text types."""
    head = copy.head
    if head.startswith(b"OggS"):
        if b"\x80theora" in head:
            return TYPES["video/ogg"]
        return TYPES["audio/ogg"] if any(codec in head for codec in OGG_AUDIO_CODECS) else None
    if head.startswith(b"PK\x03\x04"):
        return _office_document(copy.path)
    guess = filetype.guess(head)
    if guess is not None:
        content_type = FILETYPE_MIMES.get(guess.mime)
        return TYPES[content_type] if content_type else None
    if copy.is_text:
        text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
        if re.match(r"WEBVTT(?:[ \t\r\n]|$)", text):
            return TYPES["text/vtt" + TEXT]
        return TYPES[("text/csv" if extension == "csv" else "text/plain") + TEXT]
    return None


def _office_document(path: Path) -> MediaType | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for member, content_type in OFFICE_MEMBERS.items():
        if member in names:
            return TYPES[content_type]
    return None


def _check(media_type: MediaType | None, filename: str, kinds: set[str]) -> MediaType:
    """``media_type`` when it is known, of one of ``kinds`` and named with one of its extensions."""
    allowed = allowed_extensions(kinds)
    if media_type is None:
        raise MediaError(
            _(
                "The type of this file could not be recognised from its content. Allowed here: %(allowed)s.",
                allowed=allowed,
            )
        )
    label = "." + media_type.extensions[0]
    if media_type.kind not in kinds:
        raise MediaError(
            _(
                "This file is a %(detected)s file, which is not allowed here. Allowed here: %(allowed)s.",
                detected=label,
                allowed=allowed,
            )
        )
    extension = _extension(filename)
    if extension and extension not in media_type.extensions:
        raise MediaError(
            _(
                "The file is named .%(extension)s but its content is a %(detected)s file. "
                "Rename it or upload the right file.",
                extension=extension,
                detected=label,
            )
        )
    return media_type


def _final_name(filename: str, media_type: MediaType) -> str:
    """The name to show and to offer for download: the uploader's, with the canonical extension when
    it had none, shortened to fit."""
    if _extension(filename):
        stem, _dot, extension = filename.rpartition(".")
    else:
        stem, extension = filename, media_type.extensions[0]
    stem = stem[: MAX_FILENAME - len(extension) - 1].rstrip(" .") or "file"
    return f"{stem}.{extension}"


@dataclass(frozen=True)
class Pruned:
    rows: int  # Media rows no item used, deleted (their files go with them)
    files: int  # files in the media folder with no row (an upload rolled back, say)
    paths: tuple[Path, ...]  # every file to delete once the transaction has committed


# A file younger than this may belong to an upload whose transaction has not committed yet.
PRUNE_GRACE_SECONDS = 3600


def prune(now: float | None = None) -> Pruned:
    """Delete the media rows no item uses and list their files and the files no row names (flushes;
    the caller commits, then calls :func:`delete_files`). Files younger than ``PRUNE_GRACE_SECONDS``
    are left alone: they may be uploads in progress."""
    from courses.models import Item

    used = (
        select(Item.media_id)
        .where(Item.media_id.is_not(None))
        .union(select(Item.captions_id).where(Item.captions_id.is_not(None)))
    )
    unused = db.session.scalars(select(Media).where(Media.id.not_in(used))).all()
    kept = set(db.session.scalars(select(Media.storage_name))) - {media.storage_name for media in unused}
    directory = media_dir()
    moment = now if now is not None else time.time()
    stray = [
        path
        for path in (sorted(directory.iterdir()) if directory.is_dir() else [])
        if path.is_file()
        and path.name not in kept
        and path.name not in {media.storage_name for media in unused}
        and moment - path.stat().st_mtime > PRUNE_GRACE_SECONDS
    ]
    paths = tuple(directory / media.storage_name for media in unused) + tuple(stray)
    for media in unused:
        db.session.delete(media)
    db.session.flush()
    return Pruned(len(unused), len(stray), paths)


def delete_files(pruned: Pruned) -> None:
    """After the commit: remove the files :func:`prune` listed."""
    for path in pruned.paths:
        path.unlink(missing_ok=True)
