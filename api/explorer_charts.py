"""Small server-drawn SVG bar charts for the dashboard: no JavaScript, a title and a description
for screen readers, and the same numbers in a table beside each chart."""

from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

LABEL_WIDTH, BAR_WIDTH, ROW, TOP, FONT = 330, 520, 26, 10, 12


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _ticks(maximum: float, count: int = 5) -> list[float]:
    step = maximum / count
    return [round(step * i, 6) for i in range(count + 1)]


def _short(text: str, width: int = 46) -> str:
    """The text cut in the middle, so that names differing at the end ("(1 van 3)") stay apart."""
    if len(text) <= width:
        return text
    tail = width // 3
    return text[:width - tail - 1].rstrip() + "…" + text[-tail:].lstrip()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [f'<svg id="{chart_id}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
            f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-t">{escape(title)}</title>'
            f'<desc id="{chart_id}-d">{escape(description)}</desc>']


def horizontal_bars(chart_id: str, title: str, description: str, rows: list[tuple[str, list[tuple[str, float, str]]]],
                    axis_label: str) -> Markup:
    """One bar per row, stacked from segments ``(group, value, colour)``; the row label on the left."""
    maximum = _nice_max(max((sum(v for _, v, _ in segments) for _, segments in rows), default=0))
    height = TOP + ROW * len(rows) + 46
    out = _open(chart_id, LABEL_WIDTH + BAR_WIDTH + 40, height, title, description)
    scale = BAR_WIDTH / maximum
    out.append('<g class="axis">')
    for tick in _ticks(maximum):
        x = LABEL_WIDTH + tick * scale
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + ROW * len(rows)}" stroke-dasharray="2 3"/>'
                   f'<text x="{x:.1f}" y="{TOP + ROW * len(rows) + 16}" text-anchor="middle">{_number(tick)}</text>')
    out.append(f'<text x="{LABEL_WIDTH + BAR_WIDTH / 2}" y="{height - 8}" text-anchor="middle">{escape(axis_label)}</text></g>')
    for i, (label, segments) in enumerate(rows):
        y = TOP + i * ROW
        out.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + ROW / 2 + 4}" text-anchor="end"><title>{escape(label)}</title>'
                   f'{escape(_short(label))}</text>')
        x = LABEL_WIDTH
        for group, value, colour in segments:
            width = value * scale
            out.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{width:.1f}" height="{ROW - 8}" fill="{colour}" '
                       f'stroke="#1a1a1a" stroke-width="1"><title>{escape(label)}: {escape(group)} {_number(value)}</title></rect>')
            x += width
        total = sum(v for _, v, _ in segments)
        out.append(f'<text x="{x + 6:.1f}" y="{y + ROW / 2 + 4}">{_number(total)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def vertical_bars(chart_id: str, title: str, description: str, columns: list[tuple[str, list[tuple[str, float, str]]]],
                  axis_label: str) -> Markup:
    """One stacked column per label (e.g. a year), segments ``(series, value, colour)`` from the bottom."""
    maximum = _nice_max(max((sum(v for _, v, _ in segments) for _, segments in columns), default=0))
    plot_h, left, width = 260, 60, max(420, 70 * len(columns) + 80)
    height = plot_h + 60
    out = _open(chart_id, width, height, title, description)
    scale = plot_h / maximum
    out.append('<g class="axis">')
    for tick in _ticks(maximum):
        y = 10 + plot_h - tick * scale
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke-dasharray="2 3"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_number(tick)}</text>')
    out.append(f'<text transform="translate(14 {10 + plot_h / 2}) rotate(-90)" text-anchor="middle">{escape(axis_label)}</text></g>')
    slot = (width - left - 20) / max(len(columns), 1)
    for i, (label, segments) in enumerate(columns):
        x = left + 10 + i * slot
        bar = min(slot * 0.6, 48)
        y = 10 + plot_h
        for series, value, colour in segments:
            h = value * scale
            y -= h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}" stroke="#1a1a1a" '
                       f'stroke-width="1"><title>{escape(label)}: {escape(series)} {_number(value)}</title></rect>')
        out.append(f'<text x="{x + bar / 2:.1f}" y="{10 + plot_h + 18}" text-anchor="middle">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def legend(items: list[tuple[str, str]]) -> list[dict]:
    """Legend entries ``{"label", "fill"}`` for a chart's template."""
    return [{"label": label, "fill": colour} for label, colour in items]
