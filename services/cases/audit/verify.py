"""`zuofeng audit verify`: the chain checked with its key, then against the last anchor."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.cases.audit import chain
from services.cases.models import audit_log
from shared.events.audit import AuditAnchored


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
    broken = await chain.verify(session, audit_log, key, legacy_until=legacy_until)
    if anchor is None:
        return Verdict(total, broken, "no anchor to compare with")
    stored = await chain.hash_at(session, audit_log, anchor.last_id)
    if stored != anchor.hash:
        what = "is missing" if stored is None else "differs"
        at = anchor.anchored_at.isoformat(timespec="seconds")
        note = f"entry {anchor.last_id} {what} from the anchor published at {at}"
        return Verdict(total, broken, note, anchor_broken=True)
    return Verdict(total, broken, f"matches the anchor at entry {anchor.last_id}")
