"""What every chart shares: the chart and its table, nice axis ticks, escaped SVG text."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from markupsafe import Markup, escape

# Colours of the series, in order (the dashboard's red first, then blues and greys that stay
# apart for the colour-blind and in print).
PALETTE = ("#a61c1c", "#3f6fb0", "#e39b2f", "#5b8c5a", "#7a5a9e", "#5b6672")


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    number: bool = False


@dataclass(frozen=True)
class Table:
    """The figures behind a chart, as a table a screen reader reads and a person copies."""

    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@dataclass(frozen=True)
class Chart:
    testid: str
    title: str
    svg: Markup
    table: Table

    @property
    def empty(self) -> bool:
        return not self.table.rows


def ticks(top: float, count: int = 5) -> list[float]:
    """Round steps (1, 2, 2.5 or 5 times a power of ten) from 0 to at least `top`."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return [round(i * step, 10) for i in range(math.ceil(top / step - 1e-9) + 1)]


def number(value: float, unit: str = "") -> str:
    """A figure as an axis or a table shows it: whole numbers plain, others to one decimal."""
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text + unit


def text(x: float, y: float, words: str, anchor: str = "start", cls: str = "") -> str:
    extra = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(words)}</text>'


def svg(
    testid: str, title: str, width: int, height: int, body: list[str], kind: str = ""
) -> Markup:
    """The chart's root: an image named by its title for assistive technology. `kind` (time,
    bars) lets the page's style fit the chart to its card: it scales with the card's width
    between bounds that keep its text readable, and scrolls inside the card below them."""
    cls = f"chart {kind}".strip()
    head = (
        f'<svg data-testid="{escape(testid)}" class="{cls}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def legend(x: float, y: float, names: list[str]) -> list[str]:
    """A row of coloured keys with the series' names (the first series' colour first)."""
    out = ['<g class="legend">']
    for i, name in enumerate(names):
        out.append(
            f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" '
            f'fill="{PALETTE[i % len(PALETTE)]}"></rect>'
        )
        out.append(text(x + 16, y, name))
        x += 28 + 13 * len(name)
    return [*out, "</g>"]
