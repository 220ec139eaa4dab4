"""Stopping background tasks: a swallowed cancel neither hangs the shutdown nor is ignored."""

from __future__ import annotations

import asyncio
import logging

import pytest

from shared.tasks import stop_tasks


async def _swallows(times: int, ended: list[str]) -> None:
    """Like a retry loop around a call that turns CancelledError into another error."""
    swallowed = 0
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if swallowed >= times:
                ended.append("stopped")
                raise
            swallowed += 1


async def test_a_cancel_swallowed_once_is_sent_again() -> None:
    ended: list[str] = []
    task = asyncio.create_task(_swallows(1, ended))
    await asyncio.sleep(0)
    await stop_tasks([task], grace=5)
    assert task.cancelled() and ended == ["stopped"]


async def test_a_task_that_never_stops_is_left_behind_after_the_grace(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ended: list[str] = []
    task = asyncio.create_task(_swallows(10**9, ended), name="stubborn")
    await asyncio.sleep(0)
    with caplog.at_level(logging.ERROR, logger="zuofeng.tasks"):
        await stop_tasks([task], grace=1)
    assert not task.done() and "stubborn" in caplog.text
    task.get_coro().close()  # type: ignore[union-attr]


async def test_finished_tasks_are_fine() -> None:
    task = asyncio.create_task(asyncio.sleep(0))
    await task
    await stop_tasks([task])
    assert task.done()
