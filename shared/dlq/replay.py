"""Reading the dead letters back (oldest first) and publishing them again to their subjects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared.dlq.dead_letter import H
from shared.streams import stream_for_subject
from shared.subjects import DLQ_PREFIX


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
