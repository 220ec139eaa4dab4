"""Notify's SUPERVISION consumers on real services (a NATS server per test, the notify database
on SQLite and PostgreSQL, a real SMTP server): a task's assignment waits for a digest unit's
daily mail while its inbox has it at once, an escalation is mailed at once all the same, an
inspection finding reaches the visited county's office, and a redelivered event tells no one
twice."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from nats.js import JetStreamContext
from sqlalchemy import func, select

from services.notify.models import deliveries, notices
from shared.events import Envelope, EventData, make_event
from shared.events.cases.supervision import InspectionFindingReported
from shared.events.cases.tasks import TaskAssigned, TaskEscalated
from tests.integration.busutil import eventually
from tests.integration.notify_harness import (
    bus,
    notifications,
    notify_settings,
    publish,
    running_notify,
    smtp_sink,
    token_header,
)

pytestmark = pytest.mark.integration
__all__ = ["bus"]
DIGEST_UNIT = "371402-lg"  # the harness's contacts: a daily digest, lg-371402@units.test


def event(payload: EventData, county: str, aggregate: str, sequence: int) -> Envelope:
    return make_event(
        payload, county=county, aggregate_id=aggregate, sequence=sequence, producer="cases"
    )


def task(**changes: Any) -> dict[str, Any]:
    return {
        "task_id": TASK_ID, "measure": "二", "county": "371402", "responsible_unit": DIGEST_UNIT,
        "lead_units": ("city-zzb", "city-fpb"), "status": "assigned", "version": 1,
        "due": datetime.now(UTC) + timedelta(days=20),
    } | changes  # fmt: skip


TASK_ID = str(uuid.uuid4())


async def drained(app: FastAPI, js: JetStreamContext) -> bool:
    for durable in ("notify-tasks", "notify-inspections"):
        info = await js.consumer_info("SUPERVISION", durable)
        if info.num_pending or info.num_ack_pending:
            return False
    async with app.state.context.db.sessions() as session:
        waiting = await session.scalar(select(func.count()).where(deliveries.c.status == "pending"))
    return waiting == 0


async def test_tasks_and_findings_reach_their_units_once(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    assigned = event(TaskAssigned(**task(), title="选派驻村工作队员"), "371402", TASK_ID, 1)
    escalated = event(
        TaskEscalated(**task(version=2, overdue=True), to_unit="city-zzb"), "371402", TASK_ID, 2
    )
    visit = str(uuid.uuid4())
    finding = InspectionFindingReported(
        inspection_id=visit, county="371402", township="黄河涯镇", village="王庄村",
        kind="unannounced", unit="city-fpb", visit_on=date(2026, 11, 3), status="visited",
        version=3, finding_no=1, report_id=str(uuid.uuid4()),
    )  # fmt: skip
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with running_notify(settings, js) as (app, http):
            await publish(js, assigned, event(finding, "371400", visit, 3))

            async def told() -> bool:
                return await drained(app, js) and len(sink.to("fpb-371402@units.test")) == 1

            await eventually(told)
            # The digest unit: its inbox now, its mail with the day's digest.
            inbox = await http.get("/api/v1/inbox", headers=token_header(DIGEST_UNIT, "officer"))
            assert [n["event_type"] for n in inbox.json()["items"]] == ["task.assigned"]
            assert sink.to("lg-371402@units.test") == []
            async with app.state.context.db.sessions() as session:
                held = await session.scalar(
                    select(deliveries.c.status).where(
                        deliveries.c.recipient == DIGEST_UNIT, deliveries.c.channel == "email"
                    )
                )
            assert held == "digest"
            office = sink.to("fpb-371402@units.test")[0]
            assert office.subject.startswith("【督查发现问题】") and "暗访" in office.body
            assert "王庄村" in office.body

            # The same assignment again (a redelivery) and the escalation, urgent: mailed now.
            await publish(js, assigned, escalated)

            async def escalated_told() -> bool:
                return await drained(app, js) and len(sink.to("lg-371402@units.test")) == 1

            await eventually(escalated_told)
            urgent = sink.to("lg-371402@units.test")[0]
            assert urgent.subject.startswith("【紧急·提级督办】")
            assert len(sink.to("city-zzb@units.test")) == 1  # the unit it went to
            async with app.state.context.db.sessions() as session:
                counts = dict(
                    (await session.execute(
                        select(notices.c.event_type, func.count()).group_by(notices.c.event_type)
                    )).all()
                )  # fmt: skip
            assert counts == {
                "task.assigned": 1, "task.escalated": 2, "inspection.finding_reported": 1,
            }  # fmt: skip
        told_events = [e for e in await notifications(js) if e.type == "notification.delivered"]
        inbox_told = [e for e in told_events if e.data["channel"] == "inbox"]
        assert len(inbox_told) == 4 and all(e.data["case_id"] is None for e in inbox_told)
