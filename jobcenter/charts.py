"""Server-rendered charts: bar and line charts as SVG, no JavaScript.

A selector builds a `Chart` (the figures, already rounded as the page rounds them); the
template partial `includes/chart.html` shows it as a <figure>: the SVG (role="img", named
by the caption) and the same figures as a table, for screen readers and for print.

Colour never carries the meaning alone: each bar series has its own fill pattern (solid,
hatched, dotted, cross-hatched), each line its own marker shape and dash, the values stand
on the bars and points, and lines are labelled at their end. Numbers and dates are German
(decimal comma). All colours reach 3:1 against white (WCAG 1.4.11).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

from .numbers import german_decimal

Number = Decimal | int | float | None

WIDTH = 720
HEIGHT = 300
FONT = 12
# Blue, brown, dark grey, purple, green, red: 7:1, 6:1, 10:1, 8:1, 5:1, 6:1 on white.
COLOURS = ("#0b4f8a", "#8a4500", "#3d3d3d", "#5b2a86", "#2e6b1f", "#a3000b")
PATTERNS = ("solid", "hatch", "dots", "cross")
MARKERS = ("circle", "square", "triangle", "diamond")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
TARGET_COLOUR = "#a3000b"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Number]
    # Decimals of this series' labels when they differ from the chart's; -1: only when the
    # value is not whole (12,5 but 25), as the page's |floatformat:"-1".
    digits: int | None = None


@dataclass(frozen=True)
class Chart:
    """One chart's figures. `categories` are the x axis (a "\\n" breaks a label into two
    lines; the table shows it on one); `target` is drawn as a dashed step line."""

    key: str
    title: str
    kind: Literal["bar", "line"]
    categories: Sequence[str]
    series: Sequence[Series]
    category_header: str
    unit: str = ""
    digits: int = 0
    target: Series | None = None
    y_max: Number = None
    note: str = ""
    empty_text: str = ""
    suffix: str = field(default="")  # after each value in labels and table, e.g. " %"

    @property
    def is_empty(self) -> bool:
        return not self.categories or all(v is None for s in self.series for v in s.values)

    def format(self, value: Number, digits: int | None = None) -> str:
        if value is None:
            return "–"
        number = Decimal(str(value))
        digits = self.digits if digits is None else digits
        if digits < 0:
            digits = 0 if number == number.to_integral_value() else -digits
        return german_decimal(number, digits) + self.suffix

    @property
    def header(self) -> list[str]:
        columns = [self.category_header]
        unit = f" ({self.unit})" if self.unit else ""
        columns += [f"{s.label}{unit}" for s in self.series]
        if self.target is not None:
            columns.append(f"{self.target.label}{unit}")
        return columns

    @property
    def rows(self) -> list[list[str]]:
        """The table under the chart: one row per category, the values as the chart labels
        them."""
        rows = []
        for i, category in enumerate(self.categories):
            row = [category.replace("\n", " ")]
            row += [self.format(s.values[i], s.digits) for s in self.series]
            if self.target is not None:
                row.append(self.format(self.target.values[i], self.target.digits))
            rows.append(row)
        return rows

    def svg(self) -> SafeString:
        return mark_safe(_render(self))  # every text and attribute is escaped in _render


# --- rendering ---------------------------------------------------------------------------


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Axis ticks from 0 to at least `top`, at a step of 1, 2, 2.5 or 5 times a power of ten."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


def _tick_label(value: float, unit_suffix: str) -> str:
    text = german_decimal(Decimal(str(value)), 0 if float(value).is_integer() else 1)
    return text + unit_suffix


def _text(x, y, text, *, anchor="middle", size=FONT, weight="normal", extra="") -> str:
    lines = str(text).split("\n")
    if len(lines) == 1:
        body = escape(lines[0])
    else:
        body = "".join(
            f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size + 1}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="#1a1a1a"{extra}>{body}</text>'
    )


def _pattern_defs(key: str, n: int) -> str:
    defs = []
    for i in range(n):
        colour, kind = COLOURS[i % len(COLOURS)], PATTERNS[i % len(PATTERNS)]
        pid = f"{key}-p{i}"
        if kind == "solid":
            continue
        if kind == "hatch":
            body = (
                f'<path d="M-1,1 l2,-2 M0,8 l8,-8 M7,9 l2,-2" stroke="{colour}" stroke-width="2"/>'
            )
        elif kind == "dots":
            body = f'<circle cx="2" cy="2" r="1.6" fill="{colour}"/><circle cx="6" cy="6" r="1.6" fill="{colour}"/>'
        else:
            body = f'<path d="M0,0 L8,8 M8,0 L0,8" stroke="{colour}" stroke-width="1.5"/>'
        defs.append(
            f'<pattern id="{pid}" width="8" height="8" patternUnits="userSpaceOnUse">'
            f'<rect width="8" height="8" fill="#fff"/>{body}</pattern>'
        )
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def _fill(key: str, i: int) -> str:
    if PATTERNS[i % len(PATTERNS)] == "solid":
        return COLOURS[i % len(COLOURS)]
    return f"url(#{key}-p{i})"


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return (
            f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" '
            f'fill="{colour}"/>'
        )
    return (
        f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} '
        f'L{x - 5:.1f},{y:.1f} Z" fill="#fff" stroke="{colour}" stroke-width="2"/>'
    )


def _legend_swatch(chart: Chart, i: int, x: float, y: float) -> str:
    colour = COLOURS[i % len(COLOURS)]
    if chart.kind == "bar":
        return (
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="14" height="12" fill="{_fill(chart.key, i)}" '
            f'stroke="{colour}" stroke-width="1.5"/>'
        )
    dash = DASHES[i % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x - 4:.1f}" y1="{y - 4:.1f}" x2="{x + 18:.1f}" y2="{y - 4:.1f}" '
        f'stroke="{colour}" stroke-width="2"{dash_attr}/>'
        + _marker(MARKERS[i % len(MARKERS)], x + 7, y - 4, colour)
    )


def _render(chart: Chart) -> str:
    key = escape(chart.key)
    n = len(chart.categories)
    wrapped = any("\n" in c for c in chart.categories)
    line_labels = chart.kind == "line"
    # The legend wraps into rows; the plot starts below it.
    entries = [(i, s.label) for i, s in enumerate(chart.series)]
    if chart.target is not None:
        entries.append((-1, chart.target.label))
    legend: list[tuple[int, str, float, float]] = []
    x: float = 56
    row = 0
    for i, label in entries:
        width = 22 + 6.5 * len(label) + 20
        if x + width > WIDTH and x > 56:
            x, row = 56, row + 1
        legend.append((i, label, x, 18 + 17 * row))
        x += width
    left, right, top = 56, (170 if line_labels else 16), 18 + 17 * row + 30
    bottom = 44 if wrapped else 30
    plot_w, plot_h = WIDTH - left - right, HEIGHT - top - bottom
    values = [float(v) for s in chart.series for v in s.values if v is not None]
    if chart.target is not None:
        values += [float(v) for v in chart.target.values if v is not None]
    top_value = float(chart.y_max) if chart.y_max is not None else max(values, default=0) * 1.1
    ticks = nice_ticks(top_value)
    y_top = ticks[-1] or 1

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * float(value) / y_top

    slot = plot_w / max(n, 1)

    def x_of(i: int) -> float:
        return left + slot * (i + 0.5)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="app-chart__svg" role="img" aria-labelledby="{key}-caption" focusable="false">',
        _pattern_defs(key, len(chart.series)) if chart.kind == "bar" else "",
    ]
    # Legend, top left: the swatch repeats the pattern or marker, the text names it.
    for i, label, x, y in legend:
        if i < 0:
            parts.append(
                f'<line x1="{x - 4:.1f}" y1="{y - 4}" x2="{x + 18:.1f}" y2="{y - 4}" '
                f'stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>'
            )
        else:
            parts.append(_legend_swatch(chart, i, x, y))
        parts.append(_text(x + 22, y, label, anchor="start"))
    # Axes and grid.
    unit_suffix = chart.suffix.strip() and chart.suffix
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{"#1a1a1a" if tick == 0 else "#d0d0d0"}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, _tick_label(tick, unit_suffix), anchor="end"))
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#1a1a1a"/>')
    if chart.unit:
        parts.append(_text(4, top - 12, chart.unit, anchor="start", size=11))
    # Category labels; every k-th one when they would overlap.
    longest = max((max(len(p) for p in c.split("\n")) for c in chart.categories), default=1)
    every = max(1, math.ceil((longest * 7 + 6) / slot))
    for i, category in enumerate(chart.categories):
        if i % every == 0:
            parts.append(_text(x_of(i), top + plot_h + 16, category))
    if chart.kind == "bar":
        parts.append(_bars(chart, key, slot, x_of, y_of))
    else:
        parts.append(_lines(chart, x_of, y_of, left + plot_w))
    if chart.target is not None:
        parts.append(_target(chart.target, slot, x_of, y_of))
    parts.append("</svg>")
    return "".join(parts)


def _bars(chart: Chart, key: str, slot: float, x_of, y_of) -> str:
    m = len(chart.series)
    bar_w = slot * 0.8 / max(m, 1)
    show_values = bar_w >= 14
    parts = []
    for i, series in enumerate(chart.series):
        colour = COLOURS[i % len(COLOURS)]
        for j, value in enumerate(series.values):
            if value is None:
                continue
            x = x_of(j) - slot * 0.4 + bar_w * i
            y = y_of(value)
            height = max(0.0, y_of(0) - y)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{height:.1f}" '
                f'fill="{_fill(key, i)}" stroke="{colour}" stroke-width="1.5"/>'
            )
            if show_values:
                parts.append(
                    _text(x + (bar_w - 1) / 2, y - 4, chart.format(value, series.digits), size=11)
                )
    return "".join(parts)


def _lines(chart: Chart, x_of, y_of, right_edge: float) -> str:
    parts = []
    show_values = len(chart.categories) <= 12 and len(chart.series) <= 2
    ends: list[tuple[float, str, str]] = []
    for i, series in enumerate(chart.series):
        colour = COLOURS[i % len(COLOURS)]
        dash = DASHES[i % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        # A missing value breaks the line: no line drawn across a day without figures.
        segment: list[str] = []
        segments = []
        for j, value in enumerate(series.values):
            if value is None:
                if segment:
                    segments.append(segment)
                segment = []
                continue
            segment.append(f"{x_of(j):.1f},{y_of(value):.1f}")
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) > 1:
                parts.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{dash_attr}/>'
                )
        last = None
        for j, value in enumerate(series.values):
            if value is None:
                continue
            x, y = x_of(j), y_of(value)
            parts.append(_marker(MARKERS[i % len(MARKERS)], x, y, colour))
            if show_values:
                offset = -9 if i % 2 == 0 else 18
                parts.append(_text(x, y + offset, chart.format(value, series.digits), size=11))
            last = (y, series.label, chart.format(value, series.digits))
        if last is not None:
            ends.append(last)
    # Direct labels at the right end, pushed apart so they never overlap.
    ends.sort()
    placed: list[float] = []
    for end_y, label, text in ends:
        if placed and end_y < placed[-1] + 14:
            end_y = placed[-1] + 14
        placed.append(end_y)
        short = label if len(label) <= 20 else label[:19] + "…"
        parts.append(_text(right_edge + 8, end_y + 4, f"{short}: {text}", anchor="start", size=11))
    return "".join(parts)


def _target(target: Series, slot: float, x_of, y_of) -> str:
    parts = []
    for j, value in enumerate(target.values):
        if value is None:
            continue
        y = y_of(value)
        parts.append(
            f'<line x1="{x_of(j) - slot / 2:.1f}" y1="{y:.1f}" x2="{x_of(j) + slot / 2:.1f}" '
            f'y2="{y:.1f}" stroke="{TARGET_COLOUR}" stroke-width="2" stroke-dasharray="5 3"/>'
        )
    return "".join(parts)
