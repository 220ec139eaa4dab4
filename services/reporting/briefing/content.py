"""What a month's briefing says: title, issuer, date, summary, tables and sections, gathered
from the stats (the API's figures), the exposure board and the alerts on record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.alerts.listing import list_alerts
from services.reporting.exports.cases import day_start
from services.reporting.models import alerts, case_facts
from services.reporting.stats.city import stats
from services.reporting.stats.common import GroupBy
from services.reporting.words.labels import DECISION_LABELS, SCOPES
from services.reporting.words.names import Names

COLUMNS = ("received", "cases", "accepted", "substantiated", "rectified", "overdue",
           "transferred", "exposed")  # fmt: skip
HEADS = ("收到举报", "案件", "受理", "查实", "整改验收", "超期", "移送", "曝光")


@dataclass(frozen=True)
class Block:
    """A table of the briefing (its caption, head row and rows of text)."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Briefing:
    title: str
    number: str
    issuer: str
    issued: str
    summary: str
    tables: list[Block] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    file_stem: str = "briefing"


def month_days(month: str) -> tuple[date, date]:
    """`2018-03` as its first and last day."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


async def gather(
    session: AsyncSession, names: Names, month: str, county: str | None, today: date
) -> Briefing:
    """The briefing of `month` for the whole city, or for one `county`."""
    first, last = month_days(month)
    within = ("county", county) if county else None
    place = names.county(county) if county else names.directory.city.name
    split: GroupBy = "unit" if county else "county"
    by_place = await stats(session, split, "day", first, last, within, medians=False)
    by_problem = await stats(session, "problem", "day", first, last, within, medians=False)
    totals = by_place["totals"]
    brief = Briefing(
        title=f"{place}扶贫领域作风问题专项治理工作通报",
        number=f"{first.year}年第{first.month}期",
        issuer=f"{place}扶贫开发领导小组办公室",
        issued=f"{today.year}年{today.month}月{today.day}日",
        summary=summary(place, first, totals),
        file_stem=f"briefing-{month}" + (f"-{county}" if county else ""),
    )
    brief.tables.append(_by_place(by_place["groups"], totals, names, county))
    brief.tables.append(_by_problem(by_problem["groups"], totals, names))
    units = await stats(session, "unit", "day", first, last, within, medians=False)
    brief.sections.append(("超期未办结单位", _overdue_units(units["groups"], names)))
    brief.sections.append(("典型案例曝光", await _exposed(session, names, first, last, county)))
    brief.sections.append(("问责预警及处理", await _alerts(session, names, first, last, county)))
    return brief


def summary(place: str, first: date, t: dict[str, Any]) -> str:
    rate = f"{t['substantiated'] / t['cases'] * 100:.1f}%" if t["cases"] else "—"
    return (
        f"{first.year}年{first.month}月，{place}共收到扶贫领域作风问题举报{t['received']}件，"
        f"立案{t['cases']}件，受理{t['accepted']}件，查实（含部分查实）{t['substantiated']}件，"
        f"查实率{rate}；整改验收{t['rectified']}件；超期{t['overdue']}件；"
        f"移送纪检监察或司法机关{t['transferred']}件；曝光典型案例{t['exposed']}件。"
    )


def _row(label: str, g: dict[str, Any]) -> list[str]:
    return [label, *(str(g[f]) for f in COLUMNS)]


def _by_place(groups: list[dict[str, Any]], totals: dict[str, Any], names: Names,
              county: str | None) -> Block:  # fmt: skip
    if county:  # a county's briefing: its handling units
        rows = [_row(names.unit(g["key"]), g) for g in groups]
        return Block("表1 各承办单位情况", ["承办单位", *HEADS], [*rows, _row("合计", totals)])
    by_key = {g["key"]: g for g in groups}
    codes = [code for code, _ in names.directory.counties()]
    codes += sorted(k for k in by_key if k not in codes)
    blank = dict.fromkeys(COLUMNS, 0)
    rows = [_row(names.county(c), by_key.get(c, blank)) for c in codes]
    return Block("表1 各县市区情况", ["县市区", *HEADS], [*rows, _row("合计", totals)])


def _by_problem(groups: list[dict[str, Any]], totals: dict[str, Any], names: Names) -> Block:
    chosen = sorted(groups, key=lambda g: (-g["cases"], g["key"]))
    rows = [_row(names.problem(g["key"]), g) for g in chosen]
    return Block("表2 按问题类型情况", ["问题类型", *HEADS], rows)


def _overdue_units(groups: list[dict[str, Any]], names: Names) -> list[str]:
    late = sorted((g for g in groups if g["overdue"]), key=lambda g: (-g["overdue"], g["key"]))
    if not late:
        return ["本月无超期案件。"]
    named = "；".join(f"{names.unit(g['key'])}{g['overdue']}件" for g in late)
    return [f"以下单位有案件超过办理期限，予以通报：{named}。请相关单位限期办结，说明原因。"]


async def _exposed(session: AsyncSession, names: Names, first: date, last: date,
                   county: str | None) -> list[str]:  # fmt: skip
    c = case_facts.c
    query = select(c.county, c.problem, c.exposure_text).where(
        c.exposed_at >= day_start(first), c.exposed_at < day_start(last + timedelta(days=1))
    )
    if county:
        query = query.where(c.county == county)
    rows = (await session.execute(query.order_by(c.exposed_at, c.case_id).limit(10))).all()
    if not rows:
        return ["本月无曝光典型案例。"]
    return [
        f"{i}. {names.county(r.county)}（{names.problem(r.problem)}）：{r.exposure_text}"
        for i, r in enumerate(rows, start=1)
    ]


async def _alerts(session: AsyncSession, names: Names, first: date, last: date,
                  county: str | None) -> list[str]:  # fmt: skip
    query = select(alerts).where(
        alerts.c.crossed_at >= day_start(first),
        alerts.c.crossed_at < day_start(last + timedelta(days=1)),
    )
    items, _ = await list_alerts(session, query, 100, 0)
    out = []
    for a in items:
        place = names.county(a["key"]) if a["scope"] == "county" else names.unit(a["key"])
        if county and _county_of(a, names) != county:
            continue
        done = "、".join(DECISION_LABELS[d["decision"]][0] for d in a["decisions"]) or "待作出决定"
        out.append(
            f"{SCOPES[a['scope']][0]}“{place}”{a['window_from']}至{a['window_to']}查实问题"
            f"{a['count']}件（阈值{a['threshold']}件），处理决定：{done}。"
        )
    return out or ["本月无问责预警。"]


def _county_of(alert: dict[str, Any], names: Names) -> str | None:
    if alert["scope"] == "county":
        return str(alert["key"])
    unit = alert["key"]
    return names.directory.unit(unit).county if unit in names.directory else None
