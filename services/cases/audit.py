"""The audit trail of cases: every read (a case, a list, the trail itself), every action and
every reveal, appended to the keyed hash chain `audit_log` (shared.audit) with who, when, what
and from where; and the anchors that publish the chain's head to the AUDIT stream.

Actions and reveals are written in the transaction of the change they record; a read commits
its own entry. The source address comes from the request (a middleware sets it per request).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Receive, Scope, Send

from services.cases.models import audit_log
from shared import audit, outbox
from shared.auth import Principal
from shared.events import make_event
from shared.events.audit import AuditAnchored
from shared.subjects import event_subject

if TYPE_CHECKING:
    from services.cases.service import CasesService

log = logging.getLogger(__name__)
_source: contextvars.ContextVar[str | None] = contextvars.ContextVar("audit_source", default=None)
# Reads have no transaction of their own to ride on: their entry commits by itself.
READS = frozenset({"read", "list", "audit-read"})
ANCHOR_AGGREGATE = "audit-log"


class RequestSource:
    """Pure ASGI middleware: remembers the client address for the audit entries of a request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        token = _source.set(client[0] if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            _source.reset(token)


async def record(
    service: CasesService,
    session: AsyncSession,
    caller: Principal,
    action: str,
    case_id: str | None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append that `caller` did `action` (on the case, or on none for a list or a trail read):
    ids, filters and reasons only, no personal data."""
    entry = audit.Entry(
        actor_sub=caller.sub,
        actor_unit=caller.unit,
        actor_role=caller.role,
        action=action,
        case_id=case_id,
        source=_source.get(),
        detail=detail or {},
    )
    await audit.append(session, audit_log, entry, service.audit_key)
    if action in READS:
        await session.commit()


async def entries(
    session: AsyncSession, case_id: str | None, limit: int, after: int | None
) -> list[dict[str, Any]]:
    query = select(audit_log).order_by(audit_log.c.id).limit(limit)
    if case_id is not None:
        query = query.where(audit_log.c.case_id == case_id)
    if after is not None:
        query = query.where(audit_log.c.id > after)
    rows = (await session.execute(query)).mappings().all()
    return [{**dict(row), "at": row["at"].isoformat()} for row in rows]


def anchor_subject(service: CasesService) -> str:
    """`zuofeng.v1.371400.audit.anchored`: the trail is the city's, whoever reads it."""
    return event_subject(service.directory.city_code, AuditAnchored.type)


async def anchor_once(
    service: CasesService, last: tuple[int, str] | None
) -> tuple[int, str] | None:
    """Stage an `audit.anchored` event (outbox) when the chain's head moved since `last`;
    returns the head now."""
    async with service.db.sessions() as session, session.begin():
        now = await audit.head(session, audit_log)
        if now is None or now == last:
            return now
        if last is not None and await audit.hash_at(session, audit_log, last[0]) != last[1]:
            # The anchored entry changed or vanished: never anchor the rewritten trail.
            log.error("audit trail changed below entry %d: not anchored", last[0])
            return last
        payload = AuditAnchored(last_id=now[0], hash=now[1], anchored_at=service.now())
        envelope = make_event(
            payload,
            county=service.directory.city_code,
            aggregate_id=ANCHOR_AGGREGATE,
            sequence=now[0],
            producer="cases",
            occurred_at=payload.anchored_at,
        )
        await outbox.add(session, envelope)
    log.info("audit chain anchored at entry %d", now[0])
    return now


SEED_ATTEMPTS = 5  # rounds to read the last anchor before anchoring without it


async def anchor_forever(
    service: CasesService, interval: float, js: Callable[[], Any] | None = None
) -> None:
    """Anchor the head every `interval` seconds when it changed; a failure waits for the next.

    Starts from the last anchor on the stream (`js`, when given and readable), so a trail
    rewritten while no replica ran is never anchored: the rewrite stays visible to `verify`."""
    last: tuple[int, str] | None = None
    seeding = SEED_ATTEMPTS if js is not None else 0
    while True:
        try:
            if seeding and js is not None:
                seeding -= 1
                anchor = await last_anchor(js(), anchor_subject(service))
                last, seeding = ((anchor.last_id, anchor.hash) if anchor else None), 0
            last = await anchor_once(service, last)
        except Exception as exc:  # noqa: BLE001 - the next round tries again
            log.warning("audit anchor failed: %s", type(exc).__name__)
        await asyncio.sleep(interval)


@dataclass(frozen=True)
class Verdict:
    total: int
    broken: list[int]
    anchor: str  # what the comparison with the last anchor found, for the operator
    anchor_broken: bool = False


async def verify_trail(
    session: AsyncSession, key: bytes, legacy_until: int, anchor: AuditAnchored | None
) -> Verdict:
    """The chain checked with the key, then against the last anchor published (if any)."""
    total = int(await session.scalar(select(func.count()).select_from(audit_log)) or 0)
    broken = await audit.verify(session, audit_log, key, legacy_until=legacy_until)
    if anchor is None:
        return Verdict(total, broken, "no anchor to compare with")
    stored = await audit.hash_at(session, audit_log, anchor.last_id)
    if stored != anchor.hash:
        what = "is missing" if stored is None else "differs"
        at = anchor.anchored_at.isoformat(timespec="seconds")
        note = f"entry {anchor.last_id} {what} from the anchor published at {at}"
        return Verdict(total, broken, note, anchor_broken=True)
    return Verdict(total, broken, f"matches the anchor at entry {anchor.last_id}")


async def last_anchor(js: Any, subject: str) -> AuditAnchored | None:
    """The last anchor on the AUDIT stream (None if none was published yet)."""
    from nats.js.errors import NotFoundError

    from shared.events import parse_envelope, parse_payload

    try:
        msg = await js.get_last_msg("AUDIT", subject)
    except NotFoundError:
        return None
    payload = parse_payload(parse_envelope(msg.data))
    assert isinstance(payload, AuditAnchored)
    return payload
