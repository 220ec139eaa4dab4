"""Intake's use cases: accept a report (validated, sealed, idempotent, with its outbox event)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.intake import attachments
from services.intake.keys import Keys
from services.intake.limits import RateLimiter, UploadQuota
from services.intake.metrics import IntakeMetrics
from services.intake.schemas import ReportAccepted, Reporter, ReportIn
from services.intake.settings import IntakeSettings
from services.intake.tracking import lookup_hash, tracking_code
from services.intake.writer import Draft, IdempotencyConflict, ReportWriter
from shared import sealing
from shared.auth import Principal
from shared.db import Database
from shared.deadlines import Profiles, local_day
from shared.directory import Directory
from shared.events import make_event
from shared.events.intake import AttachmentRef, ReportReceived, SealedIdentity
from shared.taxonomy import Taxonomy

PRODUCER = "intake"
CLERK_ROLES = ("clerk", "integrator", "city_office")
Problem = tuple[tuple[str | int, ...], str, str]  # (loc below "body", zh, en)

__all__ = ["Context", "IdempotencyConflict", "InvalidReport", "Refused", "submit"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class InvalidReport(ValueError):
    """Field-level problems found beyond the schema: [(loc, zh, en)]."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(en for _, _, en in problems))
        self.problems = problems


class Refused(Exception):
    """The caller may not submit this (401/403), with the reason in both languages."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(en)
        self.status, self.zh, self.en = status, zh, en


@dataclass(frozen=True)
class Limiters:
    lookups: RateLimiter
    public: RateLimiter
    uploads: UploadQuota


@dataclass(frozen=True)
class Context:
    """What intake's use cases work with; one per `create_app`."""

    settings: IntakeSettings
    db: Database
    directory: Directory
    taxonomy: Taxonomy
    profiles: Profiles
    keys: Keys
    writer: ReportWriter
    metrics: IntakeMetrics
    limiters: Limiters
    counties: frozenset[str]
    clock: Callable[[], datetime] = utcnow


def authorize(caller: Principal | None, channel: str) -> None:
    """Web is public; every other channel needs a clerk's or an integrator's token."""
    if channel == "web":
        return
    if caller is None:
        raise Refused(401, f"{channel} 渠道需要登录凭证", f"channel {channel} requires a token")
    if caller.role not in CLERK_ROLES:
        raise Refused(
            403,
            f"角色 {caller.role} 不能提交 {channel} 渠道的举报",
            f"role {caller.role} may not submit {channel} reports",
        )


def authorize_county(ctx: Context, caller: Principal | None, county: str) -> None:
    """A clerk or an integrator submits for its own unit's county; a city-level unit (county
    371400) for any. Over NATS the bus fences this (a county's user publishes only to its
    county's subject); over HTTP this is the fence. A unit the directory does not know has no
    county, so it may submit for none."""
    if caller is None or caller.role not in CLERK_ROLES or county not in ctx.counties:
        return  # the public, and unknown counties (check_report's 422 names those)
    home = ctx.directory.unit(caller.unit).county if caller.unit in ctx.directory else None
    if home not in (county, ctx.directory.city_code):
        raise Refused(
            403,
            f"单位 {caller.unit} 不能提交县市区 {county} 的举报",
            f"unit {caller.unit} may not submit for county {county}",
        )


def check_report(ctx: Context, body: ReportIn, today: date) -> list[Problem]:
    """The checks the schema cannot make: against settings, the directory and the list."""
    problems: list[Problem] = []
    if body.county not in ctx.counties:
        problems.append((("county",), "未知的县市区代码", "unknown county code"))
    low, high = ctx.settings.content_min, ctx.settings.content_max
    if not low <= len(body.content) <= high:
        problems.append(
            (
                ("content",),
                f"内容长度应为 {low}–{high} 个字符",
                f"content must have {low} to {high} characters",
            )
        )
    if body.category_hint is not None and body.category_hint not in ctx.taxonomy.numbers():
        problems.append(
            (("category_hint",), "问题清单中没有这个编号", "no such problem number in the list")
        )
    if body.occurred_on is not None and body.occurred_on > today:
        problems.append(
            (("occurred_on",), "发生日期不能晚于今天", "occurred_on cannot be in the future")
        )
    if body.subject_unit_id is not None and body.subject_unit_id not in ctx.directory:
        problems.append((("subject_unit_id",), "单位目录中没有这个单位", "unknown unit id"))
    return problems


async def submit(
    ctx: Context,
    body: ReportIn,
    *,
    idempotency_key: str | None,
    unit: str | None,
    transport: str = "http",
) -> ReportAccepted:
    """Validate, seal and store a report with its `report.received` event in one transaction.

    The same Idempotency-Key (per submitting unit) with the same body answers as the first
    time; with another body it raises IdempotencyConflict.
    """
    started = time.perf_counter()
    now = ctx.clock()
    problems = check_report(ctx, body, local_day(now))
    fresh_after = now - timedelta(seconds=ctx.settings.attachment_unused_ttl)
    refs, unknown = await attachments.resolve(ctx.db, body.attachments, fresh_after)
    problems += [(("attachments", i), *attachments.UNKNOWN) for i in unknown]
    if problems:
        raise InvalidReport(problems)
    draft = prepare(ctx, body, now, key=idempotency_key, unit=unit, refs=refs)
    draft.attachment_ids = tuple(ref.attachment_id for ref in refs)
    stored = await ctx.writer.store(draft)
    if stored.created:
        ctx.metrics.reports.labels(body.channel, body.county).inc()
        code = draft.tracking_code
    else:
        code = tracking_code(ctx.keys.tracking, stored.report_id)  # an earlier report's
    ctx.metrics.accept_seconds.labels(transport).observe(time.perf_counter() - started)
    return ReportAccepted(report_id=stored.report_id, tracking_code=code)


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
