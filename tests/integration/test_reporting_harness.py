"""Reporting's test harness: case histories as the cases service would publish them, random
ones for hypothesis, a brute-force recount of the stats, and the service run in-process.

The recount is written from the contract's words, not from the projection's code: it walks each
case's events in version order once and counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import statistics
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import nats
from fastapi import FastAPI
from hypothesis import strategies as st
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy import delete, func, select

from services.reporting import models
from services.reporting.main import create_app
from services.reporting.periods import period_key
from services.reporting.settings import ReportingSettings
from shared import migrate
from shared.auth import issue_token
from shared.bus import init_bus, publish_envelope
from shared.db import INBOX, OUTBOX, Database
from shared.events import Envelope, make_event
from shared.events.cases import (
    CaseAccepted,
    CaseAssigned,
    CaseClosed,
    CaseConcluded,
    CaseExposed,
    CaseInvestigationStarted,
    CaseMerged,
    CaseOpened,
    CaseOverdue,
    CaseReclassified,
    CaseRectificationRejected,
    CaseRectificationRequired,
    CaseRectificationSubmitted,
    CaseRectificationVerified,
    CaseRejected,
    CaseReopened,
    CaseTransferObjected,
    CaseTransferred,
    DeadlineInfo,
)
from shared.natsserver import start_nats
from tests.factories import report_received
from tests.integration.busutil import eventually

TZ = ZoneInfo("Asia/Shanghai")
BASE = datetime(2018, 3, 1, 9, 0, tzinfo=TZ)
COUNTIES = ("371402", "371403", "371481")
UNITS = ("371402-fpb", "371403-fpb", "city-zzb")
PROBLEMS = (None, 6, 18, 23)
CHANNELS = ("web", "hotline", "letter")


@dataclass
class CaseScript:
    """One case as the cases service would publish it: every event carries the current facts."""

    county: str
    unit: str
    problem: int | None
    channel: str
    received_at: datetime
    subject_unit: str | None = None
    case_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    report_id: str = field(default_factory=lambda: f"r-{uuid.uuid4().hex[:12]}")
    version: int = 0
    status: str = "received"
    finding: str | None = None
    exposed: bool = False
    before_transfer: str = "received"
    events: list[Envelope] = field(default_factory=list)
    reports: list[Envelope] = field(default_factory=list)

    def emit(self, model: Any, at: datetime, status: str | None = None, **data: Any) -> Envelope:
        self.version += 1
        self.status = status or self.status
        payload = model(
            case_id=self.case_id,
            county=self.county,
            status=self.status,
            version=self.version,
            handling_unit=self.unit,
            problem=self.problem,
            report_id=self.report_id,
            **data,
        )
        envelope = make_event(
            payload,
            county=self.county,
            aggregate_id=self.case_id,
            sequence=self.version,
            producer="cases",
            occurred_at=at,
        )
        self.events.append(envelope)
        return envelope

    def open(self) -> CaseScript:
        self.reports.append(self._report(self.report_id, self.channel, self.received_at))
        self.emit(
            CaseOpened,
            self.received_at,
            channel=self.channel,
            received_at=self.received_at,
            subject_unit_id=self.subject_unit,
        )
        return self

    def _report(self, report_id: str, channel: str, at: datetime) -> Envelope:
        return report_received(self.county, report_id=report_id, channel=channel, received_at=at)

    def merge(self, at: datetime, channel: str = "hotline") -> None:
        report_id = f"r-{uuid.uuid4().hex[:12]}"
        self.reports.append(self._report(report_id, channel, at))
        self.emit(CaseMerged, at, merged_report_id=report_id, channel=channel, received_at=at)

    def step(self, action: str, at: datetime, arg: Any = None) -> None:
        STEPS[action](self, at, arg)


def _conclude(s: CaseScript, at: datetime, finding: Any) -> None:
    s.finding = finding or "substantiated"
    s.emit(CaseConcluded, at, "concluded", finding=s.finding, public_summary="经核查属实。")


def _transfer(s: CaseScript, at: datetime, _: Any) -> None:
    s.before_transfer = s.status
    s.emit(
        CaseTransferred,
        at,
        "transferred",
        to="discipline_inspection",
        receiving_unit="371402-jw",
    )


def _object(s: CaseScript, at: datetime, _: Any) -> None:
    s.emit(
        CaseTransferObjected,
        at,
        s.before_transfer,
        organ="discipline_inspection",
        restored_status=s.before_transfer,
    )


def _assign(s: CaseScript, at: datetime, unit: Any) -> None:
    previous, s.unit = s.unit, unit or next(u for u in UNITS if u != s.unit)
    s.emit(CaseAssigned, at, previous_unit=previous)


def _reclassify(s: CaseScript, at: datetime, problem: Any) -> None:
    previous, s.problem = s.problem, problem
    s.emit(CaseReclassified, at, previous_problem=previous)


def _expose(s: CaseScript, at: datetime, text: Any) -> None:
    s.exposed = True
    s.emit(CaseExposed, at, exposure_text=text or "某村驻村工作队长期不在岗，已责令整改。")


def _overdue(s: CaseScript, at: datetime, kind: Any) -> None:
    s.emit(CaseOverdue, at, deadline=DeadlineInfo(kind=kind or "accept_decision", due=at))


def _close(s: CaseScript, at: datetime, _: Any) -> None:
    s.emit(CaseClosed, at, "closed", finding=s.finding)


def _rectify(model: Any, status: str) -> Any:
    def step(s: CaseScript, at: datetime, _: Any) -> None:
        extra = {"due": at + timedelta(days=30)} if model is CaseRectificationRequired else {}
        s.emit(model, at, status, rectifying_unit=s.unit, **extra)

    return step


STEPS: dict[str, Any] = {
    "accept": lambda s, at, _: s.emit(CaseAccepted, at, "accepted"),
    "reject": lambda s, at, _: s.emit(CaseRejected, at, "rejected", public_reason="不属于受理范围"),
    "start": lambda s, at, _: s.emit(CaseInvestigationStarted, at, "investigating"),
    "conclude": _conclude,
    "require": _rectify(CaseRectificationRequired, "rectifying"),
    "submit": _rectify(CaseRectificationSubmitted, "rectification_submitted"),
    "verify": _rectify(CaseRectificationVerified, "rectified"),
    "reject_rect": _rectify(CaseRectificationRejected, "rectifying"),
    "transfer": _transfer,
    "object": _object,
    "close": _close,
    "reopen": lambda s, at, _: s.emit(CaseReopened, at, "investigating"),
    "assign": _assign,
    "reclassify": _reclassify,
    "expose": _expose,
    "overdue": _overdue,
    "merge": lambda s, at, channel: s.merge(at, channel or "hotline"),
}


def allowed(s: CaseScript) -> list[str]:
    """The actions the contract's transition table allows now (a subset is enough)."""
    by_status = {
        "received": ["accept", "reject", "transfer"],
        "accepted": ["start", "transfer"],
        "investigating": ["conclude", "transfer"],
        "concluded": ["close"] + (["require"] if s.finding in ("substantiated", "partly") else []),
        "rectifying": ["submit"],
        "rectification_submitted": ["verify", "reject_rect"],
        "rectified": ["close"],
        "transferred": ["close", "object"],
        "rejected": ["reopen"],
        "closed": ["reopen"],
    }
    actions = list(by_status[s.status])
    if s.status not in ("closed", "rejected"):
        actions += ["assign", "reclassify", "overdue", "merge"]
    late = ("concluded", "rectifying", "rectification_submitted", "rectified", "closed")
    if s.status in late and s.finding in ("substantiated", "partly") and not s.exposed:
        actions.append("expose")
    return actions


