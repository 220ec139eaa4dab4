"""What one round's jobs need from the database, read once (source events, subscriptions,
reporters' sealed contacts), and a row's notice worded from its source event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from services.notify import reporters
from services.notify.context import Context
from services.notify.models import source_events, webhooks
from services.notify.rendering import Message, render
from services.notify.supervision.audiences import is_supervised
from services.notify.supervision.wording import render_supervised
from shared.db import one_of
from shared.events import parse_envelope, parse_payload
from shared.events.cases import CaseEvent


@dataclass
class Loaded:
    """What the jobs of one batch need from the database, read once."""

    sources: dict[str, str] = field(default_factory=dict)  # event id -> envelope JSON
    subscriptions: dict[str, Any] = field(default_factory=dict)
    contacts: dict[str, reporters.Contact] = field(default_factory=dict)


async def load(ctx: Context, rows: list[dict[str, Any]]) -> Loaded:
    event_ids = {r["event_id"] for r in rows}
    subs = {r["recipient"] for r in rows if r["recipient_kind"] == "integrator"}
    reports = {r["recipient"] for r in rows if r["recipient_kind"] == "reporter"}
    loaded = Loaded()
    async with ctx.db.sessions() as session:
        found = await session.execute(
            select(source_events.c.event_id, source_events.c.envelope).where(
                one_of(session, source_events.c.event_id, event_ids)
            )
        )
        loaded.sources = {r.event_id: r.envelope for r in found}
        if subs:
            found = await session.execute(select(webhooks).where(webhooks.c.id.in_(subs)))
            loaded.subscriptions = {r.id: r for r in found}
        loaded.contacts = await reporters.contacts_of(session, reports)
    return loaded


def word(
    ctx: Context, row: dict[str, Any], loaded: Loaded, lang: str, extra: dict[str, Any]
) -> Message:
    """The row's notice in `lang`, from the event it came from."""
    envelope = parse_envelope(loaded.sources[row["event_id"]])
    payload = parse_payload(envelope)
    if is_supervised(payload):  # a task's or an inspection's notice (issue 22)
        return render_supervised(
            row["event_type"], row["audience"], payload, lang, directory=ctx.directory, extra=extra
        )
    assert isinstance(payload, CaseEvent)
    return render(
        row["event_type"], row["audience"], payload, lang, directory=ctx.directory, extra=extra
    )
