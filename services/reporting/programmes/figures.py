"""The programme figures per county (the same measures as federation's own
`GET /api/v1/programmes/stats`, counted here from the events): aid applications and aid
granted (count, amount by fund source, share of the amount to poor villages), villages and
school coverage with its gaps, sponsorships, pairings and visits, homes (share in poor
villages) and activities with attendance, selections."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from services.reporting.context import Context
from services.reporting.programmes.tables import prog_aid, prog_items, prog_villages

FUND_SOURCES = ("national", "provincial", "city_charity", "city_budget")
GRANTED = ("approved", "disbursed", "closed")  # an amount committed to the woman
ACTIVITY_KINDS = ("home", "class", "themed")


async def figures(ctx: Context, counties: Iterable[str]) -> list[dict[str, Any]]:
    """One entry per county asked for, in that order (a county with nothing yet counts 0)."""
    a, i, v = prog_aid.c, prog_items.c, prog_villages.c
    grouped = (a.county, a.status, a.poor_village, a.fund_source)
    aid = select(*grouped, func.count(), func.sum(a.amount)).group_by(*grouped)
    items = select(i.kind, i.county, i.village_id, i.detail, i.amount, i.attendance)
    async with ctx.db.sessions() as session:
        facts = {
            "aid": (await session.execute(aid)).all(),
            "villages": (
                await session.execute(select(v.village_id, v.county, v.name, v.poor, v.left_behind))
            ).all(),  # fmt: skip
            "items": (await session.execute(items)).all(),
        }
    return [county_figures(code, facts) for code in counties]


def county_figures(code: str, facts: dict[str, Any]) -> dict[str, Any]:
    items = [row for row in facts["items"] if row[1] == code]
    villages = [row for row in facts["villages"] if row[1] == code]
    aid = [row for row in facts["aid"] if row[0] == code]
    return {"county": code, **_aid(aid), **_places(villages, items), **_rest(items)}


def _aid(rows: list[Any]) -> dict[str, Any]:
    applied = granted = amount = poor_granted = poor_amount = 0
    by_fund: dict[str, int] = defaultdict(int)
    for _, status, poor, source, count, total in rows:
        applied += int(count)
        if status in GRANTED:
            granted, amount = granted + int(count), amount + int(total or 0)
            by_fund[source or ""] += int(total or 0)
            if poor:
                poor_granted, poor_amount = poor_granted + int(count), poor_amount + int(total or 0)
    return {
        "aid_applications": applied,
        "aid_refused": sum(int(r[4]) for r in rows if r[1] == "refused"),
        "aid_granted": granted,
        "aid_amount": amount,
        "aid_amount_by_fund": {source: by_fund.get(source, 0) for source in FUND_SOURCES},
        "aid_poor_village_granted": poor_granted,
        "aid_poor_village_share": round(poor_amount / amount, 4) if amount else None,
    }


def _places(villages: list[Any], items: list[Any]) -> dict[str, Any]:
    """Coverage: every poor village where left-behind children concentrate has a school."""
    schooled = {row[2] for row in items if row[0] == "school"}
    due = [row for row in villages if row[3] and row[4]]
    gaps = sorted(row[2] for row in due if row[0] not in schooled)
    poor = {row[0] for row in villages if row[3]}
    homes = [row[2] for row in items if row[0] == "home"]
    return {
        "villages": len(villages),
        "poor_villages": len(poor),
        "schools": sum(1 for row in items if row[0] == "school"),
        "school_coverage": round((len(due) - len(gaps)) / len(due), 4) if due else None,
        "school_gaps": gaps,
        "homes": len(homes),
        "homes_poor_village_share": (
            round(sum(1 for v in homes if v in poor) / len(homes), 4) if homes else None
        ),
    }


def _rest(items: list[Any]) -> dict[str, Any]:
    def count(kind: str, detail: str | None = None) -> int:
        return sum(1 for r in items if r[0] == kind and (detail is None or r[3] == detail))

    return {
        "sponsorships": count("sponsorship"),
        "sponsored_amount": sum(int(r[4]) for r in items if r[0] == "sponsorship"),
        "pairings": count("pairing"),
        "visits": count("visit"),
        "activities": {kind: count("activity", kind) for kind in ACTIVITY_KINDS},
        "attendance": sum(int(r[5]) for r in items if r[0] == "activity"),
        "selections_nominated": count("selection"),
        "selections_selected": count("selection", "selected") + count("selection", "published"),
        "selections_published": count("selection", "published"),
    }


def table_rows(found: list[dict[str, Any]], names: Any) -> list[list[Any]]:
    """The figures as one table for the export: a row per county."""
    rows: list[list[Any]] = [[
        "县市区", "两癌救助申请", "不予救助", "已救助", "救助金额（元）",
        *(f"金额·{FUND_WORDS[s][0]}" for s in FUND_SOURCES), "贫困村获助金额占比",
        "村数", "贫困村数", "四点半学校", "学校覆盖率", "未覆盖的贫困村", "捐助结对",
        "结对帮扶", "走访", "妇儿家园", "家园在贫困村占比", "家园活动", "培训班", "主题活动",
        "参加人次", "评选推荐", "评选入选", "评选公布",
    ]]  # fmt: skip
    for f in found:
        rows.append([
            names.county(f["county"]), f["aid_applications"], f["aid_refused"], f["aid_granted"],
            f["aid_amount"], *(f["aid_amount_by_fund"][s] for s in FUND_SOURCES),
            _share(f["aid_poor_village_share"]), f["villages"], f["poor_villages"], f["schools"],
            _share(f["school_coverage"]), "、".join(f["school_gaps"]), f["sponsorships"],
            f["pairings"], f["visits"], f["homes"], _share(f["homes_poor_village_share"]),
            *(f["activities"][k] for k in ACTIVITY_KINDS), f["attendance"],
            f["selections_nominated"], f["selections_selected"], f["selections_published"],
        ])  # fmt: skip
    return rows


def _share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


FUND_WORDS = {
    "national": ("国家救助金", "national aid funds"),
    "provincial": ("省救助金", "provincial aid funds"),
    "city_charity": ("市慈善总会", "city charity federation"),
    "city_budget": ("市财政", "city budget"),
}
