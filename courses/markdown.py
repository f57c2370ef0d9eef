"""Markdown for lessons: rendered with markdown-it (CommonMark), then sanitised with nh3 (Ammonia),
so a script, an event handler, a ``javascript:`` link or an SVG payload is always inert."""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"scope"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@functools.lru_cache(maxsize=256)
def render(text: str) -> Markup:
    """Safe HTML for Markdown written by an author (or imported from a package).

    Kept for the texts rendered last (a lesson's body and transcript are the same on every visit,
    and parsing and sanitising them is much of the cost of a lesson page); keyed by the text itself,
    so an edited text is rendered anew."""
    html = _PARSER.render(text or "")
    # Headings start at level 2: the page's own title is the only h1.
    return sanitise(html.replace("<h1>", "<h2>").replace("</h1>", "</h2>"))


def sanitise(html: str) -> Markup:
    """HTML kept to the tags, attributes and link schemes lessons allow (the one rule set for all text
    people write: lessons, questions, framework descriptions)."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)
