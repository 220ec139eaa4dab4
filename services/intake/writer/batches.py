"""Group commit of accepted reports: the reports waiting at one moment go in one transaction.

Each report's row, its public step, its idempotency record and its `report.received` outbox
row still commit together (a report is never half-stored); what changes under load is that
many reports share one commit instead of paying one each. A batch that trips a constraint
(an Idempotency-Key raced by another replica) is retried report by report, so one report's
problem never costs another its place.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from services.intake.writer.plan import Draft, Stored, plan
from services.intake.writer.statements import earlier, insert_new
from shared.db import Database

ATTEMPTS = 3


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
            result = plan(drafts, await earlier(session, drafts))
            await insert_new(session, result.fresh)
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
