"""Charts over time: columns per period (e.g. reports and cases per month) with the campaign's
phases marked, and lines (e.g. the overdue rate, the days taken to accept)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from services.reporting.charts.frame import (
    PALETTE,
    Cell,
    Chart,
    Table,
    legend,
    number,
    svg,
    text,
    ticks,
)

# Sized for a whole dashboard card at 1366 px; the page scales it.
LEFT, TOP, BOTTOM, WIDTH, HEIGHT = 56, 70, 30, 1000, 300
LABEL_ROWS, CHAR_W = 3, 11.5  # phase names' rows above the plot; an 11 px CJK glyph's width


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # None: no figure for that period (a gap, never a zero)


@dataclass(frozen=True)
class Mark:
    """A phase of the campaign: from one period to another (keys as the categories)."""

    label: str
    first: str
    last: str


def _frame(categories: list[str], top: float, unit: str, axis: str) -> tuple[list[str], float]:
    """Y axis with its ticks and unit, the x axis with thinned period labels; the y scale."""
    steps = ticks(top)
    plot_h = HEIGHT - TOP - BOTTOM
    scale = plot_h / steps[-1]
    out = [text(4, 14, axis, cls="axis-title")]
    for value in steps:
        y = TOP + plot_h - value * scale
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}"/>')
        out.append(text(LEFT - 6, y + 4, number(value, unit), "end", "tick"))
    base = TOP + plot_h
    out.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - 8}" y1="{base}" y2="{base}"/>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{base}"/>')
    step = _step(categories)
    every = max(1, math.ceil(len(categories) / 9))
    for i, label in enumerate(categories):
        if i % every == 0:
            out.append(text(LEFT + (i + 0.5) * step, base + 16, label, "middle", "tick"))
    return out, scale


def _step(categories: list[str]) -> float:
    return (WIDTH - 8 - LEFT) / max(len(categories), 1)


def _marks(categories: list[str], marks: Sequence[Mark]) -> list[str]:
    """A shaded band per phase with its name above; a name goes in the first row where it does
    not run into the name before it (phases overlap: the campaign year holds its quarters)."""
    out, step = [], _step(categories)
    last_key = categories[-1] if categories else ""
    ends = [0.0] * LABEL_ROWS  # where each row's last name ends
    for mark in (m for m in marks if m.first <= last_key and m.last >= categories[0]):
        a = next(i for i, c in enumerate(categories) if c >= mark.first)
        b = max(i for i, c in enumerate(categories) if c <= mark.last)
        x, w = LEFT + a * step, (b - a + 1) * step
        row = next((r for r, end in enumerate(ends) if end < x), ends.index(min(ends)))
        ends[row] = x + 3 + len(mark.label) * CHAR_W
        y = 30 + row * 13
        out.append(
            f'<rect class="phase" x="{x:.1f}" y="{TOP}" width="{w:.1f}" '
            f'height="{HEIGHT - TOP - BOTTOM}"></rect>'
        )
        out.append(
            f'<line class="phase-edge" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" '
            f'y2="{HEIGHT - BOTTOM}"/>'
        )
        out.append(text(x + 3, y, mark.label, cls="phase-label"))
    return out


def column_chart(
    testid: str,
    title: str,
    categories: list[str],
    series: list[Series],
    unit: str,
    marks: Sequence[Mark] = (),
    x_name: str = "",
) -> Chart:
    """Grouped columns, one group per period, one colour per series."""
    top = max((v or 0 for s in series for v in s.values), default=0)
    body, scale = _frame(categories, top, "", unit)
    body += _marks(categories, marks)
    step = _step(categories)
    width = max(step * 0.8 / max(len(series), 1), 1)
    for k, s in enumerate(series):
        for i, value in enumerate(s.values):
            h = (value or 0) * scale
            x = LEFT + i * step + step * 0.1 + k * width
            body.append(
                f'<rect class="col" x="{x:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{width:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[k]}"><title>{categories[i]} {s.name}: '
                f"{number(value or 0)}</title></rect>"
            )
    body += legend(WIDTH - 300, 14, [s.name for s in series])
    return Chart(
        testid,
        title,
        svg(testid, title, WIDTH, HEIGHT, body, "time"),
        _table(x_name, categories, series, ""),
    )


def line_chart(
    testid: str,
    title: str,
    categories: list[str],
    series: list[Series],
    unit: str,
    axis: str,
    x_name: str = "",
) -> Chart:
    """A line per series; a period without a figure breaks the line."""
    top = max((v or 0 for s in series for v in s.values), default=0)
    body, scale = _frame(categories, top, unit, axis)
    step = _step(categories)
    for k, s in enumerate(series):
        runs: list[list[str]] = [[]]
        for i, value in enumerate(s.values):
            if value is None:
                runs.append([])
                continue
            x, y = LEFT + (i + 0.5) * step, HEIGHT - BOTTOM - value * scale
            runs[-1].append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{PALETTE[k]}">'
                f"<title>{categories[i]} {s.name}: {number(value, unit)}</title></circle>"
            )
        for run in (r for r in runs if len(r) > 1):
            body.append(
                f'<polyline class="line" stroke="{PALETTE[k]}" points="{" ".join(run)}"></polyline>'
            )
    body += legend(WIDTH - 300, 14, [s.name for s in series])
    return Chart(
        testid,
        title,
        svg(testid, title, WIDTH, HEIGHT, body, "time"),
        _table(x_name, categories, series, unit),
    )


def _table(x_name: str, categories: list[str], series: list[Series], unit: str) -> Table:
    rows = [
        [Cell(c)]
        + [
            Cell("—" if s.values[i] is None else number(s.values[i] or 0, unit), number=True)
            for s in series
        ]
        for i, c in enumerate(categories)
    ]
    return Table([x_name, *(s.name for s in series)], rows)
