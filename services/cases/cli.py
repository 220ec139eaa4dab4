"""Cases: run the deadline sweeper once (operators, cron, catching up after downtime), and
check the audit trail (`zuofeng audit verify`)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

import typer

from services.cases.audit.anchor import last_anchor
from services.cases.audit.verify import verify_trail
from services.cases.context import build_context, utc_now
from services.cases.settings import CasesSettings
from services.cases.sweeper import sweep
from shared.db import Database
from shared.directory import load_directory
from shared.events.audit import AuditAnchored
from shared.subjects import event_subject

app = typer.Typer(no_args_is_help=True)


@app.callback()
def cases() -> None:
    """Cases' operations (a group, so `zuofeng cases sweep` keeps its name)."""


@app.command("sweep")
def sweep_cmd(
    at: Annotated[
        datetime | None, typer.Option(help="sweep as of this moment (ISO 8601, with a zone)")
    ] = None,
) -> None:
    """Warn, mark missed and escalate every deadline due now; safe beside running replicas.

    The events go to the outbox: a running cases service publishes them."""
    if at is not None and at.tzinfo is None:
        raise typer.BadParameter("give a zone, e.g. 2025-03-20T09:00:00+08:00", param_hint="--at")
    written = asyncio.run(_sweep(CasesSettings(), at))
    typer.echo(f"{written} deadline events written")


async def _sweep(settings: CasesSettings, at: datetime | None) -> int:
    assert settings.database_url is not None
    db = Database(settings.database_url)
    ctx = build_context(settings, db, now=lambda: at or utc_now())
    try:
        return await sweep(ctx)
    finally:
        await db.dispose()


def audit_verify(settings: CasesSettings) -> tuple[bool, str]:
    """Check the audit chain with its key, then against the last anchor on the bus when the
    bus is reachable; (intact, what to tell the operator)."""
    return asyncio.run(_audit_verify(settings))


async def _audit_verify(settings: CasesSettings) -> tuple[bool, str]:
    assert settings.database_url is not None
    anchor, reach = await _anchor(settings)
    db = Database(settings.database_url)
    try:
        async with db.sessions() as session:
            verdict = await verify_trail(
                session, settings.resolved_audit_key(), settings.audit_legacy_until, anchor
            )
    finally:
        await db.dispose()
    note = reach or f"anchor: {verdict.anchor}"
    if verdict.broken or verdict.anchor_broken:
        where = f" at entries {verdict.broken[:20]} ({len(verdict.broken)} of {verdict.total})"
        return False, f"audit trail BROKEN{where if verdict.broken else ''}; {note}"
    return True, f"audit trail intact: {verdict.total} entries; {note}"


async def _anchor(settings: CasesSettings) -> tuple[AuditAnchored | None, str | None]:
    """The last anchor, or None with why it could not be read (the check goes on without)."""
    import nats

    from shared.bus.servers import server_list

    subject = event_subject(load_directory().city_code, AuditAnchored.type)
    try:
        nc = await nats.connect(
            server_list(settings.resolved_nats_url()), connect_timeout=2, allow_reconnect=False
        )
    except Exception as exc:  # noqa: BLE001 - an unreachable bus is reported, not fatal
        return None, f"anchor: not compared, the bus is not reachable ({type(exc).__name__})"
    try:
        return await last_anchor(nc.jetstream(timeout=5), subject), None
    except Exception as exc:  # noqa: BLE001 - e.g. no AUDIT stream yet, or no permission
        return None, f"anchor: not compared ({type(exc).__name__})"
    finally:
        await nc.close()
