"""A question's texts as safe HTML, whatever their format: Markdown through the lessons' renderer,
HTML (and Moodle's auto-format) sanitised by the same rules, plain text escaped."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markupsafe import Markup, escape

from courses import markdown


def _clean(html: str) -> Markup:
    clean = nh3.clean(
        html,
        tags=markdown.ALLOWED_TAGS,
        attributes=markdown.ALLOWED_ATTRIBUTES,
        url_schemes=markdown.URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)


@lru_cache(maxsize=4096)  # quiz pages show the same stems and feedback again and again
def render_text(text: str, fmt: str) -> Markup:
    """``text`` written in ``fmt`` (interchange.FORMATS) as HTML a page may include."""
    text = text or ""
    if fmt == "markdown":
        return markdown.render(text)
    if fmt == "html":
        return _clean(text.replace("<h1>", "<h2>").replace("</h1>", "</h2>"))
    if fmt == "moodle":
        # Moodle's auto-format: HTML is allowed and each line break is kept.
        return _clean("<p>" + text.strip().replace("\n", "<br>") + "</p>")
    return Markup("<p>") + escape(text.strip()).replace("\n", Markup("<br>")) + Markup("</p>")
