"""Accepting a report: validated, sealed, stored idempotently with its outbox event."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from services.intake.attachments.references import UNKNOWN, resolve
from services.intake.checks import check_report
from services.intake.context import Context
from services.intake.drafts import prepare
from services.intake.refusals import storing
from services.intake.schemas.answers import ReportAccepted
from services.intake.schemas.report import ReportIn
from services.intake.tracking import tracking_code
from shared.deadlines import local_day
from shared.errors import Refusal

log = logging.getLogger("zuofeng.intake")


async def submit(
    ctx: Context,
    body: ReportIn,
    *,
    idempotency_key: str | None,
    unit: str | None,
    transport: str = "http",
    point: tuple[float, float] | None = None,
) -> ReportAccepted:
    """Validate, seal and store a report with its `report.received` event in one transaction.

    The same Idempotency-Key (per submitting unit) with the same body answers as the first
    time; with another body it is refused (409), as are bad fields (422) and failures to
    store (`refusals.storing`). `point` (lat, long) is where the report is, when the
    transport has one (Open311): kept in the report's row, not in the event.
    """
    started = time.perf_counter()
    now = ctx.clock()
    problems = check_report(ctx, body, local_day(now))
    fresh_after = now - timedelta(seconds=ctx.settings.attachment_unused_ttl)
    async with storing():
        refs, unknown = await resolve(ctx.db, body.attachments, fresh_after)
    problems += [(("attachments", i), *UNKNOWN) for i in unknown]
    if problems:
        raise Refusal.fields((("body", *loc), zh, en) for loc, zh, en in problems)
    draft = prepare(ctx, body, now, key=idempotency_key, unit=unit, refs=refs)
    draft.attachment_ids = tuple(ref.attachment_id for ref in refs)
    if point is not None:
        draft.report |= {"lat": point[0], "long": point[1]}
    async with storing():
        stored = await ctx.writer.store(draft)
    if stored.created:
        ctx.metrics.reports.labels(body.channel, body.county).inc()
        code = draft.tracking_code
        ids = {"report_id": stored.report_id, "county": body.county}
        log.info("report accepted (%s, %s)", body.channel, transport, extra=ids)
    else:
        code = tracking_code(ctx.keys.tracking, stored.report_id)  # an earlier report's
    ctx.metrics.accept_seconds.labels(transport).observe(time.perf_counter() - started)
    return ReportAccepted(report_id=stored.report_id, tracking_code=code)
