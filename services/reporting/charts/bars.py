"""Horizontal bars, one row per county, unit or problem, one bar per series (e.g. cases and the
substantiated among them; or three rates side by side), with a value axis below."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

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

# Sized for half a dashboard card (two charts side by side) at 1366 px; the page scales it.
LABEL, PLOT, RIGHT, ROW_GAP, TOP = 160, 400, 56, 6, 30


@dataclass(frozen=True)
class Row:
    label: str
    values: list[float | None]
    href: str | None = None


def bar_chart(
    testid: str, title: str, rows: list[Row], names: list[str], unit: str, row_name: str
) -> Chart:
    """Bars scaled to the largest value, ticks on a value axis under them, a legend above."""
    bar_h = 14 if len(names) > 1 else 16
    row_h = bar_h * len(names) + ROW_GAP
    steps = ticks(max((v or 0 for r in rows for v in r.values), default=0))
    scale = PLOT / steps[-1]
    base = TOP + row_h * len(rows)
    body = legend(LABEL, 16, names) if len(names) > 1 else []
    for value in steps:
        x = LABEL + value * scale
        body.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{base}"/>')
        body.append(text(x, base + 16, number(value, unit), "middle", "tick"))
    body.append(f'<line class="axis" x1="{LABEL}" x2="{LABEL}" y1="{TOP}" y2="{base}"/>')
    body.append(f'<line class="axis" x1="{LABEL}" x2="{LABEL + PLOT}" y1="{base}" y2="{base}"/>')
    for i, row in enumerate(rows):
        body += _row(row, TOP + i * row_h, bar_h, scale, unit)
    image = svg(testid, title, LABEL + PLOT + RIGHT, base + 24, body, "bars")
    return Chart(testid, title, image, _table(rows, names, unit, row_name))


def _row(row: Row, y: float, bar_h: int, scale: float, unit: str) -> list[str]:
    first = row.values[0] if row.values else 0
    out = [
        f'<g data-label="{escape(row.label)}" data-value="{number(first or 0)}" '
        f'transform="translate(0,{y:.1f})">'
    ]
    middle = bar_h * len(row.values) / 2 + 4
    label = text(LABEL - 6, middle, row.label, "end")
    out.append(f'<a href="{escape(row.href)}">{label}</a>' if row.href else label)
    for k, value in enumerate(row.values):
        if value is None:
            continue
        w = value * scale
        out.append(
            f'<rect x="{LABEL}" y="{k * bar_h:.1f}" width="{w:.1f}" height="{bar_h - 2}" '
            f'fill="{PALETTE[k]}"></rect>'
        )
        out.append(text(LABEL + w + 4, k * bar_h + bar_h - 4, number(value, unit), cls="value"))
    return [*out, "</g>"]


def _table(rows: list[Row], names: list[str], unit: str, row_name: str) -> Table:
    cells = [
        [Cell(r.label, r.href)]
        + [Cell("—" if v is None else number(v, unit), number=True) for v in r.values]
        for r in rows
    ]
    return Table([row_name, *names], cells)
