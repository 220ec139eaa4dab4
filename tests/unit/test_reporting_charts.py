"""The dashboard's SVG charts: round axis steps, every figure in the table behind the chart,
phases marked where they fall, gaps kept as gaps, names escaped."""

from __future__ import annotations

import re

from services.reporting.charts.bars import Row, bar_chart
from services.reporting.charts.columns import Mark, Series, column_chart, line_chart
from services.reporting.charts.frame import ticks
from services.reporting.charts.heat import heat_map, shade


def test_ticks_are_round_steps_reaching_the_top() -> None:
    assert ticks(0) == [0, 1]
    assert ticks(7) == [0, 2, 4, 6, 8]
    assert ticks(100) == [0, 20, 40, 60, 80, 100]
    assert ticks(0.9)[-1] >= 0.9
    assert ticks(1234)[-1] >= 1234 and len(ticks(1234)) <= 7


def test_columns_have_axes_legend_phases_and_their_table() -> None:
    months = ["2018-01", "2018-02", "2018-03", "2018-04"]
    chart = column_chart(
        "monthly",
        "每月收到举报与立案数",
        months,
        [Series("收到举报", [3, 9, 0, 4]), Series("案件", [2, 7, 0, 3])],
        "件数（件）",
        [Mark("第一季度", "2018-01", "2018-03"), Mark("2019年", "2019-01", "9999")],
        "时段",
    )
    svg = str(chart.svg)
    assert svg.count('class="axis"') == 2 and "件数（件）" in svg
    assert 'class="legend"' in svg and "收到举报" in svg and "案件" in svg
    assert svg.count('class="phase"') == 1 and "第一季度" in svg and "2019年" not in svg
    assert "<title>每月收到举报与立案数</title>" in svg
    assert [h for h in chart.table.headers] == ["时段", "收到举报", "案件"]
    assert [[c.text for c in row] for row in chart.table.rows][1] == ["2018-02", "9", "7"]
    assert svg.count('<rect class="col"') == 8
    heights = [float(h) for h in re.findall(r'class="col"[^>]*height="([0-9.]+)"', svg)]
    assert heights[1] == max(heights) and heights[2] == 0


def test_a_line_breaks_where_a_period_has_no_figure() -> None:
    chart = line_chart(
        "overdue-trend", "超期率", ["a", "b", "c", "d", "e"],
        [Series("超期率", [10.0, 20.0, None, 5.0, 7.5])], "%", "%",
    )  # fmt: skip
    svg = str(chart.svg)
    assert svg.count("<polyline") == 2  # a-b and d-e, nothing drawn through c
    assert [r[1].text for r in chart.table.rows] == ["10%", "20%", "—", "5%", "7.5%"]
    assert "20%" in svg  # the axis says its unit


def test_bars_link_their_labels_and_escape_names() -> None:
    rows = [Row("德城区", [12, 5], "/dashboard/county/371402"), Row("<b>&", [3, None])]
    chart = bar_chart("by-county", "各县市区", rows, ["案件", "查实"], "", "县市区")
    svg = str(chart.svg)
    assert '<a href="/dashboard/county/371402">' in svg
    assert "<b>&" not in svg and "&lt;b&gt;&amp;" in svg
    assert 'data-label="德城区" data-value="12"' in svg
    assert chart.table.rows[0][0].href == "/dashboard/county/371402"
    assert [c.text for c in chart.table.rows[1]] == ["<b>&", "3", "—"]


def test_heat_map_shades_by_count_and_tables_every_cell() -> None:
    assert shade(0, 10) == "#ffffff" and shade(10, 10) == "#a61c1c"
    chart = heat_map(
        "heat", "县市区 × 问题", [("德城区", None), ("陵城区", None)],
        [("1", "1 形式主义"), ("19", "19 不在岗")], [[4, 0], [1, 8]], "县市区",
    )  # fmt: skip
    svg = str(chart.svg)
    assert svg.count("<rect") == 4 + 5 and 'fill="#a61c1c"' in svg  # cells and legend
    assert chart.table.headers == ["县市区", "1 形式主义", "19 不在岗"]
    assert [[c.text for c in row] for row in chart.table.rows] == [
        ["德城区", "4", "0"],
        ["陵城区", "1", "8"],
    ]
