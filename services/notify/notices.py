"""The officials' in-app notices (a unit's inbox in the API): one notice per event and unit,
worded by the same templates as the mail (zh-CN and English kept side by side; the API answers in
the caller's language). Not to be confused with `shared.inbox`, the consumers' processed-event
record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.notify.audiences import UnitTarget
from services.notify.rendering import render
from shared.directory import Directory
from shared.events import Envelope
from shared.events.cases import CaseEvent

TITLE_MAX = 200


def notice_rows(
    envelope: Envelope,
    payload: CaseEvent,
    targets: Sequence[UnitTarget],
    *,
    directory: Directory,
    now: datetime,
) -> list[dict[str, Any]]:
    """Each unit's inbox notice for an event, worded for its audience (the caller writes them)."""
    return [_notice(envelope, payload, t, directory, now) for t in targets]


def _notice(
    envelope: Envelope, payload: CaseEvent, target: UnitTarget, directory: Directory, now: datetime
) -> dict[str, Any]:
    extra = {"recipient": target.unit}
    zh = render(envelope.type, target.audience, payload, "zh-CN", directory=directory, extra=extra)
    en = render(envelope.type, target.audience, payload, "en", directory=directory, extra=extra)
    return {
        "unit": target.unit,
        "case_id": payload.case_id,
        "event_id": str(envelope.event_id),
        "event_type": envelope.type,
        "title": zh.subject[:TITLE_MAX],
        "body": zh.summary,
        "title_en": en.subject[:TITLE_MAX],
        "body_en": en.summary,
        "created_at": now,
        "read": False,
    }
