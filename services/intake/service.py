"""Intake's use cases: accept a report (sealed, idempotent, with its outbox event) and keep the
reporter's public view in step with the case."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.models import idempotency, report_steps, reports
from services.intake.schemas import ReportAccepted, ReportIn
from services.intake.settings import IntakeSettings
from services.intake.tracking import lookup_hash, tracking_code
from shared import outbox, sealing
from shared.db import Database
from shared.directory import Directory
from shared.events import make_event
from shared.events.intake import ReportReceived
from shared.taxonomy import Taxonomy

PRODUCER = "intake"


class InvalidReport(ValueError):
    """Field-level problems found beyond the schema: [(field, zh, en)]."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        super().__init__("; ".join(en for _, _, en in problems))
        self.problems = problems


class IdempotencyConflict(Exception):
    """The same Idempotency-Key came with a different body."""


@dataclass(frozen=True)
class Context:
    settings: IntakeSettings
    db: Database
    directory: Directory
    taxonomy: Taxonomy


def check_report(ctx: Context, body: ReportIn, today: date) -> None:
    problems: list[tuple[str, str, str]] = []
    if not any(code == body.county for code, _ in ctx.directory.counties()):
        problems.append(("county", "未知的县市区代码", "unknown county code"))
    length = len(body.content)
    if not ctx.settings.content_min <= length <= ctx.settings.content_max:
        limits = f"{ctx.settings.content_min}–{ctx.settings.content_max}"
        problems.append(
            ("content", f"内容长度应为 {limits} 个字符", f"content must be {limits} characters")
        )
    if body.category_hint is not None and body.category_hint not in ctx.taxonomy.numbers():
        problems.append(
            ("category_hint", "问题清单中没有这个编号", "no such problem number in the list")
        )
    if body.occurred_on is not None and body.occurred_on > today:
        problems.append(
            ("occurred_on", "发生日期不能晚于今天", "occurred_on cannot be in the future")
        )
    if body.subject_unit_id is not None and body.subject_unit_id not in ctx.directory:
        problems.append(("subject_unit_id", "单位目录中没有这个单位", "unknown unit id"))
    if problems:
        raise InvalidReport(problems)


def _keyed(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


async def submit(
    ctx: Context, body: ReportIn, *, idempotency_key: str | None, unit: str | None
) -> ReportAccepted:
    """Store the report and its `report.received` event in one transaction."""
    check_report(ctx, body, datetime.now(UTC).date())
    idem_secret = ctx.settings.secret("idempotency")
    key_hash = _keyed(idem_secret, f"{unit}:{idempotency_key}") if idempotency_key else None
    body_hash = _keyed(idem_secret, body.model_dump_json())
    if key_hash:
        earlier = await _earlier_answer(ctx, key_hash, body_hash)
        if earlier:
            return earlier
    report_id = str(uuid.uuid4())
    try:
        async with ctx.db.sessions() as session, session.begin():
            await _store(ctx, session, report_id, body, unit)
            if key_hash:
                await session.execute(
                    insert(idempotency).values(
                        key_hash=key_hash,
                        body_hash=body_hash,
                        report_id=report_id,
                        created_at=datetime.now(UTC),
                    )
                )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer as it did.
        earlier = await _earlier_answer(ctx, key_hash, body_hash) if key_hash else None
        if earlier is None:
            raise
        return earlier
    return ReportAccepted(
        report_id=report_id, tracking_code=tracking_code(ctx.settings.secret("tracking"), report_id)
    )


async def _earlier_answer(ctx: Context, key_hash: str, body_hash: str) -> ReportAccepted | None:
    async with ctx.db.sessions() as session:
        row = (
            await session.execute(select(idempotency).where(idempotency.c.key_hash == key_hash))
        ).first()
    if row is None:
        return None
    if not hmac.compare_digest(row.body_hash, body_hash):
        raise IdempotencyConflict()
    return ReportAccepted(
        report_id=row.report_id,
        tracking_code=tracking_code(ctx.settings.secret("tracking"), row.report_id),
    )


def _seal(ctx: Context, body: ReportIn) -> tuple[Any, str | None]:
    reporter = body.reporter
    if reporter.anonymous:
        return None, None
    identity = {
        k: v
        for k, v in {
            "name": reporter.name,
            "phone": reporter.phone,
            "email": reporter.email,
        }.items()
        if v
    }
    keys_dir = ctx.settings.resolved_keys_dir
    holders = {holder: sealing.public_key(keys_dir, holder) for holder in sealing.HOLDERS}
    index = (
        sealing.blind_index(ctx.settings.secret("index"), reporter.phone)
        if reporter.phone
        else None
    )
    return sealing.seal_identity(identity, holders), index


async def _store(
    ctx: Context, session: AsyncSession, report_id: str, body: ReportIn, unit: str | None
) -> None:
    now = datetime.now(UTC)
    sealed, index = _seal(ctx, body)
    code = tracking_code(ctx.settings.secret("tracking"), report_id)
    fields = body.model_dump(exclude={"reporter", "attachments", "channel", "county"})
    await session.execute(
        insert(reports).values(
            id=report_id,
            tracking_hash=lookup_hash(ctx.settings.secret("tracking"), code),
            county=body.county,
            channel=body.channel,
            anonymous=body.reporter.anonymous,
            identity_sealed=sealed.model_dump_json() if sealed else None,
            reporter_index=index,
            submitted_by_unit=unit,
            status="received",
            status_version=0,
            created_at=now,
            updated_at=now,
            **fields,
        )
    )
    payload = ReportReceived(
        report_id=report_id,
        channel=body.channel,
        county=body.county,
        received_at=now,
        anonymous=body.reporter.anonymous,
        identity=sealed,
        reporter_index=index,
        submitted_by_unit=unit,
        **fields,
    )
    event = make_event(
        payload,
        county=body.county,
        aggregate_id=report_id,
        sequence=1,
        producer=PRODUCER,
        correlation_id=report_id,
    )
    await _step(
        session, report_id, str(event.event_id), now, "received", "举报已收到", "Report received"
    )
    await outbox.add(session, event)


async def _step(
    session: AsyncSession,
    report_id: str,
    event_id: str,
    at: datetime,
    status: str,
    zh: str,
    en: str,
) -> None:
    await session.execute(
        insert(report_steps).values(
            report_id=report_id, event_id=event_id, at=at, status=status, text_zh=zh, text_en=en
        )
    )
