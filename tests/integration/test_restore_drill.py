"""The restore drill of docs/operations.md, on loopback with the operator's commands: a stack
with real NATS and PostgreSQL takes reports until cases open and reporting counts them; the
services stop; `zuofeng db backup` and `zuofeng bus backup`; then a FRESH stack (new databases,
a new NATS store, the same secrets) gets `bus restore`, `bus init`, `db restore`, `migrate` and
starts. Its stats and case list answer the same figures, `zuofeng audit verify` finds the chain
intact against the restored anchors, `zuofeng reporting rebuild` from the restored streams
gives the same numbers, and new reports flow on from where the old stack stopped."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from bench.loadgen import submit
from shared.auth import issue_token
from tests.faults.checks import settle
from tests.pg import PgServer, free_port
from tests.procstack import SECRET, SERVICES, ProcStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CITY = {
    "Authorization": "Bearer "
    + issue_token(SECRET, unit="city-fpb", role="city_office", sub="drill", ttl=timedelta(hours=1))
}


def zuofeng(stack: ProcStack, *args: str) -> str:
    """The operator's command, run against `stack` (its NATS and every service's database)."""
    env = stack.env("cases") | {
        f"ZUOFENG_{name.upper()}_DATABASE_URL": url for name, url in stack.database_urls.items()
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, f"zuofeng {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


async def figures(stack: ProcStack) -> dict[str, Any]:
    """What the drill compares: reporting's stats (whole city and per county) and cases' list."""
    async with httpx.AsyncClient(timeout=30, headers=CITY) as http:
        stats = [
            _ok(await http.get(f"{stack.url('reporting')}/api/v1/stats", params=group))
            for group in ({}, {"group_by": "county"}, {"group_by": "unit"})
        ]
        listed, cursor = [], None
        while True:
            params = {"limit": 500} | ({"cursor": cursor} if cursor else {})
            page = _ok(await http.get(f"{stack.url('cases')}/api/v1/cases", params=params))
            listed += [
                (c["id"], c["status"], c["county"], c["handling_unit"]) for c in page["items"]
            ]
            if not (cursor := page["next"]):
                break
    return {"stats": stats, "cases": sorted(listed)}


def _ok(answer: httpx.Response) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _settled(stack: ProcStack) -> None:
    nc = await nats.connect(stack.nats.url)  # type: ignore[union-attr]
    try:
        await settle(nc.jetstream(), stack.database_urls)
    finally:
        await nc.close()


def _stop_services(stack: ProcStack) -> None:
    for service in SERVICES:
        proc = stack.procs.pop(service)
        proc.terminate()
        proc.wait(15)


def _fresh(base: Path, urls: dict[str, str], secrets_from: Path) -> ProcStack:
    """A new stack: its own NATS store and databases; the old stack's secrets (var/ files)."""
    stack = ProcStack(base, urls)
    shutil.copytree(secrets_from, base / "var", ignore=shutil.ignore_patterns("nats*"))
    stack.start_nats()
    stack.ports = {service: free_port() for service in SERVICES}
    return stack


async def test_restore_into_a_fresh_stack_answers_the_same_figures(
    tmp_path: Path, pg_server: PgServer
) -> None:
    old = ProcStack(tmp_path / "old", {s: await pg_server.create_database() for s in SERVICES})
    await old.prepare()
    try:
        await asyncio.to_thread(old.start_all)
        load = await submit(old.url("intake"), rate=10, duration=6)
        assert len(load.accepted) > 40, load.statuses
        await _settled(old)
        before = await figures(old)
        _stop_services(old)
        zuofeng(old, "db", "backup", str(tmp_path / "backup" / "db"))
        zuofeng(old, "bus", "backup", str(tmp_path / "backup" / "bus"))
    finally:
        old.stop()
    assert before["stats"][0]["totals"]["received"] == len(load.accepted)
    assert len(before["cases"]) > 40
    assert len(before["stats"][1]["groups"]) > 1  # several counties: the figures say something
    print({"accepted": len(load.accepted), "cases": len(before["cases"])})

    urls = {s: await pg_server.create_database() for s in SERVICES}
    new = _fresh(tmp_path / "new", urls, secrets_from=tmp_path / "old" / "var")
    try:
        zuofeng(new, "bus", "restore", str(tmp_path / "backup" / "bus"))
        zuofeng(new, "bus", "init")
        zuofeng(new, "db", "restore", str(tmp_path / "backup" / "db"))
        zuofeng(new, "migrate")
        await asyncio.to_thread(new.start_all)
        await _settled(new)
        assert await figures(new) == before
        assert "audit trail intact" in zuofeng(new, "audit", "verify")

        zuofeng(new, "reporting", "rebuild")
        assert await figures(new) == before

        more = await submit(new.url("intake"), rate=5, duration=2, seed=7)
        await _settled(new)
        after = await figures(new)
        received = after["stats"][0]["totals"]["received"]
        assert received == len(load.accepted) + len(more.accepted)
        assert len(after["cases"]) >= len(before["cases"]) + 1
        assert set(before["cases"]) <= set(after["cases"])  # nothing reopened, nothing lost
        print({"more": len(more.accepted), "cases after": len(after["cases"])})
    finally:
        new.stop()
