"""Certificate PDFs: a template (HTML and CSS) rendered by Jinja in a sandbox, then by xhtml2pdf.

The font is Roboto from the ``font-roboto`` package (Apache-2.0, a dependency, so ``pip install`` is
the whole install); it covers Ukrainian (Ґ Є І Ї, ʼ, №) and the Nordic letters. xhtml2pdf reads local
files only under the folders its resource policy names: the font's folder is named, or Cyrillic comes
out as boxes without any error. Nothing else is read and nothing is fetched. The QR code is a PNG data
URI (segno), which every xhtml2pdf version reads.

Templates written by administrators run in Jinja's sandbox: they see the variables documented in
:data:`VARIABLES` and nothing of the application.
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from flask_babel import lazy_gettext as _l
from jinja2 import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from lms.pdf import FONTS
from lms.pdf import html_to_pdf as pdf_of_html

PACKAGE_DIR = Path(__file__).parent
DEFAULT_TEMPLATE = PACKAGE_DIR / "templates" / "certificates" / "pdf" / "default.html"

# What a template may use, documented on the template page.
VARIABLES: dict[str, Any] = {
    "fonts.regular, fonts.bold": _l("paths of the fonts, for @font-face (keep them)"),
    "number": _l("the certificate's number"),
    "holder": _l("the learner's full name"),
    "holder_latin": _l("the name in Latin letters (Ukraine's official transliteration)"),
    "job": _l("the learner's job"),
    "organisation": _l("the learner's home organisation"),
    "hub": _l("the learner's hub"),
    "region": _l("the learner's region"),
    "course": _l("the course title"),
    "course_code": _l("the course code"),
    "hours": _l("the course's hours"),
    "credits": _l("the course's ECTS credits (empty when it has none)"),
    "competences": _l("a list; each has name, framework, idnumber and level"),
    "cohort": _l("the cohort's title"),
    "trainers": _l("a list of the trainers' names"),
    "issuer": _l("the issuing organisation"),
    "issued_on": _l("the date of issue, formatted"),
    "expires_on": _l("the expiry date, formatted (empty when it never expires)"),
    "verify_url": _l("the address of the verification page"),
    "qr": _l("the QR code of that address, as an image address for <img src>"),
    "labels": _l("the default template's words, in the certificate's language"),
}

_environment = ImmutableSandboxedEnvironment(autoescape=True)


class TemplateProblem(ValueError):
    """A template cannot be rendered: its message says why."""


class RenderError(RuntimeError):
    """xhtml2pdf reported errors: the PDF could not be made."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    sha256: str


def default_template() -> str:
    return DEFAULT_TEMPLATE.read_text(encoding="utf-8")


# segno tries all eight masks and scores each when none is given: four fifths of a certificate's
# context (about 3 ms of 6). Every mask is valid and decodes; the scoring only avoids patterns that
# are hard for poor scanners, which a verification URL printed at this size does not come near.
QR_MASK = 4


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as a PNG data URI."""
    import segno  # on the first certificate, not in every worker

    out = io.BytesIO()
    segno.make(url, error="m", mask=QR_MASK).save(out, kind="png", scale=4, border=2)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def formatted(day: date | None, locale: str) -> str:
    """``day`` in ``locale``'s long form (babel directly: no request locale is switched)."""
    return format_date(day, "long", locale=locale) if day else ""


@functools.lru_cache(maxsize=64)
def compile_template(source: str) -> Any:
    """The Jinja template of ``source`` (compiled once per process), or :class:`TemplateProblem`."""
    try:
        return _environment.from_string(source)
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        raise TemplateProblem(f"{error.message or error} (line {line})" if line else str(error)) from error


def render_html(source: str, context: dict[str, Any]) -> str:
    template = compile_template(source)
    fonts = {name: path.as_posix() for name, path in FONTS.items()}
    try:
        return str(template.render(fonts=fonts, **context))
    except TemplateError as error:
        raise TemplateProblem(str(error)) from error
    except (TypeError, ValueError, AttributeError, KeyError) as error:  # a bad filter argument, …
        raise TemplateProblem(str(error)) from error


def html_to_pdf(html: str) -> bytes:
    pdf = pdf_of_html(html)
    if pdf is None:
        raise RenderError("xhtml2pdf could not make the certificate")
    return pdf


def render(source: str, context: dict[str, Any]) -> bytes:
    """The PDF of template ``source`` with ``context`` (see :data:`VARIABLES`)."""
    return html_to_pdf(render_html(source, context))
