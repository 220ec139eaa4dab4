"""Who took which export, recorded before the download is answered."""

from __future__ import annotations

from services.reporting.alerts.rule import PRODUCER
from services.reporting.context import Context
from shared import outbox
from shared.auth import Principal
from shared.events.audit import AuditExported, actor, audit_record


async def record_export(
    ctx: Context,
    caller: Principal,
    export: str,
    fmt: str,
    filters: dict[str, str],
    rows: int,
) -> None:
    """Record who took which export (`audit.exported` on the AUDIT stream) before answering.
    An export writes nothing else, so the record is its own transaction: committed, it is
    published by the outbox relay even if the download then breaks off."""
    record = AuditExported(
        **actor(caller),
        export=export,  # type: ignore[arg-type]
        format=fmt,  # type: ignore[arg-type]
        filters=filters,
        rows=rows,
        exported_at=ctx.clock(),
    )
    async with ctx.db.sessions() as session, session.begin():
        await outbox.add(session, audit_record(record, PRODUCER))
