"""Daily digests: a unit that asks for one gets its non-urgent notices in a single message.

A notice for such a unit waits in the delivery log (status `digest`) until the next digest time
(local, Asia/Shanghai); its `batch` is that day. When the time comes the worker sends one
message per unit, channel and day, under one stable id.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def digest_time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def next_digest(now: datetime, at: str) -> tuple[datetime, str]:
    """The first digest time strictly after `now`, in UTC, and the local day it belongs to."""
    local = now.astimezone(LOCAL)
    moment = datetime.combine(local.date(), digest_time(at), tzinfo=LOCAL)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), digest_time(at), tzinfo=LOCAL)
    return moment.astimezone(UTC), moment.date().isoformat()


def day_label(batch: str, lang: str) -> str:
    """`2026-11-20` as the digest's subject shows it."""
    year, month, day = (int(part) for part in batch.split("-"))
    return f"{year}年{month}月{day}日" if lang == "zh-CN" else batch
