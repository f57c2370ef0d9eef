"""Charts drawn on the server as SVG: a title, a description and the data table go beside each one, so
they read without JavaScript, print, and never rely on colour alone (every bar carries its number)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from lms.plugins import HeatMapData

# Dark blue on white: 8.6:1 contrast for bars and text alike (WCAG 2.1 AA asks 3:1 for graphics).
BAR = "#1f4e79"
TEXT = "#1b1b1b"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown (formatted for the locale)


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar], width: int = 640) -> Markup:
    """Horizontal bars with their labels and values written out; ``role="img"`` with a title and a
    description that name what the chart shows (its numbers are in the table beside it)."""
    label_width, row, gap = 200, 22, 6
    height = max(1, len(bars)) * (row + gap) + gap
    largest = max((bar.value for bar in bars), default=0) or 1
    room = width - label_width - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = gap + index * (row + gap)
        length = max(1.0, room * bar.value / largest) if bar.value else 0
        label = bar.label if len(bar.label) <= 30 else bar.label[:29] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + row * 0.7:.1f}" text-anchor="end" font-size="13" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{row}" fill="{BAR}"/>')
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + row * 0.7:.1f}" font-size="13" '
            f'fill="{TEXT}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def column_chart(
    chart_id: str, title: str, description: str, bars: Sequence[Bar], width: int = 640
) -> Markup:
    """Vertical columns over time (a trend), each labelled under it and numbered above it."""
    height, bottom, top = 228, 44, 22
    count = max(1, len(bars))
    step = width / count
    largest = max((bar.value for bar in bars), default=0) or 1
    room = height - bottom - top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="{TEXT}"/>',
    ]
    for index, bar in enumerate(bars):
        x = index * step + step * 0.15
        size = room * bar.value / largest
        y = height - bottom - size
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{size:.1f}" fill="{BAR}"/>'
        )
        parts.append(
            f'<text x="{x + step * 0.35:.1f}" y="{y - 5:.1f}" text-anchor="middle" font-size="12" '
            f'fill="{TEXT}">{escape(bar.text)}</text>'
        )
        # A label such as "4 квартал 2025" on two lines ("4 квартал" over "2025"): eight of them on
        # one line ran into each other.
        head, _space, tail = bar.label.rpartition(" ")
        centre = f"{x + step * 0.35:.1f}"
        lines = "".join(
            f'<tspan x="{centre}" dy="{0 if number == 0 else 14}">{escape(line)}</tspan>'
            for number, line in enumerate(line for line in (head, tail) if line)
        )
        parts.append(
            f'<text x="{centre}" y="{height - bottom + 18}" text-anchor="middle" '
            f'font-size="12" fill="{TEXT}">{lines}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


# Five shades of the bar colour, lightest first, with the text colour that keeps 4.5:1 on each.
SHADES = (("#e8f0f8", TEXT), ("#bcd3ea", TEXT), ("#7fa9d3", TEXT), ("#3f74a8", "#ffffff"), (BAR, "#ffffff"))


def heat_map(
    chart_id: str, title: str, description: str, data: HeatMapData, shown: Callable[[float], str]
) -> Markup:
    """A grid of shares (rows × columns): each cell is shaded by its share and has it written in it
    (``shown``), an empty cell (nothing to count) is white with a dash."""
    label_width, cell, head = 270, 46, 130
    # Room on the right for the last column's slanted label.
    width = label_width + cell * max(1, len(data.columns)) + 100
    height = head + cell * max(1, len(data.rows))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heat-map" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, (_key, label) in enumerate(data.columns):
        x = label_width + index * cell + cell / 2
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{x:.1f}" y="{head - 8}" font-size="12" fill="{TEXT}" '
            f'transform="rotate(-50 {x:.1f} {head - 8})">{escape(short)}</text>'
        )
    for row_index, (row_key, label) in enumerate(data.rows):
        y = head + row_index * cell
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + cell * 0.6:.1f}" text-anchor="end" font-size="12" '
            f'fill="{TEXT}">{escape(short)}</text>'
        )
        for column_index, (column_key, _label) in enumerate(data.columns):
            x = label_width + column_index * cell
            found = data.cells.get((row_key, column_key))
            share = found.share if found is not None else None
            if share is None:
                fill, ink, text = "#ffffff", TEXT, "—"
            else:
                fill, ink = SHADES[min(len(SHADES) - 1, int(share * len(SHADES)))]
                text = shown(share)
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{fill}" stroke="#767676"/>'
            )
            parts.append(
                f'<text x="{x + (cell - 2) / 2:.1f}" y="{y + cell * 0.58:.1f}" text-anchor="middle" '
                f'font-size="11" fill="{ink}">{escape(text)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())
