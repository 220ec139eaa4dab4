"""Notify on real services: mail through a real SMTP server, signed webhooks to a real HTTP
listener, a NATS server per test and the notify database on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from nats.js import JetStreamContext
from sqlalchemy import func, insert, select

from services.notify import reporters
from services.notify.context import Context
from services.notify.delivery import worker
from services.notify.delivery.claiming import claim
from services.notify.delivery.jobs import Job, Result
from services.notify.delivery.loading import Loaded
from services.notify.delivery.outcomes import record
from services.notify.fanout.rows import delivery_row
from services.notify.models import deliveries, reporter_contacts
from shared.bus import init_bus
from shared.events import parse_payload
from tests.factories import report_received
from tests.integration.busutil import eventually
from tests.integration.notify_harness import (
    bus,
    case_event,
    new_case_id,
    notifications,
    notify_settings,
    publish,
    running_notify,
    sealed_report,
    settled,
    smtp_sink,
    token_header,
    webhook_receiver,
)

pytestmark = pytest.mark.integration
__all__ = ["bus"]  # the fixture, imported so pytest finds it here
REPORTER = "reporter-7f3a@example.net"
UNIT_MAIL = "fpb-371402@units.test"


async def test_mail_reaches_reporter_and_units_never_an_anonymous_reporter(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with running_notify(settings, js) as (app, _http):
            named = sealed_report(settings.resolved_keys_dir, name="张三", email=REPORTER)
            anonymous = report_received("371402")
            await publish(js, named, anonymous)
            for report in (named, anonymous):
                case_id = new_case_id()
                opened = case_event("case.opened", case_id, report.aggregate_id, 1)
                accepted = case_event("case.accepted", case_id, report.aggregate_id, 2)
                await publish(js, opened, accepted)

            async def all_sent() -> bool:
                return await settled(app, js) and len(sink.to(UNIT_MAIL)) == 2

            await eventually(all_sent)
    mail = sink.to(REPORTER)
    assert len(mail) == 1, "one reporter left a contact; the anonymous one is never told"
    assert mail[0].rcpt == [REPORTER]
    assert mail[0].subject == "您反映的问题已受理"
    assert "已由德城区扶贫办受理" in mail[0].body
    assert all(m.subject.startswith("【新案件】") for m in sink.to(UNIT_MAIL))
    assert len(sink.mails) == 3
    events = await notifications(js)
    delivered = [e for e in events if e.type == "notification.delivered"]
    reporter_events = [e for e in delivered if e.data["recipient_kind"] == "reporter"]
    assert [e.data["recipient"] for e in reporter_events] == [named.aggregate_id]
    assert (
        mail[0].message["Message-ID"]
        == f"<{reporter_events[0].data['delivery_id']}@zuofeng.example.org>"
    )
    assert {e.county for e in events} == {"371402"}


async def test_webhook_is_signed_and_retried_with_the_same_delivery_id(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with webhook_receiver() as receiver, running_notify(settings, js) as (app, http):
            answer = await http.post(
                "/api/v1/webhooks",
                json={"url": receiver.url, "event_types": ["case.opened"], "counties": ["371402"]},
                headers=token_header("city-fpb", "integrator"),
            )
            assert answer.status_code == 201, answer.text
            receiver.secret = answer.json()["secret"]
            receiver.script = [500, 500]
            opened = case_event("case.opened", new_case_id(), None, 1)
            await publish(js, opened)

            async def accepted_on_third() -> bool:
                return len(receiver.calls) == 3 and await settled(app, js)

            await eventually(accepted_on_third)
            metrics = (await http.get("/metrics")).text
    assert [c["status"] for c in receiver.calls] == [500, 500, 200]
    assert all(c["valid"] for c in receiver.calls)
    for call in receiver.calls:  # the contract, recomputed here as an integrator would
        signed = call["timestamp"].encode() + b"." + call["body"]
        digest = hmac.new(receiver.secret.encode(), signed, hashlib.sha256).hexdigest()
        assert call["signature"] == f"sha256={digest}"
        assert abs(int(call["timestamp"]) - time.time()) < 300  # Unix seconds, fresh
    assert len({c["delivery"] for c in receiver.calls}) == 1
    assert json.loads(receiver.calls[-1]["body"])["event_id"] == str(opened.event_id)
    assert 'zuofeng_notify_deliveries_total{channel="webhook",outcome="retried"} 2.0' in metrics
    assert 'zuofeng_notify_deliveries_total{channel="webhook",outcome="sent"} 1.0' in metrics
    assert 'zuofeng_notify_delivery_latency_seconds_count{channel="webhook"} 1.0' in metrics
    assert 'zuofeng_notify_attempt_seconds_count{channel="webhook"} 3.0' in metrics
    hooks = [e for e in await notifications(js) if e.data["channel"] == "webhook"]
    assert [(e.type, e.data["delivery_id"], e.data["attempts"]) for e in hooks] == [
        ("notification.delivered", receiver.calls[0]["delivery"], 3)
    ]


async def test_redelivered_events_send_nothing_new(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with webhook_receiver() as receiver, running_notify(settings, js) as (app, http):
            answer = await http.post(
                "/api/v1/webhooks",
                json={"url": receiver.url, "event_types": ["case.accepted"]},
                headers=token_header("city-fpb", "integrator"),
            )
            receiver.secret = answer.json()["secret"]
            named = sealed_report(settings.resolved_keys_dir, name="李四", email=REPORTER)
            case_id = new_case_id()
            accepted = case_event("case.accepted", case_id, named.aggregate_id, 2)
            await publish(js, named, case_event("case.opened", case_id, named.aggregate_id, 1))
            await publish(js, accepted)
            await eventually(lambda: _sent(app, js, sink, 2))
            rows_before = await _count_rows(app)
            # The same event again, past JetStream's dedupe (another Nats-Msg-Id).
            resent = await js.publish(
                "zuofeng.v1.371402.case.accepted",
                accepted.to_bytes(),
                stream="CASES",
                headers={"Nats-Msg-Id": f"resent-{uuid.uuid4()}"},
            )
            assert not resent.duplicate  # stored, so redelivered: the test is not vacuous
            await eventually(lambda: settled(app, js))
            assert await _count_rows(app) == rows_before
    assert len(sink.to(REPORTER)) == 1
    assert len(receiver.calls) == 1


async def _sent(app: FastAPI, js: JetStreamContext, sink: object, mails: int) -> bool:
    return await settled(app, js) and len(sink.mails) == mails  # type: ignore[attr-defined]


async def _count_rows(app: FastAPI) -> int:
    async with app.state.context.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(deliveries)) or 0)


async def test_a_reporter_notice_waits_for_a_late_report_and_anonymous_ones_are_dropped(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    """`report.*` and `case.*` are consumed independently: a case event may come first."""
    url, js = bus
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with running_notify(settings, js) as (app, _http):
            named = sealed_report(settings.resolved_keys_dir, name="赵六", email=REPORTER)
            anonymous = report_received("371402")
            for report in (named, anonymous):
                case_id = new_case_id()
                await publish(js, case_event("case.rejected", case_id, report.aggregate_id, 2))

            async def waiting() -> bool:
                async with app.state.context.db.sessions() as session:
                    rows = (await session.execute(select(deliveries))).mappings().all()
                return len(rows) == 2 and all(r["last_error"] for r in rows)

            await eventually(waiting)
            assert sink.mails == []
            await publish(js, named, anonymous)
            await eventually(lambda: _sent(app, js, sink, 1))
            async with app.state.context.db.sessions() as session:
                rows = (await session.execute(select(deliveries))).mappings().all()
    assert sink.mails[0].rcpt == [REPORTER] and "不予受理" in sink.mails[0].subject
    assert sorted((r["status"], r["attempts"]) for r in rows) == [
        ("cancelled", 0),
        ("delivered", 1),
    ]


async def test_a_merged_repeat_tells_its_own_reporter_and_later_news_reaches_both(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    first, repeat = "first-reporter@example.net", "repeat-reporter@example.net"
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with running_notify(settings, js) as (app, _http):
            keys = settings.resolved_keys_dir
            one = sealed_report(keys, name="甲", email=first)
            two = sealed_report(keys, name="乙", email=repeat)
            case_id = new_case_id()
            await publish(js, one, two, case_event("case.opened", case_id, one.aggregate_id, 1))
            merged = case_event(
                "case.merged", case_id, one.aggregate_id, 2, merged_report_id=two.aggregate_id
            )
            await publish(js, merged)
            await eventually(lambda: _sent(app, js, sink, 3))  # the unit twice, the repeat once
            await publish(js, case_event("case.accepted", case_id, one.aggregate_id, 3))
            await eventually(lambda: _sent(app, js, sink, 5))
    assert [m.subject for m in sink.to(repeat)] == [
        "您反映的问题已并入正在办理的案件",
        "您反映的问题已受理",
    ]
    assert [m.subject for m in sink.to(first)] == ["您反映的问题已受理"]


async def test_a_reporter_reads_a_case_s_mails_in_the_order_it_happened(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        await init_bus(js, max_deliver=settings.max_deliver, ack_wait=settings.ack_wait)
        report = sealed_report(settings.resolved_keys_dir, name="李四", email=REPORTER)
        case_id = new_case_id()
        life = ["case.opened", "case.accepted", "case.concluded", "case.closed"]
        # Published before notify starts, so one pull takes them all and one round sends them:
        # the first mail is held at the server, and a concurrent second would overtake it.
        await publish(js, report)
        await publish(
            js, *(case_event(t, case_id, report.aggregate_id, i + 1) for i, t in enumerate(life))
        )
        sink.hold[REPORTER] = 0.5
        async with running_notify(settings, js) as (app, _http):

            async def all_sent() -> bool:
                return await settled(app, js) and len(sink.to(REPORTER)) == 3

            await eventually(all_sent)
    subjects = [mail.subject for mail in sink.to(REPORTER)]
    assert subjects == ["您反映的问题已受理", "您反映问题的办理结果", "您反映的问题已办结"]


async def test_a_report_kept_during_a_round_lets_no_later_mail_overtake_the_first(
    database_url: str,
    tmp_path: Path,
    bus: tuple[str, JetStreamContext],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The case's events come before its report, so the reporter's mails wait for it, the
    oldest looking again least often; the report is kept while a round is looking at the first
    mail (placed there by wrapping the round's read). The report brings every waiting mail
    forward: none may then go out before the first, whatever the round that saw it decides."""
    url, js = bus
    with smtp_sink() as sink:
        # Waits grow with age up to the cap: the first mail, a second older, looks again last.
        settings = notify_settings(
            url, database_url, tmp_path / "var", sink.port, delivery_retry_cap=1.0
        )
        report = sealed_report(settings.resolved_keys_dir, name="王五", email=REPORTER)
        case_id = new_case_id()
        armed, kept = asyncio.Event(), asyncio.Event()
        read_round = worker.load

        async def report_arrives_mid_round(n: Context, rows: list[dict[str, Any]]) -> Loaded:
            loaded = await read_round(n, rows)  # the contact is not there yet
            waiting = {r["event_type"] for r in rows if r["recipient_kind"] == "reporter"}
            if armed.is_set() and not kept.is_set() and "case.accepted" in waiting:
                kept.set()
                await publish(js, report)
                await eventually(lambda: _contact_kept(n, report.aggregate_id))
            return loaded

        monkeypatch.setattr(worker, "load", report_arrives_mid_round)
        async with running_notify(settings, js) as (app, _http):
            first = ("case.opened", "case.accepted")
            later = ("case.concluded", "case.closed")
            await publish(
                js,
                *(case_event(t, case_id, report.aggregate_id, i + 1) for i, t in enumerate(first)),
            )
            await eventually(lambda: _reporter_rows(app, 1))
            await asyncio.sleep(1.0)
            await publish(
                js,
                *(case_event(t, case_id, report.aggregate_id, i + 3) for i, t in enumerate(later)),
            )
            await eventually(lambda: _reporter_rows(app, 3))
            armed.set()

            async def all_sent() -> bool:
                return await settled(app, js) and len(sink.to(REPORTER)) == 3

            await eventually(all_sent)
    assert kept.is_set(), "the report was kept during a round, as the test means"
    subjects = [mail.subject for mail in sink.to(REPORTER)]
    assert subjects == ["您反映的问题已受理", "您反映问题的办理结果", "您反映的问题已办结"]


