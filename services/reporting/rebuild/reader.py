"""The bulk of a rebuild's reading, in a process of its own.

Taking messages off NATS costs about as much CPU as projecting them; in a second process it
runs beside the projection instead of before it. The child replays the streams from the start
to their last message at start-up and sends batches of raw messages (each with the index of its
source), in order of time, through a pipe; the parent parses and projects them, then reads the
tail itself (run.py)."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
from collections.abc import AsyncIterator
from multiprocessing.connection import Connection
from typing import Any

import nats

from services.reporting.rebuild.merge import merged, tagged
from services.reporting.rebuild.replay import Counts, Replay
from shared.bus.servers import server_list
from shared.natsauth import connect_options


def main(url: str, sources: tuple[tuple[str, str], ...], pipe: Connection, size: int) -> None:
    """The child's entry point."""
    gc.disable()  # see run.paused_gc; this process lives only for the replay
    try:
        asyncio.run(_read(url, sources, pipe, size))
    except Exception as exc:  # noqa: BLE001 - told to the parent, which raises it
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


async def _read(
    url: str, sources: tuple[tuple[str, str], ...], pipe: Connection, size: int
) -> None:
    servers = server_list(url)  # a cluster's nodes, comma separated
    nc = await nats.connect(
        servers, name="zuofeng-reporting-rebuild-reader", **connect_options(servers[0])
    )
    counts = Counts()
    js = nc.jetstream()
    replays = [
        Replay(js, stream, subject, counts, tagged(i))
        for i, (stream, subject) in enumerate(sources)
    ]
    try:
        for replay in replays:
            await replay.start()
            await replay.read_to_end()
        async for batch in merged(replays, size):
            # In a thread: while the parent is busy the loop keeps serving NATS (heartbeats,
            # flow control), and a full buffer pauses the consumer instead of stalling it.
            await asyncio.to_thread(pipe.send, ("batch", batch))
        last = {i: replay.until for i, replay in enumerate(replays)}
        pipe.send(("done", (last, counts.skipped)))
    finally:
        for replay in replays:
            await replay.stop()
        await nc.close()


class Reader:
    """The parent's side: start the child, receive its batches, learn where it stopped."""

    def __init__(self, url: str, sources: tuple[tuple[str, str], ...], size: int) -> None:
        context = multiprocessing.get_context("spawn")  # no inherited loop, sockets or locks
        self.pipe, child_end = context.Pipe(duplex=False)
        self.process = context.Process(
            target=main, args=(url, sources, child_end, size), daemon=True
        )
        self.process.start()
        child_end.close()
        self.last: dict[int, int] = {}  # by index in `sources`: the last sequence read
        self.skipped = 0

    async def batches(self) -> AsyncIterator[list[tuple[int, bytes]]]:
        try:
            while True:
                kind, body = await asyncio.to_thread(self._receive)
                if kind == "batch":
                    yield body
                elif kind == "done":
                    self.last, self.skipped = body
                    return
                else:
                    raise RuntimeError(f"the rebuild's reader failed: {body}")
        finally:
            await asyncio.to_thread(self.process.join, 10)

    def _receive(self) -> tuple[str, Any]:
        try:
            return self.pipe.recv()  # type: ignore[no-any-return]
        except EOFError:
            return ("error", f"the reader process ended (exit code {self.process.exitcode})")
