"""The outbox row commits with the change it announces, or neither does, in every service
that writes and publishes: intake (a report, a review request), cases (an opening, an action,
a review request, with the consumed event's inbox mark), notify (a case event's fan-out, a
delivery's end) and reporting (an alert raised by a finding, a decision on it).

The database itself refuses one insert (a trigger made here in the test's throwaway database,
or an event id the outbox already holds), on PostgreSQL and SQLite. A write that published in a
second transaction would leave its change behind without its event, or the event without it;
then the service must not answer as if it had succeeded, and a redelivery must still work."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.cases.handlers import when_reports_arrive
from services.cases.models import audit_log, case_history, case_reports, cases, deadlines
from services.intake import drafts as intake_drafts
from services.intake.models import idempotency, report_steps, reports
from services.intake.schemas.report import ReportIn
from services.notify.delivery.jobs import Job, Result
from services.notify.delivery.outcomes import record
from services.notify.fanout.rows import delivery_row
from services.notify.handlers import CONSUMER as NOTIFY_CASES
from services.notify.handlers import when_case_changes_tell_the_people
from services.notify.models import deliveries, notices, source_events
from services.reporting.alerts.raising import _alert_row
from services.reporting.alerts.rule import AlertRule
from services.reporting.context import Context
from services.reporting.handlers import when_case_changes_update_facts
from services.reporting.models import alert_decisions, alerts, case_facts
from services.reporting.settings import ReportingSettings
from shared import outbox
from shared.db import INBOX, OUTBOX, Database
from shared.directory import load_directory
from shared.events import make_event, parse_payload
from shared.events.cases import CaseRejected
from shared.events.intake import ReportReviewRequested
from shared.natsserver import NatsProcess
from tests.factories import report_received
from tests.integration.dbutil import migrated
from tests.integration.notify_harness import (
    bus,
    case_event,
    new_case_id,
    notify_settings,
    running_notify,
    smtp_sink,
)
from tests.integration.test_cases_harness import (
    Clock,
    Running,
    cases_running,
    headers,
    own_nats,
)
from tests.integration.test_intake_harness import Intake, report, running_intake
from tests.integration.test_intake_status import Case, steps_become, submit
from tests.integration.test_reporting_harness import BASE, CaseScript, token
from tests.integration.test_reporting_harness import service as reporting_service

pytestmark = pytest.mark.integration
__all__ = ["bus", "own_nats"]  # fixtures, imported for pytest
OFFICER = headers("371402-fpb", "officer", "officer-1")
D = load_directory()


@contextlib.asynccontextmanager
async def refused(engine: AsyncEngine, refusing: Table) -> AsyncIterator[None]:
    """Inserts into `refusing` fail (a BEFORE INSERT trigger raising) until the block ends."""
    table = refusing.name
    name = f"zf_test_refuse_{table}"
    async with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            body = "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            await conn.execute(text(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} {body}"))
        else:
            await conn.execute(
                text(
                    "CREATE OR REPLACE FUNCTION zf_test_refuse() RETURNS trigger LANGUAGE plpgsql"
                    " AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                )
            )
            await conn.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE INSERT ON {table}"
                    " FOR EACH ROW EXECUTE FUNCTION zf_test_refuse()"
                )
            )
    try:
        yield
    finally:
        async with engine.begin() as conn:
            on = "" if engine.dialect.name == "sqlite" else f" ON {table}"
            await conn.execute(text(f"DROP TRIGGER {name}{on}"))


def answering(app: Any, base_url: str) -> httpx.AsyncClient:
    """A client that gets the app's own answer to a failure (a 500), not the exception the
    in-process transport would re-raise."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=base_url)


async def counts(db: Database, *tables: Any) -> list[int]:
    async with db.sessions() as session:
        return [int(await session.scalar(select(func.count()).select_from(t)) or 0) for t in tables]


# -- intake: a report, its step, its idempotency record and report.received -------------------


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[Intake]:
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as running:
        yield running


async def test_intake_a_refused_event_stores_no_report(intake: Intake) -> None:
    db, key = intake.ctx.db, {"Idempotency-Key": "atomic-1"}
    async with refused(db.engine, OUTBOX):
        answer = await intake.http.post("/api/v1/reports", json=report(), headers=key)
    assert answer.status_code == 503, answer.text  # "not stored; retry with the same key"
    assert await counts(db, reports, report_steps, idempotency, OUTBOX) == [0, 0, 0, 0]
    again = await intake.http.post("/api/v1/reports", json=report(), headers=key)
    assert again.status_code == 202, again.text  # the key was not spent on the failure
    assert await counts(db, reports, report_steps, idempotency, OUTBOX) == [1, 1, 1, 1]


