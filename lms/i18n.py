"""Languages: locale and time-zone selection, translated data, Ukrainian sorting, formatting."""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g, has_request_context, request, session
from flask_babel import Domain, format_datetime, get_locale
from flask_babel import _get_current_context as _babel_context
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup, escape
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

LOCALE_NAMES = {"uk": "Українська", "en": "English", "fi": "Suomi", "sv": "Svenska"}


def select_locale() -> str:
    """The user's choice (account, then session), then Accept-Language, then the default."""
    locales = current_app.config["LMS_LOCALES"]
    if not has_request_context():  # a CLI command (lms orgs import): no user, session or headers
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    user = current_user
    if user and user.is_authenticated and user.locale in locales:
        return str(user.locale)
    chosen = session.get("locale")
    if chosen in locales:
        return str(chosen)
    best = request.accept_languages.best_match(locales)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    user = current_user
    if user and user.is_authenticated and user.timezone:
        return str(user.timezone)
    return str(current_app.config["LMS_DEFAULT_TIMEZONE"])


def _babel_namespace() -> Any:
    """Flask-Babel's namespace of this app context (where it keeps the locale in force), or None.

    Its own helper reads ``g`` through the proxy three times per call, and a page asks for the
    locale a hundred times (every translated title, number and string): once it exists, it is read
    from the context's ``g`` directly."""
    try:
        namespace = vars(g._get_current_object()).get("_flask_babel")
    except RuntimeError:  # outside an app context
        return None
    return namespace if namespace is not None else _babel_context()


def current_locale() -> str:
    namespace = _babel_namespace()
    locale = getattr(namespace, "babel_locale", None) or get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def current_babel_locale() -> Any:
    """The ``babel.Locale`` in force (Flask-Babel's ``get_locale()``, without its repeated lookups)."""
    return getattr(_babel_namespace(), "babel_locale", None) or get_locale()


class CatalogDomain(Domain):
    """Flask-Babel's message domain, which it asks for the catalog on every text it translates:
    this one keeps the catalog beside the locale in force for the request (``force_locale`` swaps
    the locale, and with it the catalog). A lazy text (a link's label, a form's) costs a third."""

    def get_translations(self) -> Any:
        kept = _beside_locale("lms_translations", lambda _locale: Domain.get_translations(self))
        return kept if kept is not None else super().get_translations()


def _beside_locale(name: str, build: Callable[[Any], Any]) -> Any:
    """``build(locale)`` for the locale in force, kept beside it on Flask-Babel's namespace under
    ``name`` and built again when the locale changes (``force_locale``); None while no locale has
    been chosen yet, or outside a request."""
    namespace = _babel_namespace()
    locale = getattr(namespace, "babel_locale", None)
    if namespace is None or locale is None:
        return None
    kept = getattr(namespace, name, None)
    if kept is None or kept[0] is not locale:
        kept = (locale, build(locale))
        setattr(namespace, name, kept)
    return kept[1]


CATALOGS = CatalogDomain()


def install_catalog_domain(babel: Any) -> None:
    """Make :data:`CATALOGS` the domain Flask-Babel's gettext and lazy_gettext use (its
    ``domain_instance``, otherwise a plain Domain built on first use)."""
    babel.domain_instance = CATALOGS


def _translations() -> Any:
    """This request's catalog (see :class:`CatalogDomain`)."""
    return CATALOGS.get_translations()


def install_template_gettext(app: Any) -> None:
    """Flask-Babel's template callables, minus the repeated lookups (a page calls them dozens of times).

    They behave as Jinja's "new style" gettext (the text is a format string, its values escaped
    when the template autoescapes), but each is one call: Jinja's own wrap ``_`` in two more
    context calls, a third of a page's rendering on text-heavy pages."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: _translations().ugettext(string),
        ngettext=lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )

    def formatted(eval_context: Any, text: str, variables: dict[str, Any]) -> str:
        if eval_context.autoescape:  # the catalog's text is trusted as Jinja trusts it; values are escaped
            text = Markup(text)  # noqa: S704
        if not variables and "%" not in text:  # what formatting it with nothing would give
            return text
        return text % variables

    @pass_eval_context
    def gettext(eval_context: Any, string: str, **variables: Any) -> str:
        return formatted(eval_context, _translations().ugettext(string), variables)

    @pass_eval_context
    def ngettext(eval_context: Any, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return formatted(eval_context, _translations().ungettext(singular, plural, num), variables)

    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)


# Where text missing in a language is looked for first: Finnish and Swedish readers are far likelier to
# read English than Ukrainian (then the default locale, Ukrainian, and any text there is).
FALLBACKS: dict[str, tuple[str, ...]] = {"fi": ("en",), "sv": ("en",)}


@functools.lru_cache(maxsize=64)  # every translated text on a page asks
def fallback_chain(locale: str, default: str = "uk") -> tuple[str, ...]:
    """The languages whose text is shown in ``locale``, best first."""
    chain = (locale, *FALLBACKS.get(locale, ()), default, "uk", "en")
    return tuple(dict.fromkeys(chain))


class Translated(dict[str, str]):
    """Text people see, kept per language: ``{"uk": "…", "en": "…"}``.

    ``str()`` gives the current locale's text, falling back as :func:`fallback_chain` says (Finnish
    and Swedish to English first, then the default locale, then Ukrainian), then to any language.
    """

    def in_locale(self, locale: str | None = None) -> str:
        for code in _chain_for(locale) if locale else _current_chain():
            if self.get(code):
                return self[code]
        return next((text for text in self.values() if text), "")

    def __str__(self) -> str:
        return self.in_locale()

    def __html__(self) -> str:
        return str(escape(self.in_locale()))


def _chain_for(locale: str) -> tuple[str, ...]:
    try:
        default = current_app.config["BABEL_DEFAULT_LOCALE"]
    except RuntimeError:  # outside an app context
        default = "uk"
    return fallback_chain(locale, default)


def _current_chain() -> tuple[str, ...]:
    """The fallback chain of the locale in force, kept beside it (a page shows dozens of titles;
    ``force_locale`` swaps the locale, and so the chain)."""
    kept = _beside_locale("lms_chain", lambda locale: _chain_for(locale.language))
    if kept is not None:
        return kept
    try:
        return _chain_for(current_locale())
    except RuntimeError:  # outside an app context
        return fallback_chain("uk", "uk")


class TranslatedText(TypeDecorator[Translated]):
    """The one column type for translated text: JSON text of ``{locale: text}``."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = {"uk": value}
        clean = {code: text.strip() for code, text in dict(value).items() if text and text.strip()}
        return json.dumps(clean, ensure_ascii=False, sort_keys=True)

    def process_result_value(self, value: Any, dialect: Any) -> Translated | None:
        if value is None:
            return None
        return Translated(json.loads(value))


