"""The last error of each failing message, kept between its deliveries (`DLQ_ERRORS`): the
server's max-deliveries advisory carries none."""

from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError

from shared.dlq.describe import describe_error

log = logging.getLogger("zuofeng.dlq")

ERROR_BUCKET = "DLQ_ERRORS"


async def ensure_error_bucket(js: JetStreamContext) -> None:
    """The bucket that keeps the last error of a message between its deliveries."""
    try:
        await js.key_value(ERROR_BUCKET)
    except BucketNotFoundError:
        await js.create_key_value(
            KeyValueConfig(bucket=ERROR_BUCKET, ttl=7 * 86400, storage=StorageType.FILE)
        )


async def record_error(js: JetStreamContext, consumer: str, stream_seq: int, error: str) -> None:
    """Remember the error of a failed delivery; best effort (the nak matters more)."""
    try:
        kv = await js.key_value(ERROR_BUCKET)
        await kv.put(f"{consumer}.{stream_seq}", error[:2000].encode())
    except Exception as exc:  # noqa: BLE001
        log.warning(
            "could not record the error of %s/%s: %s", consumer, stream_seq, describe_error(exc)
        )


async def recorded_error(js: JetStreamContext, consumer: str, seq: int) -> str:
    try:
        kv = await js.key_value(ERROR_BUCKET)
        return ((await kv.get(f"{consumer}.{seq}")).value or b"").decode()
    except (KeyNotFoundError, BucketNotFoundError):
        return "none recorded (the process may have stopped while handling it)"
