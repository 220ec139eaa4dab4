"""Reading the streams for a rebuild: ordered consumers from a sequence on, merged by time.

Batches take from all streams in order of `occurred_at`, so a report and the case event that
takes it in usually share a batch and the report's row is written once."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

Decoded = tuple[float, Any]  # when it happened (epoch seconds), the value to hand on


Decoder = Callable[[bytes], Decoded]


SKIP = (float("-inf"), None)  # not ours or unreadable: counted as skipped, costs nothing


@dataclass
class Counts:
    events: dict[str, int] = field(default_factory=dict)
    skipped: int = 0


class Replay:
    """An ordered consumer over one stream, from the message after `start` up to `until`.

    Messages arrive through a callback into a buffer. A full buffer pauses the consumer (it is
    dropped, and made again after the last message kept once half the buffer is used): holding
    the callback back instead would stall flow control and make the client reset the consumer."""

    LIMIT = 20_000

    def __init__(
        self,
        js: JetStreamContext,
        stream: str,
        subject: str,
        counts: Counts,
        decode: Decoder,
        start: int = 0,
        keep_seq: bool = False,
    ) -> None:
        self.js, self.stream, self.subject, self.counts = js, stream, subject, counts
        self.decode, self.seq, self.until, self.fetched = decode, start, start, start
        self.sub: JetStreamContext.PushSubscription | None = None
        self.buffer: deque[tuple[int, Decoded]] = deque()
        self.more, self.full = asyncio.Event(), False
        self.keep_seq = keep_seq  # hand on (stream sequence, value) instead of the value

    async def start(self) -> None:
        """Consume from the message after the last one kept."""

        async def arrived(msg: Msg) -> None:
            seq = msg.metadata.sequence.stream
            if self.full or seq <= self.fetched:
                return  # paused, or already kept
            self.fetched = seq
            self.buffer.append((seq, self.decode(msg.data)))
            self.full = len(self.buffer) >= self.LIMIT
            self.more.set()

        await self.stop()
        first = ConsumerConfig(
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self.fetched + 1
        )
        self.full = False
        self.sub = await self.js.subscribe(
            self.subject, stream=self.stream, ordered_consumer=True, config=first, cb=arrived
        )

    async def stop(self) -> None:
        if self.sub is not None:
            with contextlib.suppress(Exception):  # gone with the connection
                await self.sub.unsubscribe()
            self.sub = None

    async def read_to_end(self) -> None:
        """Read up to the stream's last message now."""
        self.until = int((await self.js.stream_info(self.stream)).state.last_seq)

    async def ready(self) -> bool:
        """A message up to `until` is buffered (False: this stream is done)."""
        if self.full and self.sub is not None:
            await self.stop()  # pause
        if self.sub is None and len(self.buffer) < self.LIMIT // 2 and self.fetched < self.until:
            await self.start()  # resume
        while self.seq < self.until and not self.buffer:
            if not await self._wait():
                self.seq = self.until  # nothing more will come (the tail was deleted)
        if self.buffer and self.buffer[0][0] > self.until:
            self.seq = self.until  # what follows belongs to a later read
        return self.seq < self.until and bool(self.buffer)

    def take(self, horizon: float, out: list[Decoded], most: int = 1 << 30) -> None:
        """Move what happened up to `horizon` (and within `until`) to `out`, at most `most`."""
        buffer, counts, taken = self.buffer, self.counts, 0
        while buffer and taken < most and buffer[0][0] <= self.until and buffer[0][1][0] <= horizon:
            taken += 1
            self.seq, decoded = buffer.popleft()
            if decoded[1] is None:
                counts.skipped += 1
            else:
                out.append((decoded[0], (self.seq, decoded[1])) if self.keep_seq else decoded)
                counts.events[self.stream] = counts.events.get(self.stream, 0) + 1

    async def _wait(self) -> bool:
        """Wait for a message; False when none is pending on the server either."""
        if self.sub is None:
            await self.start()
        assert self.sub is not None
        self.more.clear()
        try:
            await asyncio.wait_for(self.more.wait(), timeout=5.0)
            return True
        except TimeoutError:
            return ((await self.sub.consumer_info()).num_pending or 0) > 0
