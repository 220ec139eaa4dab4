"""Geometry for the dashboard's server-rendered SVG charts (no script, no internet)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart: a main value and a part of it (e.g. substantiated)."""

    label: str
    value: int
    part: int
    y: int
    width: float
    part_width: float
    href: str | None = None


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: int
    label_width: int = 150
    plot_width: int = 430
    row: int = 24


def bar_chart(rows: Sequence[tuple[str, int, int, str | None]], plot_width: int = 430) -> BarChart:
    """Rows of (label, value, part of it, link) scaled to the largest value."""
    top = max((value for _, value, _, _ in rows), default=0) or 1
    bars = [
        Bar(
            label=label,
            value=value,
            part=part,
            y=i * 24,
            width=round(value / top * plot_width, 1),
            part_width=round(min(part, value) / top * plot_width, 1),
            href=href,
        )
        for i, (label, value, part, href) in enumerate(rows)
    ]
    return BarChart(bars=bars, height=max(len(bars), 1) * 24, plot_width=plot_width)


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    other: int
    x: float
    y: float
    height: float
    other_y: float


@dataclass(frozen=True)
class Trend:
    """Columns per period (e.g. reports received per week) with a second series as a line."""

    columns: list[Column]
    width: int
    height: int
    column_width: float
    line: str  # SVG polyline points of the second series
    top: int


def trend_chart(points: list[tuple[str, int, int]], width: int = 720, height: int = 160) -> Trend:
    """(period, value, second value) in order: columns for the first, a line for the second."""
    top = max([max(v, o) for _, v, o in points], default=0) or 1
    step = width / max(len(points), 1)
    columns = []
    for i, (label, value, other) in enumerate(points):
        h = value / top * height
        columns.append(
            Column(
                label=label,
                value=value,
                other=other,
                x=round(i * step, 1),
                y=round(height - h, 1),
                height=round(h, 1),
                other_y=round(height - other / top * height, 1),
            )
        )
    line = " ".join(f"{c.x + step / 2:.1f},{c.other_y}" for c in columns)
    return Trend(columns, width, height, round(max(step - 2, 1), 1), line, top)
