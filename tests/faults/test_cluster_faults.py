"""The cluster fault run of `make faults`: a 3-node NATS cluster at three replicas under steady
load, one node killed with -9 and started again, later the INTAKE stream's leader, then a node
once more; every accepted report is one case, noticed once, counted once, the DLQ holds only
the poison (tests/faults/cluster_run.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.cluster_run import Plan, run
from tests.integration.notify_harness import Receiver
from tests.pg import PrivatePostgres
from tests.procstack import SERVICES

pytestmark = [pytest.mark.faults, pytest.mark.slow]


async def test_cluster_rides_through_node_and_leader_loss(tmp_path: Path, sink: Receiver) -> None:
    pg = PrivatePostgres()
    pg.start()
    pg.wait_ready()
    try:
        urls = await pg.create_databases(SERVICES)
        plan = Plan(rate=15, duration=75, kills=("node", "leader", "leader"), duplicates=10)
        figures = await run(tmp_path, urls, sink, plan)
        assert figures["accepted"] > 1000
    finally:
        pg.destroy()
