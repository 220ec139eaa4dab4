"""Stopping background tasks without hanging a shutdown.

A cancelled task can swallow its cancellation: nats-py turns a cancelled `publish_async` into
`TooManyStalledMsgsError`, and Python 3.11's `asyncio.wait_for` loses a cancel that races the
inner future's completion. A loop that retries on `Exception` then never ends, and awaiting it
hangs the service's shutdown. So: cancel, wait a little, cancel again, and after the grace
period log what is still running and move on (the process is exiting anyway).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

log = logging.getLogger("zuofeng.tasks")


async def stop_tasks(tasks: Sequence[asyncio.Task[Any]], grace: float = 10.0) -> None:
    pending = {task for task in tasks if not task.done()}
    deadline = asyncio.get_running_loop().time() + grace
    while pending:
        for task in pending:
            task.cancel()
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            names = ", ".join(sorted(task.get_name() for task in pending))
            log.error("tasks still running after %.0fs, left behind: %s", grace, names)
            return
        _, pending = await asyncio.wait(pending, timeout=min(0.5, left))
    for task in tasks:  # retrieved, so asyncio does not warn of exceptions never looked at
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.debug("task %s ended with %r", task.get_name(), task.exception())