@st.composite
def case_scripts(draw: st.DrawFn, max_steps: int = 8) -> CaseScript:
    """A random case: where, who, what, when, then a walk through the transition table."""
    at = BASE + timedelta(hours=draw(st.integers(0, 24 * 40)))
    script = CaseScript(
        county=draw(st.sampled_from(COUNTIES)),
        unit=draw(st.sampled_from(UNITS)),
        problem=draw(st.sampled_from(PROBLEMS)),
        channel=draw(st.sampled_from(CHANNELS)),
        received_at=at,
        subject_unit=draw(st.sampled_from((None, "371402-fpb", "city-zzb"))),
    ).open()
    for _ in range(draw(st.integers(0, max_steps))):
        at += timedelta(hours=draw(st.integers(1, 24 * 12)))
        action = draw(st.sampled_from(allowed(script)))
        script.step(action, at, _argument(draw, action))
    return script


def _argument(draw: st.DrawFn, action: str) -> Any:
    choices: dict[str, Any] = {
        "conclude": st.sampled_from(("substantiated", "partly", "unsubstantiated")),
        "reclassify": st.sampled_from(PROBLEMS),
        "overdue": st.sampled_from(("accept_decision", "handle")),
        "merge": st.sampled_from(CHANNELS),
    }
    return draw(choices[action]) if action in choices else None


