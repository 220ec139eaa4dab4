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
from services.reporting.scorecards.figures import Thresholds, cards, counts
from services.reporting.stats.city import stats
from services.reporting.stats.common import GroupBy
from services.reporting.words.labels import DECISION_LABELS, SCOPES
from services.reporting.words.names import Names
from services.reporting.words.pages import ZH

RATES = ("on_time_acceptance", "on_time_completion", "satisfaction", "redo")

COLUMNS = ("received", "cases", "accepted", "substantiated", "rectified", "overdue",
           "transferred", "exposed")  # fmt: skip
HEADS = ("收到举报", "案件", "受理", "查实", "整改验收", "超期", "移送", "曝光")


@dataclass(frozen=True)
class Block:
    """A table of the briefing (its caption, head row and rows of text)."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    """A numbered section of the briefing: its heading, paragraphs and, for some, a table."""

    heading: str
    lines: list[str]
    table: Block | None = None


@dataclass
class Briefing:
    title: str
    number: str
    issuer: str
    issued: str
    summary: str
    tables: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    file_stem: str = "briefing"


def month_days(month: str) -> tuple[date, date]:
    """`2018-03` as its first and last day."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


async def gather(
    session: AsyncSession,
    names: Names,
    month: str,
    county: str | None,
    today: date,
    limits: Thresholds,
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
    brief.sections.append(Section("超期未办结单位", _overdue_units(units["groups"], names)))
    exposed = await _exposed(session, names, first, last, county)
    brief.sections.append(Section("典型案例曝光", exposed))
    brief.sections.append(await _below(session, names, first, last, county, limits))
    raised = await _alerts(session, names, first, last, county)
    brief.sections.append(Section("问责预警及处理", raised))
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


def percent(rate: float | None) -> str:
    """A scorecard rate as the dashboard prints it (— with nothing to rate)."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


async def _below(session: AsyncSession, names: Names, first: date, last: date,
                 county: str | None, limits: Thresholds) -> Section:  # fmt: skip
    """The month's flagged units, the cards of GET /api/v1/scorecards?period=<month>."""
    units = None
    if county:  # the county's own units, as a county reader's scorecards
        units = {u.id for u in names.directory.units() if u.county == county}
    found = cards(await counts(session, first, last, "unit", units), limits)
    flagged = [c for c in found if c["flagged"]]
    heading = "办理质效未达标单位"
    if not flagged:
        return Section(heading, ["本月各承办单位办理质效均达到考核要求。"])
    rows = [
        [names.unit(c["key"]), *(percent(c["rates"][r]) for r in RATES),
         "、".join(ZH[name] for name in c["below"])]
        for c in flagged
    ]  # fmt: skip
    lines = [
        f"按时受理率低于{percent(limits.on_time_acceptance)}、按时办结率低于"
        f"{percent(limits.on_time_completion)}、满意率低于{percent(limits.satisfaction)}"
        f"或重办率高于{percent(limits.redo)}的单位共{len(flagged)}个，予以通报，"
        "请相关单位分析原因，限期整改。"
    ]
    headers = ["承办单位", *(ZH[r] for r in RATES), "未达标指标"]
    return Section(heading, lines, Block("表3 办理质效未达标单位", headers, rows))


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