async def test_a_later_mail_waits_for_an_earlier_one_untried_but_overtakes_a_retried_one(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    """Each case's second mail is due; its first falls due later: out on its first try on
    another replica (leased), waiting for the report, or retried after the receiver failed.
    Only the retried one may be overtaken (README)."""
    url, js = bus
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with running_notify(settings, js) as (app, _http):
            n = app.state.context
            # A year ahead: the running worker never finds these due; the claim below does.
            due = datetime.now(UTC) + timedelta(days=365)
            later = due + timedelta(days=1)
            firsts: dict[str, dict[str, Any]] = {
                "leased": {"attempts": 1, "last_error": None},
                "waiting": {"attempts": 0, "last_error": "report not seen yet"},
                "retried": {"attempts": 1, "last_error": "451 try again later"},
            }
            seconds: dict[str, str] = {}
            rows: list[dict[str, Any]] = []
            for state, first in firsts.items():
                case_id = new_case_id()
                for seq, event_type in ((1, "case.accepted"), (2, "case.concluded")):
                    event = case_event(event_type, case_id, "r-" + case_id, seq)
                    row = delivery_row(
                        event, parse_payload(event), due, channel="email",  # type: ignore[arg-type]
                        recipient_kind="reporter", recipient="r-" + case_id, audience="reporter",
                    )  # fmt: skip
                    if seq == 1:
                        row.update(first, next_attempt_at=later)
                    else:
                        seconds[row["id"]] = state
                    rows.append(row)
            async with n.db.sessions() as session, session.begin():
                await session.execute(insert(deliveries), rows)
            claimed = await claim(replace(n, clock=lambda: due))
    assert [seconds[row["id"]] for row in claimed] == ["retried"]


async def test_a_mail_whose_report_came_during_its_round_stays_due(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    """Two reporters' mails are out in a round that finds neither report; one report is kept
    before the round records that: that mail stays due (the report brought it forward), the
    other waits as before."""
    url, js = bus
    with smtp_sink() as sink:
        settings = notify_settings(url, database_url, tmp_path / "var", sink.port)
        async with running_notify(settings, js) as (app, _http):
            # A year ahead: the running worker never finds these due; the rounds below do.
            due = datetime.now(UTC) + timedelta(days=365)
            late, known = report_received("371402"), report_received("371402")
            rows = []
            for report in (late, known):
                event = case_event("case.accepted", new_case_id(), report.aggregate_id, 2)
                row = delivery_row(
                    event, parse_payload(event), due, channel="email",  # type: ignore[arg-type]
                    recipient_kind="reporter", recipient=report.aggregate_id, audience="reporter",
                )  # fmt: skip
                rows.append(row)
            n = app.state.context
            async with n.db.sessions() as session, session.begin():
                await session.execute(insert(deliveries), rows)
            claimed = await claim(replace(n, clock=lambda: due))
            async with n.db.sessions() as session, session.begin():
                kept = parse_payload(known)
                await reporters.keep_contacts(session, [kept], due)  # type: ignore[list-item]
            waits = [Result(Job([row], row["external_id"]), "wait", "email") for row in claimed]
            await record(replace(n, clock=lambda: due + timedelta(seconds=1)), waits)
            async with n.db.sessions() as session:
                found = await session.execute(
                    select(deliveries.c.recipient, deliveries.c.next_attempt_at)
                )
                next_at = {row.recipient: row.next_attempt_at for row in found}
    assert next_at[known.aggregate_id] == due
    assert next_at[late.aggregate_id] > due + timedelta(seconds=1)


async def _contact_kept(n: Context, report_id: str) -> bool:
    async with n.db.sessions() as session:
        found = await session.scalar(
            select(func.count()).where(reporter_contacts.c.report_id == report_id)
        )
    return bool(found)


async def _reporter_rows(app: FastAPI, count: int) -> bool:
    async with app.state.context.db.sessions() as session:
        found = await session.scalar(
            select(func.count()).where(deliveries.c.recipient_kind == "reporter")
        )
    return found == count


async def test_a_webhook_whose_target_is_now_inside_gets_nothing_and_fails_for_good(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    """Subscribed while the target was allowed (as a name that resolved outside then would be);
    once internal targets are refused, each delivery checks the address it connects to."""
    url, js = bus
    var = tmp_path / "var"
    with smtp_sink() as sink:
        async with webhook_receiver() as receiver:
            allowed = notify_settings(
                url, database_url, var, sink.port, webhook_internal_targets=True
            )
            async with running_notify(allowed, js) as (_app, http):
                for target in (receiver.url, receiver.url.replace("127.0.0.1", "localhost")):
                    answer = await http.post(
                        "/api/v1/webhooks",
                        json={"url": target, "event_types": ["case.opened"]},
                        headers=token_header("city-fpb", "integrator"),
                    )
                    assert answer.status_code == 201, answer.text
            refused = notify_settings(
                url, database_url, var, sink.port, webhook_internal_targets=False
            )
            async with running_notify(refused, js) as (app, _http):
                await publish(js, case_event("case.opened", new_case_id(), None, 1))
                await eventually(lambda: settled(app, js))
                async with app.state.context.db.sessions() as session:
                    found = await session.execute(
                        select(deliveries.c.status, deliveries.c.last_error).where(
                            deliveries.c.channel == "webhook"
                        )
                    )
                    outcomes = sorted(tuple(row) for row in found)
    assert receiver.calls == [], "no request reached the internal address"
    assert outcomes == [("failed", "webhook target is not a public address")] * 2
    failed = [e for e in await notifications(js) if e.type == "notification.failed"]
    assert {e.data["channel"] for e in failed} == {"webhook"} and len(failed) == 2
