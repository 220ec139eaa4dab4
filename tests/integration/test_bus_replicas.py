"""`zuofeng bus init --replicas 3` on a 3-node cluster (given as a comma-separated
`ZUOFENG_NATS_URL`): streams, consumers and buckets made at one replica are raised to three,
their limits from `ZUOFENG_STREAM_*`, and a message published before survives its stream's
leader being killed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import nats
import pytest
from typer.testing import CliRunner

from services.cli import app as zuofeng
from shared.natscluster import NatsCluster
from shared.settings.streams import DAY
from shared.streams import CONSUMERS, STREAMS
from tests.faults.cluster_stack import stream_leader, wait_current

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def cluster(tmp_path: Path) -> AsyncIterator[NatsCluster]:
    nodes = NatsCluster(tmp_path / "nats", size=3)
    nodes.start_all()
    try:
        await nodes.wait_ready()
        yield nodes
    finally:
        nodes.stop()


def _bus_init(url: str, var: Path, *args: str, **env: str) -> Any:
    environ = {"ZUOFENG_NATS_URL": url, "ZUOFENG_VAR_DIR": str(var)} | env
    return CliRunner().invoke(zuofeng, ["bus", "init", *args], env=environ)


async def _init(url: str, var: Path, *args: str, **env: str) -> Any:
    """Again while peers are still joining the meta group (a fresh cluster's first seconds)."""
    for _ in range(30):
        result = await asyncio.to_thread(_bus_init, url, var, *args, **env)
        if result.exit_code == 0:
            return result
        await asyncio.sleep(1)
    raise AssertionError(result.output)


async def test_bus_init_raises_replicas_of_existing_streams(
    cluster: NatsCluster, tmp_path: Path
) -> None:
    var = tmp_path / "var"
    await _init(cluster.url, var)  # one replica (the default)
    nc = await nats.connect(cluster.url.split(","))
    js = nc.jetstream()
    try:
        assert (await js.stream_info("INTAKE")).config.num_replicas == 1
        await js.publish("zuofeng.v1.371402.report.received", b"before", timeout=5)
        result = await _init(
            cluster.url, var, "--replicas", "3", ZUOFENG_STREAM_EVENTS_MAX_AGE="400d"
        )
        assert "stream INTAKE updated (replicas 3)" in result.output
        for stream in STREAMS:
            info = await js.stream_info(stream.name)
            assert info.config.num_replicas == 3, stream.name
        assert (await js.stream_info("CASES")).config.max_age == 400 * DAY
        for cdef in CONSUMERS:
            info = await js.consumer_info(cdef.stream, cdef.durable)
            assert info.config.num_replicas == 3, cdef.durable
        for bucket in ("KV_DLQ_ERRORS", "KV_API_KEYS", "KV_SESSIONS"):
            assert (await js.stream_info(bucket)).config.num_replicas == 3, bucket
        await wait_current(js, ["INTAKE"])
        cluster.kill(cluster.index_of(await stream_leader(js, "INTAKE")))
        for _ in range(30):  # a new leader is elected among the two left
            try:
                kept = await js.get_msg("INTAKE", 1)
                break
            except Exception:  # noqa: BLE001 - no leader for a moment
                await asyncio.sleep(0.5)
        assert kept.data == b"before"
    finally:
        await nc.close()