# Ukrainian alphabetical order, then the letters of neighbouring alphabets, then Latin.
_ALPHABET = " 0123456789аáбвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюяaåäæbcčdeéfghijklmnoöøpqrsštuüvwxyzž"
# Finnish and Swedish: the Latin letters, Å Ä Ö after Z (Æ Ø as Ä Ö, Ü as Y), then Cyrillic.
_NORDIC_ALPHABET = " 0123456789abcdefghijklmnopqrstuvwxyzåäöаáбвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя"
_NORDIC_SAME = {"æ": "ä", "ø": "ö", "ü": "y"}
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _ranks(alphabet: str) -> dict[str, str]:
    return {char: _DIGITS[(i + 1) // 36] + _DIGITS[(i + 1) % 36] for i, char in enumerate(alphabet)}


_RANK = _ranks(_ALPHABET)
_NORDIC_RANK = _ranks(_NORDIC_ALPHABET)
_NORDIC_RANK.update({char: _NORDIC_RANK[same] for char, same in _NORDIC_SAME.items()})
_RANKS_BY_LOCALE = {"fi": _NORDIC_RANK, "sv": _NORDIC_RANK}
_IGNORED = {"'", "ʼ", "’", "`", "-", "‐", ".", ","}


def sort_key(*parts: str | None, locale: str = "uk") -> str:
    """A key that sorts as Ukrainian collation does (Ґ after Г, Є after Е, І and Ї after И); with
    ``locale="fi"`` or ``"sv"``, as Finnish and Swedish do (Å, Ä, Ö after Z).

    Only ``[0-9a-z]`` characters are produced, so the plain string order of any database and
    collation gives the same result on SQLite and PostgreSQL. Apostrophes and hyphens are ignored,
    case is ignored; the parts (surname, given name, patronymic) are compared one after another.
    """
    ranks = _RANKS_BY_LOCALE.get(locale, _RANK)
    out: list[str] = []
    for part in parts:
        for char in unicodedata.normalize("NFC", (part or "").lower()):
            if char in _IGNORED:
                continue
            rank = ranks.get(char)
            if rank is None:
                decomposed = unicodedata.normalize("NFD", char)[0]
                rank = ranks.get(decomposed, "zz")
            out.append(rank)
        out.append("00")
    return "".join(out)[:255]


_APOSTROPHES = str.maketrans({"ʼ": "'", "’": "'", "`": "'", "‘": "'", "ʹ": "'"})


def search_text(*parts: str | None) -> str:
    """Text to search in: case-folded in Python (SQLite's ``lower()`` knows only ASCII), with every
    apostrophe one and the same; a query folded the same way is matched with ``LIKE``."""
    text = " | ".join(part for part in parts if part)
    return unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)


def casefold_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email.strip()).casefold()


_told_at: ContextVar[datetime | None] = ContextVar("lms_told_at", default=None)


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (as stored in the database); inside ``told_at``, that moment."""
    moment = _told_at.get()
    return moment if moment is not None else datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def told_at(moment: datetime) -> Iterator[None]:
    """Run a block as if it were ``moment`` (UTC, naive): the demo tells its story of 2024–2026 through
    the services, and what they record (completions, certificates and what counts them) carries the
    story's dates, not the day the demo was loaded."""
    token = _told_at.set(moment)
    try:
        yield
    finally:
        _told_at.reset(token)


def local_datetime(value: datetime | None, format: str = "medium") -> str:
    """A stored UTC timestamp in the user's time zone and locale."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value, format)
