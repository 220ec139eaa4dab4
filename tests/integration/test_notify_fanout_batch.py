"""A batch of case events fanned out together writes what fanning them out one by one writes:
the same notices, deliveries, links and events, in each case's order."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import insert, select

from services.notify.contacts import load_contacts
from services.notify.context import Context
from services.notify.fanout.batch import fan_out, rounds
from services.notify.metrics import build_metrics
from services.notify.models import case_reports, deliveries, notices, source_events, webhooks
from services.notify.reporters import keep_contacts
from shared.db import OUTBOX
from shared.directory import load_directory
from shared.events import Envelope, parse_payload
from shared.events.cases import CaseEvent
from tests.factories import report_received
from tests.integration.dbutil import migrated
from tests.integration.notify_harness import case_event, notify_settings, sealed_report

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def _story(keys: Path) -> tuple[list[Any], list[tuple[Envelope, CaseEvent]]]:
    """Reports (two named with mail, one anonymous, one never seen) and the case events of two
    cases, interleaved as a pulled batch may carry them."""
    named = sealed_report(keys, name="张三", email="zhang@example.cn")
    repeat = sealed_report(keys, name="李四", email="li@example.cn")
    anonymous = report_received("371402", anonymous=True)
    unseen = str(uuid.uuid4())
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    rid = [r.data["report_id"] for r in (named, repeat, anonymous)]
    envelopes = [
        case_event("case.opened", a, rid[0], 1),
        case_event("case.opened", b, unseen, 1),
        case_event("case.accepted", a, rid[0], 2),  # told to the first reporter only
        case_event("case.merged", a, rid[0], 3, merged_report_id=rid[1]),
        case_event("case.overdue", b, unseen, 2),
        case_event("case.merged", a, rid[0], 4, merged_report_id=rid[2]),
        case_event("case.closed", a, rid[0], 5),  # told to both named reporters
    ]
    return [named, repeat, anonymous], [(e, _case(e)) for e in envelopes]


def _case(envelope: Envelope) -> CaseEvent:
    payload = parse_payload(envelope)
    assert isinstance(payload, CaseEvent)
    return payload


async def _all(session: Any, table: Any, where: Any) -> list[Any]:
    return list((await session.execute(select(table).where(where))).all())


async def _written(n: Context, events: list[tuple[Envelope, CaseEvent]]) -> list[Any]:
    """What the events left, with ids replaced by their place in the story."""
    place: dict[str, str] = {}
    for k, (envelope, payload) in enumerate(events):
        place[str(envelope.event_id)] = f"event{k}"
        place.setdefault(payload.case_id, f"case{len(place)}")
        for report_id in (payload.report_id, getattr(payload, "merged_report_id", None)):
            if report_id:
                place.setdefault(report_id, f"report{len(place)}")
    cases = [p.case_id for _, p in events]
    async with n.db.sessions() as session:
        found = await _all(session, deliveries, deliveries.c.case_id.in_(cases))
        notes = await _all(session, notices, notices.c.case_id.in_(cases))
        links = await _all(session, case_reports, case_reports.c.case_id.in_(cases))
        sources = await _all(session, source_events, source_events.c.event_id.in_(list(place)))
    seen: list[Any] = [
        ("delivery", place[d.event_id], d.event_type, place[d.case_id],
         place.get(d.recipient, d.recipient), d.recipient_kind, d.channel, d.status,
         d.audience, d.urgent)
        for d in found
    ]  # fmt: skip

    def text(value: str) -> str:  # notices name the case by the start of its id
        for real, name in place.items():
            value = value.replace(real[:8], name)
        return value

    seen += [
        ("notice", place[x.event_id], x.unit, text(x.title), text(x.body), text(x.title_en))
        for x in notes
    ]
    seen += [("link", place[x.case_id], place[x.report_id], x.merged) for x in links]
    seen += [("source", place[x.event_id]) for x in sources]
    return sorted(seen, key=repr)


async def test_fanning_out_a_batch_equals_one_by_one(database_url: str, tmp_path: Path) -> None:
    settings = notify_settings("nats://127.0.0.1:1", database_url, tmp_path / "var", 1)
    settings = settings.model_copy(update={"keys_dir": tmp_path / "keys", "sms_enabled": True})
    db = await migrated(database_url, "notify")
    n = Context(
        settings=settings, db=db, directory=load_directory(),
        contacts=load_contacts(settings.resolved_contacts_file),
        metrics=build_metrics(CollectorRegistry()), clock=lambda: NOW,
    )  # fmt: skip
    async with db.sessions() as session, session.begin():
        await session.execute(
            insert(webhooks).values(
                id=str(uuid.uuid4()),
                unit="371402-fpb",
                created_by="t",
                url="http://x/h",
                event_types=["case.opened", "case.closed"],
                counties=["371402"],
                secret="s" * 32,
                created_at=NOW,
                failures=0,
            )  # fmt: skip
        )
    outcomes = {}
    for how in ("alone", "together"):
        reports, events = _story(settings.resolved_keys_dir)
        assert len(rounds(events)) == 5  # case a's five events, case b's two
        async with db.sessions() as session, session.begin():
            await keep_contacts(session, [parse_payload(e) for e in reports], NOW)  # type: ignore[misc]
        told = (0, 0)
        if how == "alone":
            for event in events:
                async with db.sessions() as session, session.begin():
                    one = await fan_out(session, n, [event])
                    told = (told[0] + one[0], told[1] + one[1])
        else:
            async with db.sessions() as session, session.begin():
                told = await fan_out(session, n, events)
        outcomes[how] = (told, await _written(n, events))
    async with db.sessions() as session:
        staged = len((await session.execute(select(OUTBOX.c.id))).all())
    await db.dispose()
    assert outcomes["together"] == outcomes["alone"]
    told, written = outcomes["alone"]
    assert told[0] > 0 and told[1] > 0 and staged == 2 * told[0]
    kinds = {row[0] for row in written}
    assert kinds == {"delivery", "notice", "link", "source"}
    channels = {row[6] for row in written if row[0] == "delivery"}
    assert {"inbox", "email", "webhook"} <= channels