async def test_intake_a_refused_idempotency_record_publishes_nothing(intake: Intake) -> None:
    db = intake.ctx.db
    async with refused(db.engine, idempotency):
        answer = await intake.http.post(
            "/api/v1/reports", json=report(), headers={"Idempotency-Key": "atomic-2"}
        )
    assert answer.status_code == 503, answer.text
    assert await counts(db, reports, report_steps, idempotency, OUTBOX) == [0, 0, 0, 0]


async def test_intake_an_event_id_already_in_the_outbox_stores_no_report(intake: Intake) -> None:
    ctx = intake.ctx
    taken = report_received("371402")
    async with ctx.db.sessions() as session, session.begin():
        await outbox.add(session, taken)
    draft = intake_drafts.prepare(
        ctx, ReportIn.model_validate(report()), ctx.clock(), key="k-clash", unit=None
    )
    draft.envelope = draft.envelope.model_copy(update={"event_id": taken.event_id})
    with pytest.raises(Exception, match="outbox"):
        await ctx.writer.store(draft)
    assert await counts(ctx.db, reports, report_steps, idempotency, OUTBOX) == [0, 0, 0, 1]


@pytest.mark.parametrize("table", [OUTBOX, report_steps], ids=["outbox", "steps"])
async def test_intake_a_review_request_is_whole_or_absent(intake: Intake, table: Table) -> None:
    db, accepted = intake.ctx.db, await submit(intake)
    code, case = accepted["tracking_code"], Case(intake, accepted["report_id"])
    await case.open()
    await steps_become(intake, code, 2)
    await intake.case_event(CaseRejected(**case.facts("rejected"), public_reason="证据不足"))
    await steps_become(intake, code, 3)
    url, reason = f"/api/v1/reports/{code}/review", {"reason": "我有新的证据：照片和证人"}

    async def state() -> tuple[Any, ...]:
        async with db.sessions() as session:
            row = (await session.execute(select(reports))).one()
        return (row.sequence, row.review_until, row.review_requested_at)

    before = (await state(), await counts(db, report_steps, OUTBOX))
    async with answering(intake.app, "http://intake") as http:
        async with refused(db.engine, table):
            answer = await http.post(url, json=reason)
        assert answer.status_code >= 500, answer.text  # never a success
        assert (await state(), await counts(db, report_steps, OUTBOX)) == before
        again = await http.post(url, json=reason)  # the window is still open
    assert again.status_code == 202, again.text


# -- cases: an opening (inbox mark, case, history, clocks, case.opened) and an action -----------


@pytest.fixture
async def running(own_nats: NatsProcess, database_url: str, tmp_path: Path) -> Any:
    async with cases_running(own_nats.url, database_url, tmp_path / "var", Clock()) as r:
        yield r


OPENING_TABLES = (INBOX, cases, case_reports, case_history, deadlines, OUTBOX)


@pytest.mark.parametrize("table", [OUTBOX, case_history], ids=["outbox", "history"])
async def test_cases_an_opening_is_whole_or_absent(running: Running, table: Table) -> None:
    """Refused: nothing is written and the event is not marked processed, so its redelivery,
    once the database takes it, opens the case (a single event is a batch of one)."""
    db = running.ctx.db
    source = report_received("371402", content="驻村工作队员一个月就来一两次，平时根本不在村里住。")
    handle = when_reports_arrive(running.ctx)
    async with refused(db.engine, table):
        with pytest.raises(Exception, match="refused by the test"):
            await handle([(source, parse_payload(source))])
    assert await counts(db, *OPENING_TABLES) == [0] * 6
    await handle([(source, parse_payload(source))])  # the redelivery
    inbox, *written, events = await counts(db, *OPENING_TABLES)
    assert inbox == events == 1 and all(written)


