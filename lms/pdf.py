"""HTML to PDF with xhtml2pdf and the Roboto fonts (Cyrillic), for every PDF Kaskad makes.

xhtml2pdf brings reportlab, pypdf, html5lib and Pillow: imported on the first PDF, not by every
worker at start, so a worker that only serves pages stays small.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

import font_roboto

FONT_DIR = Path(font_roboto.font_directory)
FONTS = {"regular": FONT_DIR / "Roboto-Regular.ttf", "bold": FONT_DIR / "Roboto-Bold.ttf"}


@functools.cache
def policy() -> Any:
    """What xhtml2pdf may open: the font files, nothing remote."""
    from xhtml2pdf.config.resources import ResourceAccessPolicy

    return ResourceAccessPolicy.server(None, extra_roots=(FONT_DIR,), allow_remote=False)


def html_to_pdf(html: str) -> bytes | None:
    """The PDF of ``html``; None when xhtml2pdf reported errors."""
    from xhtml2pdf import pisa

    out = io.BytesIO()
    status = pisa.CreatePDF(html, dest=out, encoding="utf-8", resource_policy=policy(), raise_exception=False)
    return None if status.err else out.getvalue()
