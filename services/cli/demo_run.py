"""Walking the demo year over the public APIs: day by day the clock moves, the day's reports go
to intake, the cases they open are found on cases and driven along their planned paths by the
officials whose role it is, and the alerts reporting raises are decided by the city office."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx

from services.cli.demo_plan import EXPOSURE, PlannedReport, Step, path, reports
from services.cli.movable_clock import MovableClock
from shared.directory import Directory
from shared.taxonomy import Taxonomy

# (unit, role) -> headers; one subject per (unit, role): nobody decides their own request
Tokens = Callable[[str, str], dict[str, str]]
Progress = Callable[[int, int], None]  # (done, total) after each day
DECISIONS = ("interview", "circular", "listed_supervision", "rectify_within_deadline")


@dataclass(frozen=True)
class Target:
    intake: str
    cases: str
    reporting: str


@dataclass
class Tally:
    reports: int = 0
    actions: int = 0
    refused: int = 0
    decisions: int = 0
    cases: set[str] = field(default_factory=set)
    refusals: list[str] = field(default_factory=list)  # what was refused, to say why


def _at(day: date, hour: int) -> datetime:
    """A moment of a day in Dezhou (UTC+8)."""
    return datetime.combine(day, time(hour), UTC) - timedelta(hours=8)


@dataclass
class Demo:
    target: Target
    tokens: Tokens
    clock: MovableClock
    directory: Directory
    taxonomy: Taxonomy
    rng: random.Random
    tally: Tally = field(default_factory=Tally)
    due: dict[date, list[tuple[dict[str, Any], list[Step]]]] = field(default_factory=dict)
    plans: list[PlannedReport] = field(default_factory=list)

    async def run(self, start: date, months: int, per_month: int, progress: Progress) -> Tally:
        counties = [code for code, _ in self.directory.counties()]
        self.plans = reports(self.rng, start, months, per_month, counties)
        year, month = divmod(start.month - 1 + months, 12)
        last = date(start.year + year, month + 1, 1) - timedelta(days=1)  # the period's end
        days = (last - start).days + 1
        async with httpx.AsyncClient(timeout=30) as http:
            for i in range(days):
                day = start + timedelta(days=i)
                await self._day(http, day)
                progress(i + 1, days)
            self.clock.move_to(_at(last, 18))
            await self._decide_alerts(http, last)
        return self.tally

    async def _day(self, http: httpx.AsyncClient, day: date) -> None:
        todays = [r for r in self.plans if r.day == day]
        # One moment for the day's reports, one for its actions; the cases differ, so their
        # requests go together (the services take them as concurrent officials would).
        self.clock.move_to(_at(day, 9))
        await asyncio.gather(*(self._submit(http, planned) for planned in todays))
        if todays:
            await self._new_cases(http, day, len(todays))
        self.clock.move_to(_at(day, 14))
        due = self.due.pop(day, [])
        await asyncio.gather(*(self._act(http, case, steps, day) for case, steps in due))
        if day.day == 1:
            await self._decide_alerts(http, day)

    async def _submit(self, http: httpx.AsyncClient, planned: PlannedReport) -> None:
        body = {
            "channel": planned.channel,
            "county": planned.county,
            "township": planned.town,
            "village": planned.village,
            "content": planned.text,
            "category_hint": planned.problem,
            "reporter": {"anonymous": True},
        }
        role = "integrator" if planned.channel == "integrator" else "clerk"
        who = self.tokens(self.directory.city_office().id, role)
        answer = await http.post(f"{self.target.intake}/api/v1/reports", json=body, headers=who)
        answer.raise_for_status()
        self.tally.reports += 1

    async def _new_cases(self, http: httpx.AsyncClient, day: date, expected: int) -> None:
        """The cases the day's reports opened (cases reads them from the bus): wait a moment
        for them, then plan each one's path from the next days on."""
        city = self.tokens(self.directory.city_office().id, "city_office")
        url = f"{self.target.cases}/api/v1/cases"
        for _ in range(50):
            found = (
                await http.get(url, params={"status": "received", "limit": 200}, headers=city)
            ).json()
            fresh = [c for c in found["items"] if c["id"] not in self.tally.cases]
            if fresh or _ == 49:
                break
            await asyncio.sleep(0.1)
        for case in fresh:
            self.tally.cases.add(case["id"])
            text = EXPOSURE.format(
                county=self._county(case), village="某村", problem=self._problem(case)
            )
            self._schedule(day, case, path(self.rng, text))

    def _schedule(self, day: date, case: dict[str, Any], steps: list[Step]) -> None:
        if steps:
            self.due.setdefault(day + timedelta(days=steps[0].after), []).append((case, steps))

    async def _act(
        self, http: httpx.AsyncClient, case: dict[str, Any], steps: list[Step], day: date
    ) -> None:
        step, rest = steps[0], steps[1:]
        body = dict(step.body or {})
        if "due_in_days" in body:
            body["due"] = (day + timedelta(days=int(str(body.pop("due_in_days"))))).isoformat()
        who = self._who(step.role, case["handling_unit"])
        url = f"{self.target.cases}/api/v1/cases/{case['id']}/{step.action}"
        answer = await http.post(url, json=body or None, headers=who)
        if answer.status_code != 200:
            self.tally.refused += 1  # e.g. a case triaged elsewhere: its path ends here
            said = answer.text[-120:]
            self.tally.refusals.append(
                f"{step.action} by {step.role} of {case['handling_unit']}: {said}"
            )
            return
        self.tally.actions += 1
        self._schedule(day, case, rest)

    async def _decide_alerts(self, http: httpx.AsyncClient, day: date) -> None:
        """Most alerts get a decision from the city office within weeks; some wait."""
        city = self.tokens(self.directory.city_office().id, "city_office")
        self.clock.move_to(_at(day, 16))
        found = (await http.get(f"{self.target.reporting}/api/v1/alerts", params={"limit": 500},
                                headers=city)).json()  # fmt: skip
        for alert in found.get("items", []):
            if alert["decided"] or self.rng.random() < 0.25:
                continue
            body = {"decision": self.rng.choice(DECISIONS), "note": "按专项治理工作要求处理"}
            url = f"{self.target.reporting}/api/v1/alerts/{alert['id']}/decision"
            if (await http.post(url, json=body, headers=city)).status_code == 200:
                self.tally.decisions += 1

    def _who(self, role: str, handling: str) -> dict[str, str]:
        office = self.directory.city_office().id
        if role not in ("overseer", "city_office"):
            return self.tokens(handling, role)
        if handling != office or role == "city_office":
            return self.tokens(office, "city_office")
        return self.tokens(self.directory.supervisors_of(office)[0].unit, "supervisor")

    def _county(self, case: dict[str, Any]) -> str:
        return dict(self.directory.counties()).get(case.get("county") or "", "")

    def _problem(self, case: dict[str, Any]) -> str:
        try:
            return self.taxonomy.problem(int(case["problem"])).title
        except (KeyError, TypeError, ValueError):
            return "扶贫领域作风"