ARGUMENTS: dict[str, tuple[Any, ...]] = {
    "conclude": ("substantiated", "partly", "unsubstantiated"),
    "reclassify": PROBLEMS,
    "overdue": ("accept_decision", "handle"),
    "merge": CHANNELS,
}


def world(rng: random.Random, cases: int = 30, days: int = 90) -> list[CaseScript]:
    """Many cases walked at random (seeded) through the transition table."""
    scripts = []
    for _ in range(cases):
        at = BASE + timedelta(hours=rng.randint(0, 24 * days))
        script = CaseScript(
            county=rng.choice(COUNTIES),
            unit=rng.choice(UNITS),
            problem=rng.choice(PROBLEMS),
            channel=rng.choice(CHANNELS),
            received_at=at,
            subject_unit=rng.choice((None, "371402-fpb", "city-zzb")),
        ).open()
        for _ in range(rng.randint(0, 10)):
            at += timedelta(hours=rng.randint(1, 24 * 10))
            action = rng.choice(allowed(script))
            arg = rng.choice(ARGUMENTS[action]) if action in ARGUMENTS else None
            script.step(action, at, arg)
        scripts.append(script)
    return scripts


def everything(scripts: Iterable[CaseScript]) -> list[Envelope]:
    return [e for s in scripts for e in s.reports + s.events]


