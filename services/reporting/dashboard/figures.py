"""The dashboard's cards and charts, from stats groups."""

from __future__ import annotations

from typing import Any

from services.reporting.dashboard.charts import bar_chart, trend_chart
from services.reporting.models import COUNT_FIELDS
from services.reporting.words.labels import FIELDS, RATES, rates
from services.reporting.words.names import Names

CARD_FIELDS = COUNT_FIELDS


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


def county_bars(groups: list[dict[str, Any]], names: Names, linked: bool, q: str) -> Any:
    by_key = {g["key"]: g for g in groups}
    codes = [code for code, _ in names.directory.counties()]
    codes += sorted(k for k in by_key if k not in codes)
    rows = []
    for code in codes:
        g = by_key.get(code, {"cases": 0, "substantiated": 0})
        href = f"/dashboard/county/{code}{q}" if linked else None
        rows.append((names.county(code), g["cases"], g["substantiated"], href))
    return bar_chart(rows)


def weekly_trend(groups: list[dict[str, Any]]) -> Any:
    return trend_chart([(g["key"], g["received"], g["cases"]) for g in groups][-52:])


def unit_bars(groups: list[dict[str, Any]], names: Names, field: str, q: str, top: int = 15) -> Any:
    chosen = sorted((g for g in groups if g[field]), key=lambda g: (-g[field], g["key"]))[:top]
    rows = [(names.unit(g["key"]), g[field], 0, f"/dashboard/unit/{g['key']}{q}") for g in chosen]
    return bar_chart(rows)


def problem_bars(groups: list[dict[str, Any]], names: Names) -> Any:
    chosen = sorted(groups, key=lambda g: (-g["cases"], g["key"]))
    return bar_chart(
        [(names.problem(g["key"]), g["cases"], g["substantiated"], None) for g in chosen]
    )
