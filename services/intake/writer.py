"""Group commit of accepted reports: the reports waiting at one moment go in one transaction.

Each report's row, its public step, its idempotency record and its `report.received` outbox
row still commit together (a report is never half-stored); what changes under load is that
many reports share one commit instead of paying one each. A batch that trips a constraint
(an Idempotency-Key raced by another replica) is retried report by report, so one report's
problem never costs another its place.
"""

from __future__ import annotations

import asyncio
import hmac
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import attachments, idempotency, report_steps, reports
from services.intake.refusals import idempotency_conflict
from shared import outbox
from shared.db import Database, one_of
from shared.events import Envelope

ATTEMPTS = 3


@dataclass
class Draft:
    """Everything one accepted report writes, prepared before any database work."""

    report_id: str
    report: dict[str, Any]
    step: dict[str, Any]
    envelope: Envelope
    body_hash: str
    key_hash: str | None = None
    created_at: Any = None
    tracking_code: str = ""
    attachment_ids: tuple[str, ...] = ()


@dataclass
class Stored:
    """The answer to give: a new report, or the earlier one an idempotent replay names."""

    report_id: str
    created: bool


@dataclass
class _Plan:
    fresh: list[Draft] = field(default_factory=list)
    outcomes: dict[int, Stored | Exception] = field(default_factory=dict)


def plan(drafts: list[Draft], earlier: dict[str, tuple[str, str]]) -> _Plan:
    """Which drafts to insert and which are answered by an earlier report (or conflict).

    `earlier` maps key hash -> (body hash, report id) of stored records.
    """
    result, seen = _Plan(), dict(earlier)
    for index, draft in enumerate(drafts):
        known = seen.get(draft.key_hash) if draft.key_hash else None
        if known is None:
            result.fresh.append(draft)
            if draft.key_hash:
                seen[draft.key_hash] = (draft.body_hash, draft.report_id)
        elif hmac.compare_digest(known[0], draft.body_hash):
            result.outcomes[index] = Stored(known[1], created=False)
        else:
            result.outcomes[index] = idempotency_conflict()
    return result


class ReportWriter:
    """Writes drafts in batches; one batch in flight, the next gathers behind it."""

    def __init__(self, db: Database, max_batch: int = 200) -> None:
        self.db, self.max_batch = db, max(1, max_batch)
        self._waiting: list[tuple[Draft, asyncio.Future[Stored]]] = []
        self._task: asyncio.Task[None] | None = None

    async def store(self, draft: Draft) -> Stored:
        """Store one draft (with whatever else is waiting); a key reused with another body is
        refused (409)."""
        future: asyncio.Future[Stored] = asyncio.get_running_loop().create_future()
        self._waiting.append((draft, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="intake-writer")
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            outcomes = await self._write_batch([draft for draft, _ in batch])
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():
                    continue  # the caller went away; its report is stored all the same
                if isinstance(outcome, Exception):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    async def _write_batch(self, drafts: list[Draft]) -> list[Stored | Exception]:
        try:
            return await self._write(drafts)
        except Exception as exc:  # noqa: BLE001 - every waiting caller hears of it
            if _database_away(exc) or len(drafts) == 1 and not isinstance(exc, IntegrityError):
                return [exc] * len(drafts)
        # A statement refused (a raced key, a value the database rejects): report by report,
        # so one report's problem never costs the others their place.
        return [await self._write_alone(draft) for draft in drafts]

    async def _write_alone(self, draft: Draft) -> Stored | Exception:
        for attempt in range(ATTEMPTS):
            try:
                return (await self._write([draft]))[0]
            except IntegrityError as exc:
                # Another writer stored this key between our read and our insert: read again.
                if attempt == ATTEMPTS - 1:
                    return exc
            except Exception as exc:  # noqa: BLE001 - handed to the caller
                return exc
        raise AssertionError("unreachable")

    async def _write(self, drafts: list[Draft]) -> list[Stored | Exception]:
        async with self.db.sessions() as session, session.begin():
            result = plan(drafts, await _earlier(session, drafts))
            await _insert(session, result.fresh)
        fresh = {id(draft) for draft in result.fresh}
        return [
            Stored(draft.report_id, created=True) if id(draft) in fresh else result.outcomes[index]
            for index, draft in enumerate(drafts)
        ]


def _database_away(exc: Exception) -> bool:
    """A failure of the connection or the server, not of one statement's values."""
    if isinstance(exc, OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    return not isinstance(exc, DBAPIError) or bool(exc.connection_invalidated)


async def _earlier(session: AsyncSession, drafts: list[Draft]) -> dict[str, tuple[str, str]]:
    keys = list({draft.key_hash for draft in drafts if draft.key_hash})
    if not keys:
        return {}
    rows = await session.execute(
        select(idempotency.c.key_hash, idempotency.c.body_hash, idempotency.c.report_id).where(
            one_of(session, idempotency.c.key_hash, keys)
        )
    )
    return {row.key_hash: (row.body_hash, row.report_id) for row in rows}


async def _insert(session: AsyncSession, drafts: list[Draft]) -> None:
    if not drafts:
        return
    await session.execute(insert(reports), [draft.report for draft in drafts])
    await session.execute(insert(report_steps), [draft.step for draft in drafts])
    await outbox.add_many(session, [draft.envelope for draft in drafts])
    await _mark_referenced(session, drafts)
    keyed = [
        {
            "key_hash": draft.key_hash,
            "body_hash": draft.body_hash,
            "report_id": draft.report_id,
            "created_at": draft.created_at,
        }
        for draft in drafts
        if draft.key_hash
    ]
    if keyed:
        await session.execute(insert(idempotency), keyed)


async def _mark_referenced(session: AsyncSession, drafts: list[Draft]) -> None:
    """Attachments a report names are kept for good (the sweep deletes only unnamed ones)."""
    ids = list({i for draft in drafts for i in draft.attachment_ids})
    if not ids:
        return
    await session.execute(
        update(attachments)
        .where(one_of(session, attachments.c.id, ids), attachments.c.referenced_at.is_(None))
        .values(referenced_at=drafts[0].created_at)
    )
