"""Message catalogs of the core and the plugins: extract, update, compile, check.

``python -m lms.catalogs update`` (``make messages``) re-extracts each package's messages into
``<package>/translations/messages.pot``, merges them into the ``uk``, ``en``, ``fi`` and ``sv``
catalogs and compiles the ``.mo`` files, which are committed so ``pip install -e .`` is enough.
Source messages are English, so the English catalog is filled from them.
``python -m lms.catalogs check`` lists untranslated and fuzzy entries and stale files.
"""

from __future__ import annotations

import copy
import io
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("lms", "courses", "certificates")
LOCALES = ("uk", "en", "fi", "sv")
SOURCE_LOCALE = "en"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}
METHOD_MAP = [("**/migrations/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]
# A fixed creation date: a date that changed on every extraction made every catalog differ in its
# header alone, and branches that both touched messages conflict there.
CREATION_DATE = datetime(2026, 1, 1, tzinfo=UTC)
OPTIONS = {
    "**/templates/**.html": {
        # Every extension the templates use, or the extractor skips the template without a word.
        "extensions": "jinja2.ext.i18n,lms.fragments.FragmentCacheExtension",
        "newstyle_gettext": "true",
    }
}


def translations_dir(package: str) -> Path:
    return ROOT / package / "translations"


def po_path(package: str, locale: str) -> Path:
    return translations_dir(package) / locale / "LC_MESSAGES" / "messages.po"


def extract(package: str) -> Catalog:
    """The messages the package's code and templates use, as a template catalog."""
    catalog = Catalog(project="Kaskad", version="", charset="utf-8", fuzzy=False, creation_date=CREATION_DATE)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / package, METHOD_MAP, OPTIONS, KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    ):
        catalog.add(
            message, None, [(f"{package}/{filename}", lineno)], auto_comments=comments, context=context
        )
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, omit_header=False, include_lineno=False)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def read(package: str, locale: str) -> Catalog:
    with po_path(package, locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def update(package: str) -> None:
    template = extract(package)
    if not len(template):
        return
    folder = translations_dir(package)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "messages.pot").write_bytes(_po_bytes(template))
    for locale in LOCALES:
        path = po_path(package, locale)
        if path.exists():
            catalog = read(package, locale)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=locale, project="Kaskad", charset="utf-8")
        # A copy each: Catalog.update() adds the template's own Message objects for new entries, so
        # filling the English strings below would fill them into the catalogs after it (fi, sv) too.
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        if locale == SOURCE_LOCALE:
            for message in catalog:
                if (message.id and not message.string) or message.string == ("",) * len(message.string or ()):
                    message.string = message.id
                    message.flags.discard("fuzzy")
        catalog.fuzzy = False
        path.write_bytes(_po_bytes(catalog))
        path.with_suffix(".mo").write_bytes(_mo_bytes(catalog))


def _ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def problems(package: str) -> Iterator[str]:
    """Untranslated and fuzzy entries, format mismatches and stale files of one package."""
    template = extract(package)
    pot = translations_dir(package) / "messages.pot"
    if not len(template):
        return
    if not pot.exists() or _ids(read_po(pot.open("rb"))) != _ids(template):
        yield f"{package}: messages.pot is stale (run `make messages`)"
    for locale in LOCALES:
        path = po_path(package, locale)
        if not path.exists():
            yield f"{path}: missing"
            continue
        catalog = read(package, locale)
        ids = {m.id for m in catalog if m.id}
        for message in template:
            if message.id and message.id not in ids:
                yield f"{path}: missing {message.id!r}"
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings) or (len(strings) < catalog.num_plurals and message.pluralizable):
                yield f"{path}: untranslated {message.id!r}"
            if message.fuzzy:
                yield f"{path}: fuzzy {message.id!r}"
        for message, errors in catalog.check():
            for error in errors:
                yield f"{path}: {message.id!r}: {error}"
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != _mo_bytes(catalog):
            yield f"{mo}: stale (run `make messages`)"


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        for package in PACKAGES:
            update(package)
        return 0
    found = [problem for package in PACKAGES for problem in problems(package)]
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
