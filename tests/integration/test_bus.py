"""The bus on a real nats-server: bootstrap, dedupe, ack/nak/dead-letter, mover, replay."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from prometheus_client import CollectorRegistry

from shared import consumer, dlq
from shared.bus import init_bus, publish_envelope
from shared.consumer import ConsumerMetrics, PullLoop, refresh_bus_metrics
from shared.events import Envelope, EventData
from shared.streams import CONSUMERS, STREAMS, consumer_config
from shared.subjects import submit_subject
from tests.factories import random_county, random_id, report_received
from tests.integration.busutil import bus_with_consumer, eventually, fast_settings, start_broker

pytestmark = pytest.mark.integration


async def test_init_is_idempotent_and_repairs_drifted_consumers(js: JetStreamContext) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    cdef = CONSUMERS[0]
    drifted = consumer_config(cdef, max_deliver=99, ack_wait=30)
    await js.add_consumer(cdef.stream, drifted)
    assert (await js.consumer_info(cdef.stream, cdef.durable)).config.max_deliver == 99

    await init_bus(js, max_deliver=9, ack_wait=30)

    assert (await js.consumer_info(cdef.stream, cdef.durable)).config.max_deliver == 9
    for stream in STREAMS:
        info = await js.stream_info(stream.name)
        assert info.config.subjects == list(stream.subjects)
        assert info.config.duplicate_window == pytest.approx(120.0)


async def test_no_stream_captures_the_submit_subject(js: JetStreamContext) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    with pytest.raises(NotFoundError):
        await js.find_stream_name_by_subject(submit_subject("371402"))


async def test_publish_sets_msg_id_so_a_resend_is_a_duplicate(js: JetStreamContext) -> None:
    await init_bus(js, max_deliver=9, ack_wait=30)
    event = report_received()
    first = await publish_envelope(js, event)
    again = await publish_envelope(js, event)
    assert not first.duplicate
    assert again.duplicate and again.seq == first.seq


async def test_poison_and_failing_messages_dead_letter_while_the_rest_flow(
    js: JetStreamContext, nats_server
) -> None:
    settings = fast_settings(nats_server.url)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)
    handled: list[str] = []
    failing = report_received(county, content="这条消息的处理器总是失败，用来测试死信。")

    async def handler(envelope: Envelope, payload: EventData) -> None:
        if envelope.event_id == failing.event_id:
            raise RuntimeError("database says no")
        handled.append(str(envelope.event_id))

    registry = CollectorRegistry()
    metrics = ConsumerMetrics(registry)
    broker = await start_broker(settings, cdef, handler, metrics=metrics)
    try:
        before = report_received(county)
        await publish_envelope(js, before)
        await js.publish(f"zuofeng.v1.{county}.report.received", b"{not json", stream="INTAKE")
        await publish_envelope(js, failing)
        after = report_received(county)
        await publish_envelope(js, after)

        async def two_dead() -> bool:
            return len(await dlq.list_dead_letters(js, cdef.durable)) == 2

        await eventually(two_dead)
        assert set(handled) == {str(before.event_id), str(after.event_id)}
        letters = await dlq.list_dead_letters(js, cdef.durable)
        by_error = sorted(letters, key=lambda letter: letter.error)
        assert by_error[0].error.startswith("RuntimeError: database says no")
        assert by_error[0].deliveries == settings.max_deliver
        assert by_error[0].headers["Zuofeng-Original-Msg-Id"] == str(failing.event_id)
        assert by_error[1].error.startswith("unparseable: not JSON")
        assert by_error[1].data == b"{not json"
        # On /metrics: counted where dead-lettered, and the DLQ depth and lag from JetStream.
        consumer = {"consumer": cdef.durable}
        assert registry.get_sample_value("zuofeng_consumer_dead_letters_total", consumer) == 2
        consumers = broker.consumers
        await refresh_bus_metrics(js, consumers.watched(), consumers.handled, metrics)
        assert registry.get_sample_value("zuofeng_dlq_messages", consumer) == 2
        on_stream = {"stream": "INTAKE", **consumer}
        assert registry.get_sample_value("zuofeng_consumer_pending", on_stream) == 0
        assert registry.get_sample_value("zuofeng_consumer_ack_pending", on_stream) == 0
        mover = {"stream": "DLQ_ADVISORIES", "consumer": "dlq-mover"}
        assert registry.get_sample_value("zuofeng_consumer_pending", mover) is not None
    finally:
        await broker.stop()


async def test_lag_counts_what_waits_for_a_consumer_nobody_runs(
    js: JetStreamContext, nats_server
) -> None:
    settings = fast_settings(nats_server.url)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)
    for _ in range(3):
        await publish_envelope(js, report_received(county))
    registry = CollectorRegistry()
    metrics = ConsumerMetrics(registry)
    await refresh_bus_metrics(js, [(cdef.stream, cdef.durable)], [cdef.durable], metrics)
    labels = {"stream": "INTAKE", "consumer": cdef.durable}
    assert registry.get_sample_value("zuofeng_consumer_pending", labels) == 3
    assert registry.get_sample_value("zuofeng_dlq_messages", {"consumer": cdef.durable}) == 0


async def test_a_waiting_batch_is_handled_in_one_call_in_order(
    js: JetStreamContext, nats_server
) -> None:
    settings = fast_settings(nats_server.url)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)
    events = [report_received(county) for _ in range(4)]
    for event in events:  # all waiting before the consumer starts: one pull takes them
        await publish_envelope(js, event)
    calls: list[list[str]] = []

    async def one(envelope: Envelope, payload: EventData) -> None:
        raise AssertionError("a batch that succeeds is not handled again one by one")

    async def many(items: list[tuple[Envelope, EventData]]) -> None:
        calls.append([str(envelope.event_id) for envelope, _ in items])

    broker = await start_broker(settings, cdef, one, batch=many)
    try:

        async def all_acked() -> bool:
            info = await js.consumer_info(cdef.stream, cdef.durable)
            return info.num_pending == 0 and info.num_ack_pending == 0

        await eventually(all_acked)
        assert calls == [[str(e.event_id) for e in events]]
    finally:
        await broker.stop()


async def test_a_failing_batch_goes_one_by_one_and_only_the_poison_is_dead_lettered(
    js: JetStreamContext, nats_server
) -> None:
    settings = fast_settings(nats_server.url)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)
    first, failing, last = (report_received(county) for _ in range(3))
    await publish_envelope(js, first)
    await js.publish(f"zuofeng.v1.{county}.report.received", b"{not json", stream="INTAKE")
    await publish_envelope(js, failing)
    await publish_envelope(js, last)
    batches: list[list[str]] = []
    singles: list[str] = []

    async def one(envelope: Envelope, payload: EventData) -> None:
        if envelope.event_id == failing.event_id:
            raise RuntimeError("database says no")
        singles.append(str(envelope.event_id))

    async def many(items: list[tuple[Envelope, EventData]]) -> None:
        batches.append([str(envelope.event_id) for envelope, _ in items])
        if any(envelope.event_id == failing.event_id for envelope, _ in items):
            raise RuntimeError("one of them is bad")

    broker = await start_broker(settings, cdef, one, batch=many)
    try:

        async def two_dead() -> bool:
            return len(await dlq.list_dead_letters(js, cdef.durable)) == 2

        await eventually(two_dead)
        assert batches[0] == [str(first.event_id), str(failing.event_id), str(last.event_id)]
        assert sorted(singles) == sorted([str(first.event_id), str(last.event_id)])
        errors = sorted(letter.error for letter in await dlq.list_dead_letters(js, cdef.durable))
        assert errors[0].startswith("RuntimeError: database says no")
        assert errors[1].startswith("unparseable: not JSON")
    finally:
        await broker.stop()


async def test_a_lingering_consumer_takes_what_came_meanwhile_in_the_same_batch(
    js: JetStreamContext, nats_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pull after the linger waits 10 ms for what is there: on a busy machine its round trip
    # takes longer and the batch goes without them (fewer, not lost). The test is about the
    # linger, so that pull gets time enough.
    monkeypatch.setattr(consumer, "LINGER_FETCH", 0.5)
    settings = fast_settings(nats_server.url)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)
    batches: list[int] = []

    async def on_batch(messages: list[Msg]) -> None:
        batches.append(len(messages))
        for message in messages:
            await message.ack()

    loop = PullLoop(lambda: js, cdef.stream, cdef.durable, 64, on_batch, linger=1.0)
    task = asyncio.create_task(loop.run())
    try:
        await asyncio.sleep(0.3)  # the loop is waiting on an empty consumer
        await publish_envelope(js, report_received(county))
        await asyncio.sleep(0.2)  # pulled, lingering
        for _ in range(3):
            await publish_envelope(js, report_received(county))

        async def four() -> bool:
            return sum(batches) == 4

        await eventually(four)
        assert batches == [4]
    finally:
        loop.stopping = True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_mover_dead_letters_what_timed_out_on_its_last_delivery(
    js: JetStreamContext, nats_server
) -> None:
    """A consumer that never answers (a process dying mid-message) still ends in the DLQ."""
    settings = fast_settings(nats_server.url, retry_delays=(0.1,), ack_wait=1.0)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)
    event = report_received(county)
    await publish_envelope(js, event)
    sub = await js.pull_subscribe_bind(cdef.durable, cdef.stream)
    first = (await sub.fetch(1, timeout=5))[0]
    await dlq.record_error(js, cdef.durable, first.metadata.sequence.stream, "TimeoutError: db")
    await first.nak()
    (await sub.fetch(1, timeout=5))  # second and last delivery: never acked
    # The server gives up (and advises) when it would redeliver, i.e. on the next pull.
    with pytest.raises(TimeoutError):
        await sub.fetch(1, timeout=2.5)
    await sub.unsubscribe()

    async def noop(envelope: Envelope, payload: EventData) -> None:
        raise AssertionError("nothing should reach the handler")

    other = await bus_with_consumer(js, settings, random_id("t-"), random_county())
    registry = CollectorRegistry()
    broker = await start_broker(settings, other, noop, metrics=ConsumerMetrics(registry))
    try:

        async def moved() -> bool:
            return len(await dlq.list_dead_letters(js, cdef.durable)) == 1

        async def counted() -> bool:
            labels = {"consumer": cdef.durable}
            return registry.get_sample_value("zuofeng_consumer_dead_letters_total", labels) == 1

        await eventually(moved)
        await eventually(counted)
        letter = (await dlq.list_dead_letters(js, cdef.durable))[0]
        assert "max deliveries" in letter.error and "TimeoutError: db" in letter.error
        assert letter.headers["Zuofeng-Original-Msg-Id"] == str(event.event_id)
    finally:
        await broker.stop()


async def test_replay_puts_a_dead_letter_back_and_removes_it(
    js: JetStreamContext, nats_server
) -> None:
    settings = fast_settings(nats_server.url)
    county = random_county()
    cdef = await bus_with_consumer(js, settings, random_id("t-"), county)
    healthy = False
    handled: list[str] = []

    async def handler(envelope: Envelope, payload: EventData) -> None:
        if not healthy:
            raise RuntimeError("not yet")
        handled.append(str(envelope.event_id))

    broker = await start_broker(settings, cdef, handler)
    try:
        event = report_received(county)
        await publish_envelope(js, event)

        async def dead() -> bool:
            return len(await dlq.list_dead_letters(js, cdef.durable)) == 1

        await eventually(dead)
        healthy = True
        for letter in await dlq.list_dead_letters(js, cdef.durable):
            await dlq.replay(js, letter)

        async def handled_once() -> bool:
            return handled == [str(event.event_id)]

        await eventually(handled_once)
        assert await dlq.list_dead_letters(js, cdef.durable) == []
    finally:
        await broker.stop()
