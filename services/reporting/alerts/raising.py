"""Raising the alerts a batch's findings (or, after a rebuild, all the facts) imply: recorded, and
published through the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reporting.alerts.rule import (
    NAMESPACE,
    PRODUCER,
    SCOPE_RESPONSIBILITY,
    AlertRule,
    alert_id,
    crossings,
)
from services.reporting.models import alerts, case_facts
from services.reporting.periods import local_day
from services.reporting.projection.case_facts import SUBSTANTIATED
from services.reporting.projection.tables import SCOPE_COLUMNS
from shared import outbox
from shared.directory import Directory
from shared.events import make_event
from shared.events.base import CITY_COUNTY
from shared.events.reporting import AlertFrequentProblems


async def evaluate(
    session: AsyncSession,
    findings: dict[tuple[str, str], list[datetime]],
    rule: AlertRule,
    directory: Directory,
) -> list[dict[str, Any]]:
    """Raise the alerts that findings added, moved or removed around these times imply."""
    raised = []
    for (scope, key), times in sorted(findings.items()):
        lo, hi = min(times), max(times) + rule.window
        points = await _times(session, scope, key, lo - rule.window, hi)
        for at, count in crossings(points, rule, lo, hi):
            row = await _raise(session, scope, key, at, count, rule, directory)
            if row is not None:
                raised.append(row)
    return raised


async def evaluate_all(
    session: AsyncSession, rule: AlertRule, directory: Directory
) -> list[dict[str, Any]]:
    """Every crossing in the facts (after a rebuild); those on record are not raised again."""
    raised = []
    for scope, column in SCOPE_COLUMNS.items():
        col = case_facts.c[column]
        query = (
            select(col, case_facts.c.concluded_at)
            .where(case_facts.c.finding.in_(SUBSTANTIATED), col.is_not(None))
            .where(case_facts.c.concluded_at.is_not(None))
            .order_by(col, case_facts.c.concluded_at)
        )
        by_key: dict[str, list[datetime]] = {}
        for key, at in (await session.execute(query)).all():
            by_key.setdefault(key, []).append(at)
        for key, times in by_key.items():
            for at, count in crossings(times, rule):
                row = await _raise(session, scope, key, at, count, rule, directory)
                if row is not None:
                    raised.append(row)
    return raised


async def _times(
    session: AsyncSession, scope: str, key: str, first: datetime, last: datetime
) -> list[datetime]:
    col, at = case_facts.c[SCOPE_COLUMNS[scope]], case_facts.c.concluded_at
    query = select(at).where(col == key, case_facts.c.finding.in_(SUBSTANTIATED))
    query = query.where(at >= first, at <= last)
    return [row[0] for row in (await session.execute(query)).all()]


async def _raise(
    session: AsyncSession,
    scope: str,
    key: str,
    at: datetime,
    count: int,
    rule: AlertRule,
    directory: Directory,
) -> dict[str, Any] | None:
    # The same crossing, found to start earlier by a late finding, is already on record.
    same = select(alerts.c.alert_id).where(alerts.c.scope == scope, alerts.c.key == key)
    same = same.where(alerts.c.crossed_at >= at, alerts.c.crossed_at < at + rule.window)
    if (await session.execute(same.limit(1))).first() is not None:
        return None
    row = _alert_row(scope, key, at, count, rule, directory)
    await session.execute(insert(alerts).values(**row))
    await outbox.add(session, _event(row))
    return row


def _alert_row(
    scope: str, key: str, at: datetime, count: int, rule: AlertRule, directory: Directory
) -> dict[str, Any]:
    return {
        "alert_id": alert_id(scope, key, at),
        "scope": scope,
        "key": key,
        "county": alert_county(scope, key, directory),
        "crossed_at": at,
        "count": count,
        "threshold": rule.threshold,
        "window_days": rule.window_days,
        "window_from": local_day(at - rule.window),
        "window_to": local_day(at),
        "raised_at": datetime.now(UTC),
        "sequence": 1,
    }


def alert_county(scope: str, key: str, directory: Directory) -> str:
    """The county an alert's subject belongs to (its subject on the bus carries it)."""
    if scope == "county":
        return key
    return directory.unit(key).county if key in directory else CITY_COUNTY


def _event(row: dict[str, Any]) -> Any:
    payload = AlertFrequentProblems(
        **{k: row[k] for k in ("alert_id", "scope", "key", "county", "count", "threshold")},
        window_days=row["window_days"],
        window_from=row["window_from"],
        window_to=row["window_to"],
        responsibility=SCOPE_RESPONSIBILITY[row["scope"]],  # type: ignore[arg-type]
    )
    return make_event(
        payload,
        county=row["county"],
        aggregate_id=row["alert_id"],
        sequence=1,
        producer=PRODUCER,
        occurred_at=row["raised_at"],
        event_id=uuid.uuid5(NAMESPACE, f"{row['alert_id']}|1"),
    )
