"""What the demo year holds, decided up front from a seed: the reports (day, channel, county,
problem, text) and each case's path through its life (the steps and the days between them).
Pure: no I/O, so the same seed plans the same year."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# Channel shares of a year of reports (web and the hotline carry most, as in the plan).
CHANNELS = (("web", 34), ("hotline", 24), ("letter", 14), ("visit", 10), ("inspection", 10),
            ("media", 5), ("integrator", 3))  # fmt: skip
# A concentrated campaign year: reports climb after the launch, peak mid-year, then ease.
MONTH_WEIGHTS = (6, 8, 11, 12, 11, 10, 9, 9, 8, 7, 5, 4)
TOWNS = ("黄河涯镇", "二屯镇", "郑家寨镇", "丁庄镇", "宋家镇", "边临镇", "义渡口乡", "前孙镇")
VILLAGES = ("后王村", "大刘庄村", "张官屯村", "小李家村", "前屯村", "马庄村", "西赵村", "东辛庄村")
TEXTS = {
    6: "{town}干部到{village}检查扶贫工作只看材料、不进农户，调研走过场，群众反映的问题没人过问。",
    9: "{village}的扶贫台账一个月填了三遍，表格层层加码，干部忙于填表，贫困户的实际困难没人管。",
    11: "{town}为迎接检查给{village}贫困户门口统一刷墙挂牌，钱花在面子上，户里的危房却一直没修。",
    13: "{town}分管扶贫的领导对{village}反映的问题长期不过问，责任层层下推，整改一拖再拖。",
    17: "{village}的驻村工作队一个月就来一两次，平时根本不在村里住，群众有事找不到人。",
    18: "派驻{village}的第一书记吃住都在县城，每周只来村里签个到，群众说“只见名字不见人”。",
    19: "{town}一名帮扶责任人包了四十多户，连户主名字都叫不上来，帮扶就是每季度发一次宣传单。",
    20: "{village}有家庭条件好的户被评为贫困户，真正困难的老人却没有纳入，评议过程没有公示。",
    22: "{town}给{village}所有贫困户统一发放鸡苗，不管家里有没有劳力，很多鸡苗送来不久就死了。",
    23: "{village}村干部虚报帮扶台账，套取扶贫资金，群众很有意见。",
    26: "{village}的扶贫资金使用情况从来没有公开过，村里公示栏贴的还是前年的内容。",
}
EXPOSURE = ("{county}{village}{problem}问题经查属实，责任人已受到相应处理，"
            "相关单位已完成整改并在全市通报。")  # fmt: skip


@dataclass(frozen=True)
class PlannedReport:
    day: date
    channel: str
    county: str
    problem: int
    town: str
    village: str
    text: str


@dataclass(frozen=True)
class Step:
    """One action, `after` days after the previous one (the first after the case opens)."""

    after: int
    action: str
    # `officer` of the handling unit, or the `overseer`: the city office, or for the city
    # office's own cases its supervisor (nobody approves or verifies their own work)
    role: str
    body: dict[str, object] | None = None


def reports(rng: random.Random, start: date, months: int, per_month: int,
            counties: list[str]) -> list[PlannedReport]:  # fmt: skip
    """The year's reports, days in order."""
    out = []
    month_start = start
    for m in range(months):
        following = date(month_start.year + month_start.month // 12, month_start.month % 12 + 1, 1)
        count = round(per_month * MONTH_WEIGHTS[m % 12] / 8.25)
        for _ in range(count):
            day = month_start + timedelta(days=rng.randrange((following - month_start).days))
            out.append(_report(rng, day, counties))
        month_start = following
    return sorted(out, key=lambda r: r.day)


def _report(rng: random.Random, day: date, counties: list[str]) -> PlannedReport:
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    problem = rng.choice(sorted(TEXTS))
    town, village = rng.choice(TOWNS), rng.choice(VILLAGES)
    text = TEXTS[problem].format(town=town, village=village)
    return PlannedReport(day, channel, rng.choice(counties), problem, town, village, text)


def path(rng: random.Random, exposure: str) -> list[Step]:
    """A case's life: rejected, transferred, extended, late, unfounded, rectified, exposed."""
    roll = rng.random()
    if roll < 0.07:
        return [Step(rng.randint(1, 4), "reject", "officer", {"reason": "不属于本单位受理范围"})]
    late = roll > 0.88  # accepted after its acceptance deadline: an overdue case
    start = [
        Step(rng.randint(18, 30) if late else rng.randint(1, 4), "accept", "officer"),
        Step(rng.randint(1, 5), "start-investigation", "officer"),
    ]
    if roll < 0.15:
        to = rng.choice(["discipline_inspection", "procuratorate"])
        reason = "涉嫌违纪违法，移送纪检监察机关" if to == "discipline_inspection" else "涉嫌犯罪"
        return [
            *start,
            Step(rng.randint(5, 15), "transfer", "officer", {"to": to, "reason": reason}),
        ]
    if roll < 0.20:
        return start[:1]  # accepted and left: missed its handling deadline by the year's end
    steps = list(start)
    if roll < 0.32:
        steps += [
            Step(rng.randint(10, 20), "request-extension", "officer",
                 {"days": rng.choice([15, 20, 30]), "reason": "涉及农户较多，需逐户走访核实"}),
            Step(1, "decide-extension", "overseer",
                 {"approve": True, "reason": "情况属实，同意延期"}),
        ]  # fmt: skip
    finding = rng.choices(["substantiated", "partly", "unsubstantiated"], [50, 15, 35])[0]
    summary = (
        "经调查核实，反映问题属实。" if finding != "unsubstantiated" else "经核查，反映问题不属实。"
    )
    steps.append(
        Step(rng.randint(8, 25), "conclude", "officer", {"finding": finding, "summary": summary})
    )
    if finding == "unsubstantiated":
        return [*steps, Step(rng.randint(1, 3), "close", "officer")]
    return steps + _rectified(rng, exposure)


def _rectified(rng: random.Random, exposure: str) -> list[Step]:
    days = rng.randint(15, 30)
    steps = [
        Step(
            1,
            "require-rectification",
            "officer",
            {"due_in_days": days + 10, "measures": "限期整改到位"},
        ),
        Step(days, "submit-rectification", "officer", {"evidence": "已整改到位，附整改台账"}),
        Step(rng.randint(2, 6), "verify-rectification", "overseer"),
    ]
    if rng.random() < 0.3:
        steps += [
            Step(rng.randint(1, 3), "propose-exposure", "officer", {"text": exposure}),
            Step(rng.randint(1, 3), "approve-exposure", "city_office"),
        ]
    return [*steps, Step(rng.randint(1, 3), "close", "officer")]
