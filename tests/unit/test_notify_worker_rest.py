"""How notify's delivery worker goes from round to round: a short round is the last until the
next wake-up, and the fan-outs that wake it while it settles go in one round."""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace
from typing import Any

from services.notify.delivery.worker import DeliveryWorker


def _worker(
    claimed: list[int], batch: int = 200, due: float = 0.0
) -> tuple[DeliveryWorker, list[int]]:
    """A worker whose rounds claim `claimed` rows in turn (then none), and the rounds' log; its
    look at the table says a row can go in `due` seconds."""
    settings = SimpleNamespace(delivery_poll_interval=3600.0, delivery_batch=batch)
    worker = DeliveryWorker(SimpleNamespace(settings=settings, wake=asyncio.Event()))  # type: ignore[arg-type]
    rounds: list[int] = []

    async def work_once() -> int:
        rounds.append(claimed.pop(0) if claimed else 0)
        return rounds[-1]

    async def refresh() -> float:
        return due

    worker.work_once = work_once  # type: ignore[method-assign]
    worker.refresh = refresh  # type: ignore[method-assign]
    return worker, rounds


async def test_a_short_round_is_not_followed_by_an_empty_claim() -> None:
    worker, rounds = _worker([3])
    await worker._round_and_rest()
    assert rounds == [3]


async def test_a_full_round_claims_again_until_a_short_one() -> None:
    worker, rounds = _worker([5, 5, 2], batch=5)
    await worker._round_and_rest()
    assert rounds == [5, 5, 2]


async def test_a_poll_that_finds_nothing_due_claims_nothing() -> None:
    worker, rounds = _worker([3], due=0.05)
    worker.woken = False  # the last rest ended by the poll, not a fan-out
    await worker._round_and_rest()
    assert rounds == []


async def test_a_poll_that_finds_a_row_due_claims_it() -> None:
    worker, rounds = _worker([3], due=-1.0)
    worker.woken = False
    await worker._round_and_rest()
    assert rounds == [3]


async def test_the_fan_outs_that_wake_a_settling_worker_go_in_its_next_round() -> None:
    """Three fan-outs, each waking the worker: the first wakes it, the others come while it
    settles. One round takes all three, and none of their wake-ups is left for another."""
    queued: list[int] = []
    seen: list[list[int]] = []
    settling, settled, second = asyncio.Event(), asyncio.Event(), asyncio.Event()
    worker, _ = _worker([])
    ctx: Any = worker.ctx

    async def work_once() -> int:
        seen.append(list(queued))
        queued.clear()
        if len(seen) == 2:
            second.set()
        return len(seen[-1])

    async def settle() -> None:
        settling.set()
        await settled.wait()

    worker.work_once = work_once  # type: ignore[method-assign]
    worker.settle = settle  # type: ignore[method-assign]

    async def never_due() -> float:
        return float("inf")

    worker.refresh = never_due  # type: ignore[method-assign]
    resting = asyncio.create_task(worker._round_and_rest())
    await asyncio.sleep(0)  # the first round found nothing; the worker waits for a wake-up
    queued.append(1)
    ctx.wake.set()
    await asyncio.wait_for(settling.wait(), 10)  # a worker that never settles fails here
    for fan_out in (2, 3):
        queued.append(fan_out)
        ctx.wake.set()
    settled.set()
    await resting
    assert not ctx.wake.is_set(), "the wake-ups of the settle are the next round's"
    next_round = asyncio.create_task(worker._round_and_rest())
    await asyncio.wait_for(second.wait(), 10)
    next_round.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await next_round
    assert seen == [[], [1, 2, 3]]
