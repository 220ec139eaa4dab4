"""County leaves, the long version (`make faults`; the short one is in
tests/integration/test_county_leaves.py): longer load at two counties' intakes on their leaves,
county A's link cut for 15 s and restored, later the city hub itself stopped for 8 s and started
again (both leaves cut off at once, cases' connection down too); every report accepted at a
county, during the outages too, becomes exactly one case."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.test_county_leaves import county_databases, outage_under_load

pytestmark = [pytest.mark.faults, pytest.mark.slow]
__all__ = ["county_databases"]  # the fixture, used here


async def test_county_links_and_the_hub_go_down_under_load(
    tmp_path: Path, county_databases: dict[str, str]
) -> None:
    counts = await outage_under_load(
        tmp_path, county_databases, rate=8, duration=60, cut_at=8, cut_for=15,
        hub_down_at=10, hub_down_for=8,
    )  # fmt: skip
    print(counts)
    assert counts["accepted_while_hub_down"] > 0
    assert counts["cases"] >= counts["accepted_371402"] + counts["accepted_371403"] + 1
