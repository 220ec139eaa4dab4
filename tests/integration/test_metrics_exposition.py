"""Every service's /metrics passes `promtool check metrics` (Prometheus's own linter) and carries
the on-call families (docs/operations.md); no `faststream_*` family anywhere (most of them could
never get a sample); the pool's figures and notify's failures by channel are samples from the
start, not absent series."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.e2e.stack import APPS, SECRET

pytestmark = pytest.mark.integration

EVERY_SERVICE = (
    "zuofeng_consumer_dead_letters_total",
    "zuofeng_consumer_pending",
    "zuofeng_consumer_ack_pending",
    "zuofeng_dlq_messages",
    "zuofeng_outbox_pending",
    "zuofeng_outbox_oldest_age_seconds",
    "zuofeng_http_request_duration_seconds",
    "zuofeng_db_pool_checked_out",
    "zuofeng_db_pool_size",
    "zuofeng_db_pool_overflow",
    "zuofeng_db_pool_max_overflow",
)
ONLY = {
    "cases": (
        "zuofeng_cases_sweep_last_success_timestamp_seconds",
        "zuofeng_cases_deadline_events_total",
        "zuofeng_cases_overdue_open_cases",
        "zuofeng_cases_provisional_deadlines_open",
        "zuofeng_cases_deadline_metrics_refreshed_timestamp_seconds",
    ),
    "reporting": ("zuofeng_reporting_consumer_lag",),
    "intake": ("zuofeng_intake_nats_request_seconds",),  # its request-reply subscriber
    "notify": ("zuofeng_notify_deliveries_total",),
}
# Samples present before any traffic: "nothing happened" reads 0, not "no data".
SAMPLES = {
    "intake": ('zuofeng_intake_nats_request_seconds_count{outcome="failed"} 0.0',),
    "notify": (
        'zuofeng_notify_deliveries_total{channel="webhook",outcome="failed"} 0.0',
        'zuofeng_notify_deliveries_total{channel="inbox",outcome="sent"} 0.0',
    ),
}


async def _metrics(name: str, tmp_path: Path) -> str:
    factory, settings_class = APPS[name]
    settings = settings_class(
        nats_url="nats://127.0.0.1:9",  # never reached: /metrics needs no bus
        database_url=f"sqlite+aiosqlite:///{tmp_path}/{name}.sqlite",
        var_dir=tmp_path,
        jwt_secret=SECRET,
    )
    transport = httpx.ASGITransport(app=factory(settings))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    return response.text


def _families(text: str) -> set[str]:
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


@pytest.mark.parametrize("name", sorted(APPS))
def test_metrics_pass_promtool_and_carry_the_on_call_families(name: str, tmp_path: Path) -> None:
    text = asyncio.run(_metrics(name, tmp_path))
    promtool = shutil.which("promtool")
    assert promtool, "promtool missing: `make promtool` installs Debian's prometheus package"
    done = subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr
    families = _families(text)
    wanted = set(EVERY_SERVICE + ONLY.get(name, ()))
    assert wanted <= families, wanted - families
    for other, names in ONLY.items():
        if other != name:
            assert not set(names) & families
    assert not [f for f in families if f.startswith("faststream_")]
    lines = set(text.splitlines())
    for sample in SAMPLES.get(name, ()):
        assert sample in lines, sample
    # SQLite's async engine has a queue pool too: its figures are samples on every service.
    assert f'zuofeng_db_pool_size{{service="{name}"}} 5.0' in lines
    assert f'zuofeng_db_pool_checked_out{{service="{name}"}} 0.0' in lines
