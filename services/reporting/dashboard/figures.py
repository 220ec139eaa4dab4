"""The dashboard's cards and charts, from stats groups (the same figures as the stats API)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.reporting.charts.bars import Row, bar_chart
from services.reporting.charts.columns import Mark, Series, column_chart, line_chart
from services.reporting.charts.frame import Chart
from services.reporting.charts.heat import heat_map
from services.reporting.models import COUNT_FIELDS
from services.reporting.periods import period_key, period_spans
from services.reporting.phases import Phase
from services.reporting.words.labels import FIELDS, RATES, rates
from services.reporting.words.names import Names

CARD_FIELDS = COUNT_FIELDS
Groups = list[dict[str, Any]]


def cards(totals: dict[str, Any], names: Names) -> dict[str, list[dict[str, Any]]]:
    """Totals, the rates derived from them, and the median days."""
    counts = [{"key": f, "label": names.word(FIELDS[f]), "value": totals[f]} for f in CARD_FIELDS]
    rate_cards = [
        {"key": name, "label": names.word(RATES[name][:2]), "value": _percent(rate)}
        for name, rate in rates(totals).items()
    ]
    medians = [
        {
            "key": f,
            "label": names.word(FIELDS[f]),
            "value": "—" if totals[f] is None else f"{totals[f]:.2f}",
        }
        for f in ("median_days_to_accept", "median_days_to_close")
    ]
    return {"counts": counts, "rates": rate_cards, "medians": medians}


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def every_period(groups: Groups, first: date | None, last: date | None, period: str) -> Groups:
    """The groups with an empty one for each period of [first, last] that has no figures."""
    if first is None or last is None:
        return groups
    by_key = {g["key"]: g for g in groups}
    blank = dict.fromkeys(COUNT_FIELDS, 0) | {"median_days_to_accept": None,
                                              "median_days_to_close": None}  # fmt: skip
    spans = period_spans(first, last, period)
    return [by_key.get(key, blank | {"key": key}) for key, _, _ in spans]


def marks(phases: tuple[Phase, ...], period: str, english: bool) -> list[Mark]:
    return [
        Mark(
            p.name_en if english else p.name,
            period_key(p.first, period),
            period_key(p.last, period) if p.last else "9999",
        )
        for p in phases
    ]


def volume(
    testid: str, title: str, groups: Groups, names: Names, t: dict[str, str], phases: list[Mark]
) -> Chart:
    """Reports received and cases opened per period, the phases shaded behind."""
    series = [Series(names.field(f), [g[f] for g in groups]) for f in ("received", "cases")]
    keys = [g["key"] for g in groups]
    return column_chart(testid, title, keys, series, t["unit_cases"], phases, t["period"])


def overdue_trend(groups: Groups, names: Names, t: dict[str, str]) -> Chart:
    """The overdue rate per month (overdue cases of the cases received that month)."""
    values = [round(g["overdue"] / g["cases"] * 100, 1) if g["cases"] else None for g in groups]
    series = [Series(names.word(RATES["overdue_rate"][:2]), values)]
    keys = [g["key"] for g in groups]
    return line_chart("overdue-trend", t["overdue_trend"], keys, series, "%", "%", t["period"])


def acceptance_trend(groups: Groups, names: Names, t: dict[str, str]) -> Chart:
    """Median days from receipt to acceptance, and to closing, per month."""
    fields = ("median_days_to_accept", "median_days_to_close")
    series = [Series(names.field(f), [g[f] for g in groups]) for f in fields]
    keys = [g["key"] for g in groups]
    return line_chart(
        "acceptance-trend", t["acceptance_trend"], keys, series, "", t["unit_days"], t["period"]
    )


def county_bars(groups: Groups, names: Names, linked: bool, q: str, t: dict[str, str]) -> Chart:
    """Cases and the substantiated among them per county, every county listed."""
    rows = [
        Row(names.county(code), [g["cases"], g["substantiated"]],
            f"/dashboard/county/{code}{q}" if linked else None)
        for code, g in _every_county(groups, names)
    ]  # fmt: skip
    fields = [names.field("cases"), names.field("substantiated")]
    return bar_chart("by-county", t["by_county"], rows, fields, "", t["county"])


def county_rates(groups: Groups, names: Names, linked: bool, q: str, t: dict[str, str]) -> Chart:
    """Substantiation, rectification and transfer rates per county, side by side."""
    chosen = ("substantiation_rate", "rectification_rate", "transfer_rate")
    rows = []
    for code, g in _every_county(groups, names):
        found = rates(g)
        values = [_hundred(found[r]) for r in chosen]
        rows.append(
            Row(names.county(code), values, f"/dashboard/county/{code}{q}" if linked else None)
        )
    labels = [names.word(RATES[r][:2]) for r in chosen]
    return bar_chart("county-rates", t["county_rates"], rows, labels, "%", t["county"])


def _hundred(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _every_county(groups: Groups, names: Names) -> list[tuple[str, dict[str, Any]]]:
    by_key = {g["key"]: g for g in groups}
    codes = [code for code, _ in names.directory.counties()]
    codes += sorted(k for k in by_key if k not in codes)
    blank = dict.fromkeys(COUNT_FIELDS, 0)
    return [(code, by_key.get(code, blank)) for code in codes]


def heat(pairs: Groups, names: Names, linked: bool, q: str, t: dict[str, str]) -> Chart:
    """Cases per county (rows) and problem (columns, only those with any case)."""
    cells = {tuple(g["key"].split("|", 1)): g["cases"] for g in pairs}
    problems = sorted(
        {p for _, p in cells}, key=lambda p: (not p.isdigit(), int(p) if p.isdigit() else 0, p)
    )
    counties = [code for code, _ in _every_county([], names)]
    rows = [(names.county(c), f"/dashboard/county/{c}{q}" if linked else None) for c in counties]
    columns = [(p if p.isdigit() else names.problem(p), names.problem(p)) for p in problems]
    values = [[cells.get((c, p), 0) for p in problems] for c in counties]
    return heat_map("heat", t["heat"], rows, columns, values, t["county"])


def unit_bars(
    testid: str, title: str, groups: Groups, names: Names, field: str, q: str, top: int = 15
) -> Chart:
    chosen = sorted((g for g in groups if g[field]), key=lambda g: (-g[field], g["key"]))[:top]
    rows = [Row(names.unit(g["key"]), [g[field]], f"/dashboard/unit/{g['key']}{q}") for g in chosen]
    return bar_chart(testid, title, rows, [names.field(field)], "", names.word(("单位", "unit")))


def ranking_bars(items: Groups, names: Names, q: str, t: dict[str, str], linked: bool) -> Chart:
    """The units complained about most (reports about them, then cases, substantiated)."""
    rows = [
        Row(names.unit(i["unit"]), [i["received"], i["cases"], i["substantiated"]],
            f"/dashboard/unit/{i['unit']}{q}" if linked else None)
        for i in items
    ]  # fmt: skip
    fields = [names.field(f) for f in ("received", "cases", "substantiated")]
    return bar_chart("ranking", t["ranking"], rows, fields, "", names.word(("单位", "unit")))


def problem_bars(groups: Groups, names: Names, t: dict[str, str]) -> Chart:
    chosen = sorted(groups, key=lambda g: (-g["cases"], g["key"]))
    rows = [Row(names.problem(g["key"]), [g["cases"], g["substantiated"]]) for g in chosen]
    fields = [names.field("cases"), names.field("substantiated")]
    return bar_chart("by-problem", t["by_problem"], rows, fields, "", t["problem"])


COMPARED = (
    "received",
    "cases",
    "accepted",
    "substantiated",
    "rectified",
    "overdue",
    "transferred",
    "exposed",
)


def phases_compared(
    first: tuple[str, dict[str, Any]],
    second: tuple[str, dict[str, Any]],
    names: Names,
    t: dict[str, str],
) -> Chart:
    """Two phases' totals side by side, figure by figure."""
    rows = [Row(names.field(f), [first[1][f], second[1][f]]) for f in COMPARED]
    return bar_chart("phases-compared", t["compared"], rows, [first[0], second[0]], "", t["figure"])