async def snapshot(db: Database, tables: Iterable[Any] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection row, ordered; aggregate rows that add up to zero left out."""
    out = {}
    async with db.sessions() as session:
        for table in tables or models.PROJECTION_TABLES:
            keys = [c for c in table.c if c.primary_key]
            rows = (await session.execute(select(table).order_by(*keys))).all()
            values = [c.name for c in table.c if not c.primary_key and c.type.python_type is int]
            if table.name in ("daily_counts", "latency_hist"):
                rows = [r for r in rows if any(getattr(r, v) for v in values)]
            out[table.name] = [tuple(r) for r in rows]
    return out


def lone_report(county: str, at: datetime, channel: str = "letter") -> Envelope:
    """A report whose case has not been opened (yet)."""
    return report_received(county, channel=channel, received_at=at)


# The brute-force recount: the contract's words, one case at a time, in version order.


def case_facts(events: Iterable[Envelope]) -> dict[str, Any]:
    ordered = sorted({e.event_id: e for e in events}.values(), key=lambda e: e.data["version"])
    last = ordered[-1].data
    fact: dict[str, Any] = {k: last[k] for k in ("county", "handling_unit", "problem", "status")}
    fact.update(accepted_at=None, finding=None, closed_at=None, transferred=False)
    fact.update(rectified=False, exposed=False, overdue=False, received_at=None, channel=None)
    fact["subject"] = None
    for e in ordered:
        kind, at = e.type, e.occurred_at
        if kind == "case.opened":
            fact.update(received_at=_at(e.data["received_at"]), channel=e.data["channel"])
            fact["subject"] = e.data.get("subject_unit_id")
        fact["accepted_at"] = fact["accepted_at"] or (at if kind == "case.accepted" else None)
        fact["finding"] = e.data["finding"] if kind == "case.concluded" else fact["finding"]
        fact["closed_at"] = {"case.closed": at, "case.reopened": None}.get(kind, fact["closed_at"])
        flips = {"case.transferred": True, "case.transfer_objected": False}
        fact["transferred"] = flips.get(kind, fact["transferred"])
        fact["rectified"] |= kind == "case.rectification_verified"
        fact["exposed"] |= kind == "case.exposed"
        fact["overdue"] |= kind == "case.overdue"
    return fact


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


COUNTS = ("received", "cases", "accepted", "rejected", "substantiated", "rectified", "overdue")
COUNTS += ("transferred", "exposed")


def _group_key(group_by: str, period: str, fact: dict[str, Any], day: date) -> str:
    if group_by == "period":
        return period_key(day, period)
    if group_by == "unit":
        return fact["handling_unit"]
    if group_by == "problem":
        return "unclassified" if fact["problem"] is None else str(fact["problem"])
    return fact[group_by]


def recount(
    envelopes: Iterable[Envelope],
    group_by: str,
    period: str = "day",
    first: date | None = None,
    last: date | None = None,
) -> dict[str, Any]:
    """The stats the contract defines, counted the slow and obvious way."""
    unique = {e.event_id: e for e in envelopes}.values()
    by_case: dict[str, list[Envelope]] = defaultdict(list)
    reports: dict[str, dict[str, Any]] = {}
    for e in unique:
        if e.type == "report.received":
            reports.setdefault(e.data["report_id"], {}).update(
                county=e.data["county"], channel=e.data["channel"], at=_at(e.data["received_at"])
            )
        elif e.type.startswith("case."):
            by_case[e.aggregate_id].append(e)
    facts = {case_id: case_facts(events) for case_id, events in by_case.items()}
    for case_id, events in by_case.items():
        for e in events:
            taken = {"case.opened": "report_id", "case.merged": "merged_report_id"}.get(e.type)
            if taken:
                reports.setdefault(e.data[taken], {})["case"] = case_id
    rows = _rows(facts, reports, group_by, period)
    days = [day for _, day, _, _ in rows]
    first = first or min(days, default=None)
    last = last or max(days, default=None)
    return _tally([r for r in rows if first and last and first <= r[1] <= last])


def _rows(
    facts: dict[str, dict[str, Any]], reports: dict[str, dict[str, Any]], group_by: str, period: str
) -> list[tuple[str, date, str, dict[str, Any]]]:
    """(what, day, group key, fact) for every case and every report."""
    rows = []
    for fact in facts.values():
        if fact["received_at"] is not None:
            day = fact["received_at"].astimezone(TZ).date()
            rows.append(("case", day, _group_key(group_by, period, fact, day), fact))
    for report in reports.values():
        day = report["at"].astimezone(TZ).date()
        case = facts.get(report.get("case", ""))
        if group_by in ("unit", "problem") and case is None:
            key = None
        else:
            own = {"county": report["county"], "channel": report["channel"]}
            key = _group_key(group_by, period, {**(case or {}), **own}, day)
        rows.append(("report", day, key or "", report))
    return rows


def _tally(rows: list[tuple[str, date, str, dict[str, Any]]]) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = defaultdict(_blank)
    totals = _blank()
    for what, _, key, fact in rows:
        targets = [totals] + ([groups[key]] if key else [])
        for target in targets:
            if what == "report":
                target["received"] += 1
            else:
                _count(target, fact)
    return {
        "groups": [_finish(k, groups[k]) for k in sorted(groups)],
        "totals": _finish("total", totals),
    }


def _blank() -> dict[str, Any]:
    return dict.fromkeys(COUNTS, 0) | {"_accept": [], "_close": []}


def _count(target: dict[str, Any], fact: dict[str, Any]) -> None:
    target["cases"] += 1
    target["accepted"] += fact["accepted_at"] is not None
    target["rejected"] += fact["status"] == "rejected"
    target["substantiated"] += fact["finding"] in ("substantiated", "partly")
    for flag in ("rectified", "overdue", "transferred", "exposed"):
        target[flag] += bool(fact[flag])
    for name, moment in (("_accept", fact["accepted_at"]), ("_close", fact["closed_at"])):
        if moment is not None:
            days = (moment.astimezone(TZ).date() - fact["received_at"].astimezone(TZ).date()).days
            target[name].append(max(days, 0))


def _finish(key: str, values: dict[str, Any]) -> dict[str, Any]:
    out = {"key": key, **{k: int(values[k]) for k in COUNTS}}
    for name, samples in (("median_days_to_accept", values["_accept"]),):
        out[name] = round(statistics.median(samples), 2) if samples else None
    samples = values["_close"]
    out["median_days_to_close"] = round(statistics.median(samples), 2) if samples else None
    return out


# Running the service.


async def fresh_database(url: str) -> Database:
    await asyncio.to_thread(migrate.upgrade, "reporting", url)
    return Database(url)


async def reset(db: Database) -> None:
    """Empty every reporting table (between hypothesis examples on one database)."""
    async with db.sessions() as session, session.begin():
        for table in (*models.PROJECTION_TABLES, models.alerts, models.alert_decisions):
            await session.execute(delete(table))
        await session.execute(delete(INBOX))
        await session.execute(delete(OUTBOX))


@contextlib.asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[FastAPI]:
    """The app with its lifespan (broker, relay, background jobs) started."""
    async with app.router.lifespan_context(app):
        yield app


SECRET = "reporting-tests-secret-long-enough-for-hs256-keys"


def token(unit: str = "city-fpb", role: str = "city_office") -> dict[str, str]:
    signed = issue_token(SECRET, unit=unit, role=role, sub="tests", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {signed}"}


@dataclass
class Service:
    """The reporting service on its own nats-server, with an HTTP client bound to it."""

    app: FastAPI
    http: httpx.AsyncClient
    nc: Client
    js: JetStreamContext
    db: Database
    nats_url: str

    async def publish(self, envelopes: Iterable[Envelope]) -> int:
        count = 0
        for envelope in envelopes:
            await publish_envelope(self.js, envelope)
            count += 1
        return count

    async def processed(self) -> int:
        async with self.db.sessions() as session:
            return int((await session.execute(select(func.count()).select_from(INBOX))).scalar())

    async def until_processed(self, count: int, timeout: float = 30.0) -> None:
        async def done() -> bool:
            return await self.processed() >= count

        await eventually(done, timeout=timeout)


def settings_for(url: str, nats_url: str, var_dir: Any, **overrides: Any) -> ReportingSettings:
    values: dict[str, Any] = {
        "nats_url": nats_url,
        "database_url": url,
        "var_dir": var_dir,
        "jwt_secret": SECRET,
        "retry_delays": (0.2, 0.5, 1.0),
        "metrics_interval": 0.2,
        "outbox_poll_interval": 0.2,
    }
    return ReportingSettings(**(values | overrides))


@contextlib.asynccontextmanager
async def service(url: str, tmp_path: Any, **overrides: Any) -> AsyncIterator[Service]:
    """A fresh nats-server (so no other test's events reach these consumers) and the app."""
    server = start_nats(tmp_path / "nats")
    nc = await nats.connect(server.url)
    try:
        await init_bus(nc.jetstream(), max_deliver=4, ack_wait=5)
        await asyncio.to_thread(migrate.upgrade, "reporting", url)
        app = create_app(settings_for(url, server.url, tmp_path / "var", **overrides))
        transport = httpx.ASGITransport(app=app)
        async with (
            running(app),
            httpx.AsyncClient(transport=transport, base_url="http://reporting", timeout=30) as http,
        ):
            svc = Service(app, http, nc, nc.jetstream(), app.state.runtime.db, server.url)
            await eventually(lambda: _ready(http), timeout=20)
            yield svc
    finally:
        await nc.close()
        server.stop()


async def _ready(http: httpx.AsyncClient) -> bool:
    return (await http.get("/readyz")).status_code == 200


def test_recount_counts_a_plain_case() -> None:
    """The recount itself: one case accepted a day after receipt and closed after ten."""
    script = CaseScript("371402", "371402-fpb", 18, "web", BASE).open()
    script.step("accept", BASE + timedelta(days=1))
    script.step("start", BASE + timedelta(days=2))
    script.step("conclude", BASE + timedelta(days=5), "partly")
    script.step("require", BASE + timedelta(days=6))
    script.step("submit", BASE + timedelta(days=8))
    script.step("verify", BASE + timedelta(days=9))
    script.step("close", BASE + timedelta(days=10))
    result = recount(script.events + script.reports, "county")
    assert result["totals"] | {"key": "371402"} == result["groups"][0]
    expected = {"received": 1, "cases": 1, "accepted": 1, "substantiated": 1, "rectified": 1}
    assert {k: result["totals"][k] for k in expected} == expected
    assert result["totals"]["median_days_to_accept"] == 1.0
    assert result["totals"]["median_days_to_close"] == 10.0
