"""The retry policy: what an attempt's outcome means for its row (sent, cancelled, wait for the
report, retry with backoff, or failed for good) and when the row is looked at again."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from services.notify.delivery.jobs import Result
from services.notify.settings import NotifySettings


def verdict(settings: NotifySettings, result: Result, row: dict[str, Any], now: datetime) -> str:
    """sent | cancelled | wait | retry | failed, for one row of a round."""
    if result.kind in ("sent", "cancelled"):
        return result.kind
    if result.kind == "wait":
        young = (now - row["created_at"]).total_seconds() < settings.reporter_wait
        return "wait" if young else "failed"
    if result.kind == "failed" or row["attempts"] >= settings.delivery_max_attempts:
        return "failed"
    return "retry"


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after `attempts` tries: doubling, capped, a little jitter so
    many retries to one receiver do not arrive together."""
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return delay * random.uniform(0.8, 1.0)


def retry_at(settings: NotifySettings, now: datetime, attempts: int) -> datetime:
    """When a row that failed at the receiver is tried again."""
    delay = backoff(attempts, settings.delivery_retry_base, settings.delivery_retry_cap)
    return now + timedelta(seconds=delay)


def look_again_at(settings: NotifySettings, now: datetime, created_at: datetime) -> datetime:
    """When a row waiting for its report is looked at again: less often as it ages (the
    report's arrival brings the row forward anyway). No attempt at the receiver was made."""
    age = (now - created_at).total_seconds()
    wait = min(settings.delivery_retry_cap, max(settings.delivery_retry_base, age / 2))
    return now + timedelta(seconds=wait)
