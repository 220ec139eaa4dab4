"""A new report prepared before any database work: its id, the sealed reporter, its row, its
first public step and its `report.received` event."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from services.intake.context import Context
from services.intake.keys import Keys
from services.intake.schemas.report import ReportIn
from services.intake.schemas.reporter import Reporter
from services.intake.tracking import lookup_hash, tracking_code
from services.intake.writer.plan import Draft
from shared import sealing
from shared.events import make_event
from shared.events.intake import AttachmentRef, ReportReceived, SealedIdentity

PRODUCER = "intake"


def seal_reporter(
    keys: Keys, reporter: Reporter, report_id: str
) -> tuple[SealedIdentity | None, str | None]:
    """The sealed identity (bound to the report; each holder's box holds only what it needs)
    and the phone's blind index; nothing for an anonymous reporter."""
    if reporter.anonymous:
        return None, None
    identity = {
        name: value
        for name, value in (
            ("name", reporter.name),
            ("phone", reporter.phone),
            ("email", reporter.email),
            ("address", reporter.address),
        )
        if value
    }
    index = sealing.blind_index(keys.index, reporter.phone) if reporter.phone else None
    return sealing.seal_identity(identity, keys.holders, report_id=report_id), index


def prepare(
    ctx: Context,
    body: ReportIn,
    now: datetime,
    *,
    key: str | None,
    unit: str | None,
    refs: tuple[AttachmentRef, ...] = (),
) -> Draft:
    """The rows and the event of one new report (no database work here)."""
    report_id = str(uuid.uuid4())
    sealed, index = seal_reporter(ctx.keys, body.reporter, report_id)
    fields: dict[str, Any] = body.model_dump(exclude={"reporter", "attachments"})
    fields |= {"anonymous": body.reporter.anonymous, "reporter_index": index}
    fields["submitted_by_unit"] = unit
    payload = ReportReceived(
        report_id=report_id, received_at=now, identity=sealed, attachments=refs, **fields
    )
    event = make_event(
        payload,
        county=body.county,
        aggregate_id=report_id,
        sequence=1,
        producer=PRODUCER,
        correlation_id=report_id,
        occurred_at=now,
    )
    code = tracking_code(ctx.keys.tracking, report_id)
    row = _report_row(report_id, lookup_hash(ctx.keys.tracking, code), now, sealed, refs)
    return Draft(
        report_id=report_id,
        report=row | fields,
        step=received_step(report_id, str(event.event_id), now),
        envelope=event,
        body_hash=ctx.keys.keyed_hash(body.model_dump_json()),
        key_hash=ctx.keys.keyed_hash(f"{unit}:{key}") if key else None,
        created_at=now,
        tracking_code=code,
    )


def _report_row(
    report_id: str,
    tracking_hash: str | None,
    now: datetime,
    sealed: SealedIdentity | None,
    refs: tuple[AttachmentRef, ...],
) -> dict[str, Any]:
    return {
        "id": report_id,
        "tracking_hash": tracking_hash,
        "identity_sealed": sealed.model_dump_json() if sealed else None,
        "attachments": json.dumps([r.model_dump() for r in refs]) if refs else None,
        "status": "received",
        "status_version": 0,
        "case_version": 0,
        "sequence": 1,
        # Every row names the same columns: the writer inserts a batch in one statement.
        "lat": None,
        "long": None,
        "created_at": now,
        "updated_at": now,
    }


def received_step(report_id: str, event_id: str, at: datetime) -> dict[str, Any]:
    return {
        "report_id": report_id,
        "event_id": event_id,
        "at": at,
        "status": "received",
        "text_zh": "举报已收到",
        "text_en": "Report received",
    }
