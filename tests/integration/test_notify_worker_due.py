"""When notify's delivery worker looks next: a row held behind an earlier row of its case is not
due before that row (the worker would otherwise claim nothing every 10 ms until then)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import insert

from services.notify.contacts import load_contacts
from services.notify.context import Context
from services.notify.delivery.claiming import claim
from services.notify.delivery.worker import DeliveryWorker
from services.notify.fanout.rows import delivery_row
from services.notify.metrics import build_metrics
from services.notify.models import deliveries
from shared.directory import load_directory
from shared.events import parse_payload
from tests.integration.dbutil import migrated
from tests.integration.notify_harness import case_event, new_case_id, notify_settings

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


async def _context(database_url: str, tmp_path: Path) -> Context:
    settings = notify_settings("nats://127.0.0.1:1", database_url, tmp_path / "var", 1)
    db = await migrated(database_url, "notify")
    return Context(
        settings=settings, db=db, directory=load_directory(),
        contacts=load_contacts(settings.resolved_contacts_file),
        metrics=build_metrics(CollectorRegistry()), clock=lambda: NOW,
    )  # fmt: skip


def _mail(case_id: str, sequence: int, due: datetime, **fields: Any) -> dict[str, Any]:
    event = case_event(("case.accepted", "case.concluded")[sequence - 1], case_id, "r", sequence)
    row = delivery_row(
        event, parse_payload(event), due, channel="email",
        recipient_kind="reporter", recipient="r-" + case_id, audience="reporter",
    )  # fmt: skip
    row.update(fields)
    return row


async def test_a_held_row_falls_due_with_the_row_it_waits_for(
    database_url: str, tmp_path: Path
) -> None:
    n = await _context(database_url, tmp_path)
    try:
        case_id = new_case_id()
        # The first mail waits for its report (looked at again in a minute); the second is due
        # now but may not overtake it.
        first = _mail(case_id, 1, NOW + timedelta(seconds=60), last_error="report not seen yet")
        second = _mail(case_id, 2, NOW - timedelta(seconds=1))
        async with n.db.sessions() as session, session.begin():
            await session.execute(insert(deliveries), [first, second])
        assert await claim(n) == []
        assert await DeliveryWorker(n).refresh() == pytest.approx(60.0)
        # Without the first, the second is due (a second ago).
        async with n.db.sessions() as session, session.begin():
            await session.execute(
                deliveries.update().where(deliveries.c.id == first["id"]).values(status="sent")
            )
        assert await DeliveryWorker(n).refresh() == pytest.approx(-1.0)
    finally:
        await n.db.dispose()