async def test_cases_a_batch_of_openings_is_whole_or_absent(running: Running) -> None:
    db = running.ctx.db
    content = "驻村工作队员一个月就来一两次，平时根本不在村里住。"
    first = report_received("371402", content=content, subject_person="张一")
    repeat = report_received("371402", content=content, subject_person="张一")
    async with refused(db.engine, OUTBOX):
        with pytest.raises(Exception, match="refused by the test"):
            await when_reports_arrive(running.ctx)(
                [(first, parse_payload(first)), (repeat, parse_payload(repeat))]
            )
    assert await counts(db, *OPENING_TABLES) == [0] * 6


async def opened_case(running: Running) -> str:
    envelope = await running.report()
    return str((await running.case_of(envelope.aggregate_id))["id"])


async def case_state(db: Database, case_id: str) -> tuple[Any, ...]:
    async with db.sessions() as session:
        row = (await session.execute(select(cases).where(cases.c.id == case_id))).one()
        clocks = await session.execute(
            select(deadlines.c.kind, deadlines.c.state, deadlines.c.due).order_by(deadlines.c.kind)
        )
        return (row.status, row.version, row.entries, row.updated_at, list(clocks))


@pytest.mark.parametrize("table", [OUTBOX, case_history], ids=["outbox", "history"])
async def test_cases_an_action_is_whole_or_absent(running: Running, table: Table) -> None:
    db, case_id = running.ctx.db, await opened_case(running)
    # Case events only: the audit anchor's outbox row may be written meanwhile, by its own task.
    case_rows = select(OUTBOX).where(OUTBOX.c.subject.like("%.case.%")).subquery()
    before = (await case_state(db, case_id), await counts(db, case_history, audit_log, case_rows))
    async with answering(running.app, "http://cases") as http:
        async with refused(db.engine, table):
            answer = await http.post(f"/api/v1/cases/{case_id}/accept", headers=OFFICER)
        assert answer.status_code >= 500, answer.text  # never a success
        tables = (case_history, audit_log, case_rows)
        after = (await case_state(db, case_id), await counts(db, *tables))
        assert after == before
        again = await http.post(f"/api/v1/cases/{case_id}/accept", headers=OFFICER)
    assert again.status_code == 200 and again.json()["version"] == 2, again.text


async def test_cases_a_review_request_is_whole_or_absent(running: Running) -> None:
    """The reopening and the event's inbox mark commit together: refused, the redelivery
    reopens the case."""
    db, case_id = running.ctx.db, await opened_case(running)
    answer = await running.act(case_id, "reject", OFFICER, {"reason": "不属于受理范围"})
    report_id = answer.json()["reports"][0]["report_id"]
    asked = ReportReviewRequested(
        report_id=report_id, case_id=case_id, reason="答复不实", requested_at=running.clock()
    )
    source = make_event(asked, county="371402", aggregate_id=report_id, sequence=2, producer="t")
    handle = when_reports_arrive(running.ctx)

    async def marked() -> int:
        async with db.sessions() as session:
            query = select(func.count()).where(INBOX.c.event_id == str(source.event_id))
            return int(await session.scalar(query) or 0)

    before = (await case_state(db, case_id), await counts(db, case_history, OUTBOX))
    async with refused(db.engine, OUTBOX):
        with pytest.raises(Exception, match="refused by the test"):
            await handle([(source, asked)])
    assert (await case_state(db, case_id), await counts(db, case_history, OUTBOX)) == before
    assert await marked() == 0
    await handle([(source, asked)])  # the redelivery
    assert (await running.detail(case_id))["status"] == "investigating"
    assert await marked() == 1


# -- notify: a case event's inbox notices and deliveries, and their notification.delivered -----


@pytest.mark.parametrize("table", [OUTBOX, deliveries], ids=["outbox", "deliveries"])
async def test_notify_a_fan_out_is_whole_or_absent(
    database_url: str, tmp_path: Path, bus: Any, table: Table
) -> None:
    url, js = bus
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with running_notify(settings, js) as (app, _http):
            n = app.state.context
            event = case_event("case.opened", new_case_id(), None, 1)
            handle = when_case_changes_tell_the_people(n)
            tables = (INBOX, notices, deliveries, source_events, OUTBOX)
            async with refused(n.db.engine, table):
                with pytest.raises(Exception, match="refused by the test"):
                    await handle([(event, parse_payload(event))])
            assert await counts(n.db, *tables) == [0] * 5
            await handle([(event, parse_payload(event))])  # the redelivery
            async with n.db.sessions() as session:
                marked = select(func.count()).where(INBOX.c.consumer == NOTIFY_CASES)
                assert await session.scalar(marked) == 1
            told = await counts(n.db, notices, OUTBOX)
            assert told[0] > 0 and told[1] > 0


