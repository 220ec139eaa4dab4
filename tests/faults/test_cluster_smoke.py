"""Cluster fault smoke (part of `make test`): the four services (cases and notify two replicas
each) on a 3-node NATS cluster at three replicas, the INTAKE stream's leader killed with -9
under load and started again: every accepted report is one case, noticed once, counted once,
and the DLQ holds the poison only. The longer run is test_cluster_faults.py (`make faults`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.cluster_run import Plan, run
from tests.integration.notify_harness import Receiver
from tests.pg import PgServer, in_thread
from tests.procstack import SERVICES

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_a_nats_node_lost_under_load_loses_nothing(
    tmp_path: Path, pg_server: PgServer, sink: Receiver
) -> None:
    urls = {name: in_thread(pg_server.create_database()) for name in SERVICES}
    figures = await run(tmp_path, urls, sink, Plan(rate=10, duration=20, kills=("leader",)))
    assert figures["dlq"] == 2 * 3  # each of INTAKE's three consumers dead-letters its copy
