"""Fixtures of the fault suites."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.notify_harness import Receiver, webhook_receiver


@pytest.fixture
async def sink() -> AsyncIterator[Receiver]:
    """The integrator's webhook receiver (notify_harness's real HTTP listener)."""
    async with webhook_receiver() as receiver:
        yield receiver