# -- reporting: a finding's facts and the alert it raises -------------------------------------


@pytest.mark.parametrize("table", [OUTBOX, alerts], ids=["outbox", "alerts"])
async def test_reporting_an_alert_is_whole_or_absent(database_url: str, table: Table) -> None:
    db = await migrated(database_url, "reporting")
    try:
        settings = ReportingSettings(alert_threshold=1, alert_window_days=30)
        project = when_case_changes_update_facts(Context.build(settings, db))
        script = CaseScript("371402", "371402-fpb", 18, "web", BASE).open()
        script.step("accept", BASE + timedelta(days=1))
        script.step("start", BASE + timedelta(days=2))
        script.step("conclude", BASE + timedelta(days=3), "substantiated")
        *before, finding = [(e, parse_payload(e)) for e in script.events]
        await project(before)
        async with refused(db.engine, table):
            with pytest.raises(Exception, match="refused by the test"):
                await project([finding])
        async with db.sessions() as session:
            facts = select(case_facts.c.finding).where(case_facts.c.case_id == script.case_id)
            assert await session.scalar(facts) is None
        assert await counts(db, alerts, OUTBOX, INBOX) == [0, 0, len(before)]
        await project([finding])  # the redelivery
        raised = await counts(db, alerts, OUTBOX, INBOX)
        assert raised == [raised[0], raised[0], len(before) + 1] and raised[0] > 0
    finally:
        await db.dispose()


@pytest.mark.parametrize("table", [OUTBOX, alert_decisions], ids=["outbox", "decisions"])
async def test_reporting_a_decision_is_whole_or_absent(
    database_url: str, tmp_path: Path, table: Table
) -> None:
    async with reporting_service(database_url, tmp_path) as svc:
        row = _alert_row("unit", "371402-fpb", BASE, 3, AlertRule(), D)
        async with svc.db.sessions() as session, session.begin():
            await session.execute(insert(alerts).values(**row))
        url = f"/api/v1/alerts/{row['alert_id']}/decision"
        decided = {"decision": "interview", "note": "约谈县扶贫办主要负责人"}
        async with answering(svc.app, "http://reporting") as http:
            async with refused(svc.db.engine, table):
                answer = await http.post(url, json=decided, headers=token())
            assert answer.status_code >= 500, answer.text  # never a success
            assert await counts(svc.db, alert_decisions, OUTBOX) == [0, 0]
            async with svc.db.sessions() as session:
                assert await session.scalar(select(alerts.c.sequence)) == 1
            again = await http.post(url, json=decided, headers=token())
        assert again.status_code == 200, again.text
        # The decision, with its alert.decided and its audit.alert_decided.
        assert await counts(svc.db, alert_decisions, OUTBOX) == [1, 2]


# -- notify: a delivery's end and its notification.delivered / .failed ------------------------


@pytest.mark.parametrize("kind", ["sent", "failed"])
async def test_notify_a_delivery_outcome_is_whole_or_absent(
    database_url: str, tmp_path: Path, bus: Any, kind: str
) -> None:
    url, js = bus
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with running_notify(settings, js) as (app, _http):
            n, now = app.state.context, datetime.now(UTC)
            event = case_event("case.opened", new_case_id(), None, 1)
            row = delivery_row(
                event, parse_payload(event), now, channel="email", recipient_kind="unit",  # type: ignore[arg-type]
                recipient="371402-fpb", audience="unit", attempts=1,
                next_attempt_at=now + timedelta(days=365),  # never due: the worker leaves it
            )  # fmt: skip
            async with n.db.sessions() as session, session.begin():
                await session.execute(insert(deliveries).values(**row))
            outcome = Result(Job([row], row["external_id"]), kind, "email", "550 refused")  # type: ignore[arg-type]

            async def status() -> list[Any]:
                async with n.db.sessions() as session:
                    found = await session.scalar(select(deliveries.c.status))
                return [found, *await counts(n.db, OUTBOX)]

            async with refused(n.db.engine, OUTBOX):
                with pytest.raises(Exception, match="refused by the test"):
                    await record(n, [outcome])
            assert await status() == ["pending", 0]
            await record(n, [outcome])  # the next round, once the database takes it
            assert await status() == ["delivered" if kind == "sent" else "failed", 1]
