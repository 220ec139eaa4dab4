"""Getting onto the bus: streams and consumers created, connections opened, what a service
publishes declared for its AsyncAPI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from faststream.nats import NatsBroker
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from shared import apikeys, dlq, websession
from shared.bus.servers import server_list
from shared.events import EventData, envelope_model
from shared.natsauth import connect_options
from shared.settings.streams import StreamSettings
from shared.streams import CONSUMERS, STREAMS, consumer_config, county_consumers, stream_config
from shared.subjects import PREFIX


async def init_bus(
    js: JetStreamContext,
    *,
    max_deliver: int,
    ack_wait: float,
    streams: StreamSettings | None = None,
    counties: Sequence[str] = (),
) -> list[str]:
    """Create or update every stream, consumer and bucket at the replicas and limits of
    `streams` (default: `ZUOFENG_STREAM_*`); safe to run again (updates drift, replicas too).
    `counties` run their own intake at a leaf: each gets its own durables too."""
    streams = streams or StreamSettings()
    done: list[str] = []
    for definition in STREAMS:
        config = stream_config(definition, streams)
        try:
            await js.stream_info(definition.name)
            await js.update_stream(config)
            done.append(f"stream {definition.name} updated (replicas {streams.replicas})")
        except NotFoundError:
            await js.add_stream(config)
            done.append(f"stream {definition.name} created (replicas {streams.replicas})")
    for cdef in [*CONSUMERS, *(c for county in counties for c in county_consumers(county))]:
        await js.add_consumer(
            cdef.stream,
            consumer_config(
                cdef, max_deliver=max_deliver, ack_wait=ack_wait, replicas=streams.replicas
            ),
        )
        done.append(f"consumer {cdef.stream}/{cdef.durable} applied")
    await dlq.ensure_error_bucket(js)
    await apikeys.ensure_bucket(js)  # services only read it (shared.natsauth)
    await websession.ensure_bucket(js)  # officials' page sessions (services read and write)
    for bucket in (dlq.ERROR_BUCKET, apikeys.BUCKET, websession.BUCKET):
        done.append(await _bucket_replicas(js, bucket, streams.replicas))
    return done


async def _bucket_replicas(js: JetStreamContext, bucket: str, replicas: int) -> str:
    """A bucket is a stream `KV_<bucket>`: its replicas follow the streams' (the modules that
    create buckets keep their own limits, which this leaves as they are)."""
    info = await js.stream_info(f"KV_{bucket}")
    if info.config.num_replicas != replicas:
        await js.update_stream(replace(info.config, num_replicas=replicas))
    return f"bucket {bucket} (replicas {replicas})"


async def connect(url: str, name: str) -> Client:
    """A plain nats-py connection (CLI, relays, tests): `url` may list several servers, comma
    separated (a cluster's nodes), and the client moves to another when one is lost; with the
    user's private inbox on a fenced bus (shared.natsauth)."""
    import nats

    return await nats.connect(
        server_list(url),
        name=name,
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        **connect_options(url),
    )


def js_of(broker: NatsBroker) -> JetStreamContext:
    """The JetStream context of a started broker's connection."""
    return broker.connection.jetstream()


def document_publishers(broker: NatsBroker, models: list[type[EventData]]) -> None:
    """Declare what a service publishes, for its AsyncAPI; the outbox relay does the publishing."""
    for model in models:
        broker.publisher(
            f"{PREFIX}.{{county}}.{model.type}",
            schema=envelope_model(model),
            title=model.type,
            description=model.__doc__,
        )
