"""The dead-letter stream: what could not be processed, with its headers and the last error.

Two paths lead here and dedupe on one `Nats-Msg-Id` per (consumer, stream, sequence): the
handler wrapper dead-letters inline on a parse error or the last failed delivery; the mover
catches the server's max-deliveries advisory (e.g. a process died on the last delivery) and
looks up the error recorded at the previous failure.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyNotFoundError, NotFoundError
from sqlalchemy.exc import StatementError

from shared.streams import stream_for_subject
from shared.subjects import DLQ_PREFIX, dlq_subject

log = logging.getLogger("zuofeng.dlq")

ERROR_BUCKET = "DLQ_ERRORS"
H = "Zuofeng-"  # prefix of the headers the DLQ adds


def describe_error(exc: BaseException) -> str:
    """What a log line, `DLQ_ERRORS` and a dead letter may say about a failure.

    A database error's text carries values: the statement's parameters, and PostgreSQL's
    DETAIL ("Key (name)=(...) already exists") even with hide_parameters. For those only the
    exception type, SQLSTATE and constraint name; other errors keep their message."""
    found = _database_error(exc)
    if found is None:
        return f"{type(exc).__name__}: {exc}"
    orig = getattr(found, "orig", None) or found
    cause = orig.__cause__ or orig  # asyncpg's own error under SQLAlchemy's adapter
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    parts = [f"SQLSTATE {code}" if code else "", _constraint(cause)]
    said = ", ".join(p for p in parts if p)
    return f"{type(found).__name__} ({type(orig).__name__}{', ' + said if said else ''})"


def _database_error(exc: BaseException) -> BaseException | None:
    """`exc` or an error it was raised from that came from the database driver."""
    seen: BaseException | None = exc
    for _ in range(5):  # a short chain: handlers wrap at most once or twice
        if seen is None:
            return None
        if isinstance(seen, StatementError) or hasattr(seen, "sqlstate") or hasattr(seen, "pgcode"):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _constraint(error: BaseException) -> str:
    name = getattr(error, "constraint_name", None) or getattr(
        getattr(error, "diag", None), "constraint_name", None
    )
    return f"constraint {name}" if name else ""


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


async def dead_letter(
    js: JetStreamContext, raw: Any, consumer: str, error: str, delivered: int
) -> None:
    """Copy a delivered message to the DLQ with the reason."""
    meta = raw.metadata
    await _publish(
        js,
        consumer=consumer,
        stream=meta.stream,
        seq=meta.sequence.stream,
        subject=raw.subject,
        data=raw.data,
        headers=raw.headers or {},
        error=error,
        delivered=delivered,
    )


async def _publish(
    js: JetStreamContext,
    *,
    consumer: str,
    stream: str,
    seq: int,
    subject: str,
    data: bytes,
    headers: dict[str, str],
    error: str,
    delivered: int,
) -> None:
    # Nats-* headers must go, or the publish fails ("expected stream does not match").
    kept = {k: v for k, v in headers.items() if not k.startswith("Nats-")}
    kept.update(
        {
            f"{H}Original-Msg-Id": headers.get("Nats-Msg-Id", ""),
            f"{H}Original-Subject": subject,
            f"{H}Original-Stream": stream,
            f"{H}Original-Seq": str(seq),
            f"{H}Consumer": consumer,
            f"{H}Error": " ".join(error.split())[:1000],
            f"{H}Deliveries": str(delivered),
            f"{H}Dead-At": datetime.now(UTC).isoformat(),
            "Nats-Msg-Id": f"dlq.{consumer}.{stream}.{seq}",
        }
    )
    await js.publish(dlq_subject(consumer), data, stream="DLQ", headers=kept)


async def move_advised(js: JetStreamContext, advisory: bytes) -> None:
    """Handle a max-deliveries advisory: fetch the original and dead-letter it."""
    body = json.loads(advisory)
    stream, consumer, seq = body["stream"], body["consumer"], int(body["stream_seq"])
    try:
        original = await js.get_msg(stream, seq)
    except NotFoundError:
        log.error("advised message %s/%s is gone from the stream", stream, seq)
        return
    error = "max deliveries reached; last error: " + await _recorded_error(js, consumer, seq)
    await _publish(
        js,
        consumer=consumer,
        stream=stream,
        seq=seq,
        subject=original.subject or "",
        data=original.data or b"",
        headers=dict(original.headers or {}),
        error=error,
        delivered=int(body.get("deliveries", 0)),
    )


async def _recorded_error(js: JetStreamContext, consumer: str, seq: int) -> str:
    try:
        kv = await js.key_value(ERROR_BUCKET)
        return ((await kv.get(f"{consumer}.{seq}")).value or b"").decode()
    except (KeyNotFoundError, BucketNotFoundError):
        return "none recorded (the process may have stopped while handling it)"


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    consumer: str
    subject: str
    error: str
    deliveries: int
    dead_at: str
    data: bytes
    headers: dict[str, str]


async def list_dead_letters(js: JetStreamContext, consumer: str | None = None) -> list[DeadLetter]:
    """Every message in the DLQ (optionally one consumer's), oldest first."""
    info = await js.stream_info("DLQ")
    letters: list[DeadLetter] = []
    if not info.state.messages:
        return letters
    for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
        try:
            msg = await js.get_msg("DLQ", seq)
        except NotFoundError:
            continue  # deleted after a replay
        letter = _to_letter(msg)
        if consumer is None or letter.consumer == consumer:
            letters.append(letter)
    return letters


def _to_letter(msg: Any) -> DeadLetter:
    headers = dict(msg.headers or {})
    return DeadLetter(
        seq=msg.seq,
        consumer=headers.get(f"{H}Consumer", msg.subject.removeprefix(DLQ_PREFIX + ".")),
        subject=headers.get(f"{H}Original-Subject", ""),
        error=headers.get(f"{H}Error", ""),
        deliveries=int(headers.get(f"{H}Deliveries", "0") or 0),
        dead_at=headers.get(f"{H}Dead-At", ""),
        data=msg.data or b"",
        headers=headers,
    )


async def replay(js: JetStreamContext, letter: DeadLetter) -> None:
    """Publish a dead letter back to its subject, then remove it from the DLQ.

    It gets a new `Nats-Msg-Id` (the dedupe window would swallow the old one); consumers that
    already processed the event skip it by `event_id`.
    """
    headers = {k: v for k, v in letter.headers.items() if not k.startswith((H, "Nats-"))}
    original_id = letter.headers.get(f"{H}Original-Msg-Id") or "unknown"
    headers["Nats-Msg-Id"] = f"{original_id}.replay.{letter.seq}"
    await js.publish(
        letter.subject, letter.data, stream=stream_for_subject(letter.subject), headers=headers
    )
    await js.delete_msg("DLQ", letter.seq)
