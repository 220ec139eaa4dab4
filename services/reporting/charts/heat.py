"""A heat map: counties down, problems across, each cell shaded by its count."""

from __future__ import annotations

from markupsafe import escape

from services.reporting.charts.frame import Cell, Chart, Table, number, svg, text

LABEL, TOP, CELL_W, CELL_H = 170, 120, 34, 24


def shade(value: float, top: float) -> str:
    """White for nothing up to the dashboard's red for the largest count."""
    share = value / top if top else 0
    r, g, b = (round(255 + (c - 255) * share) for c in (166, 28, 28))
    return f"#{r:02x}{g:02x}{b:02x}"


def heat_map(
    testid: str,
    title: str,
    rows: list[tuple[str, str | None]],
    columns: list[tuple[str, str]],
    values: list[list[int]],
    corner: str,
) -> Chart:
    """`rows`: (label, link); `columns`: (short label, full name); `values[row][column]`."""
    top = max((v for line in values for v in line), default=0)
    body = _legend(top, corner)
    for j, (short, full) in enumerate(columns):
        x = LABEL + j * CELL_W + CELL_W / 2
        body.append(
            f'<text x="{x:.1f}" y="{TOP - 6}" transform="rotate(-60 {x:.1f} {TOP - 6})" '
            f'class="tick">{escape(short)}<title>{escape(full)}</title></text>'
        )
    for i, (label, href) in enumerate(rows):
        y = TOP + i * CELL_H
        name = text(LABEL - 6, y + CELL_H / 2 + 4, label, "end")
        body.append(f'<a href="{escape(href)}">{name}</a>' if href else name)
        for j, value in enumerate(values[i]):
            x = LABEL + j * CELL_W
            dark = top and value / top > 0.55
            body.append(
                f'<rect x="{x}" y="{y}" width="{CELL_W - 1}" height="{CELL_H - 1}" '
                f'fill="{shade(value, top)}"><title>{escape(label)} · {escape(columns[j][1])}: '
                f"{value}</title></rect>"
            )
            if value:
                cls = "cell-dark" if dark else "cell"
                body.append(text(x + CELL_W / 2, y + CELL_H / 2 + 4, str(value), "middle", cls))
    width = LABEL + CELL_W * len(columns) + 8
    image = svg(testid, title, width, TOP + CELL_H * len(rows) + 8, body)
    headers = [corner, *(full for _, full in columns)]
    table_rows = [
        [Cell(label, href)] + [Cell(number(v), number=True) for v in values[i]]
        for i, (label, href) in enumerate(rows)
    ]
    return Chart(testid, title, image, Table(headers, table_rows))


def _legend(top: int, corner: str) -> list[str]:
    """Five shades from none to the largest count, with the counts they stand for."""
    out = ['<g class="legend">']
    for i in range(5):
        value = top * i / 4
        x = 4 + i * 30
        out.append(f'<rect x="{x}" y="6" width="28" height="12" fill="{shade(value, top)}" '
                   'stroke="#e3e7eb"></rect>')  # fmt: skip
        out.append(text(x + 14, 32, number(round(value, 1)), "middle", "tick"))
    return [*out, "</g>"]
