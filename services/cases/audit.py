"""The hook for the audit trail: every read, every action and every reveal calls `record`.

The security issue brings the separate, append-only, hash-chained audit log; until then this
writes a structured log line with ids only (never personal data, never the revealed identity).
Reveals are also kept in the case's own history as internal entries.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal

log = logging.getLogger("zuofeng.cases.audit")


async def record(session: AsyncSession, caller: Principal, action: str, case_id: str) -> None:
    """Note that `caller` did `action` on the case, in the caller's transaction."""
    del session  # the audit table arrives with the security issue; it will write here
    log.log(
        logging.DEBUG if action == "read" else logging.INFO,
        "audit %s",
        action,
        extra={"case_id": case_id, "actor": caller.sub, "unit": caller.unit, "role": caller.role},
    )
