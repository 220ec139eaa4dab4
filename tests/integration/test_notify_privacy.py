"""The reporter's contact is never in clear in notify's logs, tables or events: it is kept
sealed and opened only in memory to send, even when the mail server refuses it by name."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from nats.js import JetStreamContext
from sqlalchemy import select

from services.notify.models import metadata, reporter_contacts
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
    webhook_receiver,
)

pytestmark = pytest.mark.integration
__all__ = ["bus"]
NAME, EMAIL, PHONE = "欧阳测试名", "privacy-check-5521@example.net", "13955218866"
REFUSED = "refused-9034@example.net"


async def test_no_reporter_contact_in_clear_in_logs_tables_or_events(
    database_url: str,
    tmp_path: Path,
    bus: tuple[str, JetStreamContext],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    url, js = bus
    with smtp_sink() as sink:
        sink.refuse.add(REFUSED)
        async with webhook_receiver() as gateway:
            settings = notify_settings(
                url, database_url, tmp_path / "var", sink.port, sms_gateway_url=gateway.url
            )
            async with running_notify(settings, js) as (app, _http):
                keys = settings.resolved_keys_dir
                named = sealed_report(keys, name=NAME, email=EMAIL, phone=PHONE)
                refused = sealed_report(keys, name=NAME, email=REFUSED, phone=PHONE)
                for report in (named, refused):
                    case_id = new_case_id()
                    await publish(
                        js,
                        report,
                        case_event("case.opened", case_id, report.aggregate_id, 1),
                        case_event("case.accepted", case_id, report.aggregate_id, 2),
                    )
                await eventually(lambda: settled(app, js))
                dump = await _dump_tables(app)
                async with app.state.context.db.sessions() as session:
                    boxes = (await session.execute(select(reporter_contacts.c.sealed))).all()
    assert len(sink.to(EMAIL)) == 1, "the contact was opened to send"
    assert all(box.sealed for box in boxes), "kept sealed"
    events = " ".join(e.model_dump_json() for e in await notifications(js))
    assert "notification.failed" in events  # the refusal was recorded, by code
    ours = "\n".join(
        f"{r.getMessage()} {r.__dict__}" for r in caplog.records if not r.name.startswith("mail")
    )
    for secret in (NAME, EMAIL, PHONE, REFUSED):
        assert secret not in dump, f"{secret} stored in clear"
        assert secret not in events, f"{secret} published"
        assert secret not in ours, f"{secret} logged"


async def _dump_tables(app: object) -> str:
    """Every row of every notify table as text (outbox payloads decoded)."""
    parts = []
    async with app.state.context.db.sessions() as session:  # type: ignore[attr-defined]
        for table in metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                parts += [v.decode() if isinstance(v, bytes) else str(v) for v in row]
    return "\n".join(parts)
