"""A question's texts as safe HTML, whatever their format: Markdown through the lessons' renderer,
HTML (and Moodle's auto-format) sanitised by the same rules, plain text escaped."""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from courses import markdown


@lru_cache(maxsize=4096)  # quiz pages show the same stems and feedback again and again
def render_text(text: str, fmt: str) -> Markup:
    """``text`` written in ``fmt`` (interchange.FORMATS) as HTML a page may include."""
    text = text or ""
    if fmt == "markdown":
        return markdown.render(text)
    if fmt == "html":
        return markdown.sanitise(text.replace("<h1>", "<h2>").replace("</h1>", "</h2>"))
    if fmt == "moodle":
        # Moodle's auto-format: HTML is allowed and each line break is kept.
        return markdown.sanitise("<p>" + text.strip().replace("\n", "<br>") + "</p>")
    return Markup("<p>") + escape(text.strip()).replace("\n", Markup("<br>")) + Markup("</p>")
