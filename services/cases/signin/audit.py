"""Audit records of sign-in (`audit.signin`) and account changes (`audit.account_changed`),
staged in cases' outbox in the caller's transaction, so the record goes out with the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from shared import outbox
from shared.events.audit import AuditAccountChanged, AuditSignin, audit_record

PRODUCER = "cases"


async def signin(
    session: AsyncSession, login: str, outcome: str, method: str, at: datetime, *,
    unit: str = "", role: str = "", reason: str = "",
) -> None:  # fmt: skip
    record = AuditSignin(
        login=login[:64],
        outcome=outcome,  # type: ignore[arg-type]
        method=method,
        unit=unit,
        role=role,
        reason=reason,
        at=at,
    )
    await outbox.add(session, audit_record(record, PRODUCER))


async def changed(
    session: AsyncSession, login: str, action: str, unit: str, role: str, at: datetime
) -> None:
    record = AuditAccountChanged(
        login=login,
        action=action,  # type: ignore[arg-type]
        unit=unit,
        role=role,
        changed_at=at,
    )
    await outbox.add(session, audit_record(record, PRODUCER))
