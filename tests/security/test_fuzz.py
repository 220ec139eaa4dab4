"""schemathesis against each service's OpenAPI, over real HTTP, on the services as processes
(real NATS, PostgreSQL), with every check it has: no 5xx, statuses, content types, headers and
bodies as documented, credentials not ignored, schema-invalid input refused and valid input
accepted (where a refusal is right anyway: schemathesis.toml beside this file). Bounded here
with a fixed seed; `make fuzz` runs it unbounded (ZUOFENG_FUZZ_EXAMPLES, no seed)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from shared.auth import issue_token
from tests.pg import PgServer, in_thread
from tests.procstack import SECRET, SERVICES, ProcStack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
EXAMPLES = os.environ.get("ZUOFENG_FUZZ_EXAMPLES", "15")
SEED = os.environ.get("ZUOFENG_FUZZ_SEED", "20261127")
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Seconds per service; `make fuzz` lifts it (0: no limit).
LIMIT = float(os.environ.get("ZUOFENG_FUZZ_TIMEOUT", "900")) or None


@pytest.fixture
def databases(pg_server: PgServer) -> dict[str, str]:
    return {name: in_thread(pg_server.create_database()) for name in SERVICES}


# (service, role, unit): the city office reaches most routes; integrator-only routes (webhook
# subscriptions) answer it 403, so notify is fuzzed a second time as an integrator.
PASSES = [(s, "city_office", "city-fpb") for s in SERVICES] + [
    ("notify", "integrator", "371402-fpb")
]


def _fuzz(
    stack: ProcStack, service: str, role: str, unit: str, report_dir: Path
) -> subprocess.CompletedProcess[str]:
    token = issue_token(SECRET, unit=unit, role=role, sub="fuzz", ttl=timedelta(hours=2))
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{stack.url(service)}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        EXAMPLES,
        "--request-timeout",
        "30",
        "-H",
        f"Authorization: Bearer {token}",
        "--report",
        "junit",
        "--report-junit-path",
        str(report_dir / f"fuzz-{service}-{role}.xml"),
    ]
    if SEED:
        command += ["--seed", SEED, "--generation-deterministic"]
    return subprocess.run(command, capture_output=True, text=True, timeout=LIMIT)


async def test_no_input_makes_a_server_error(tmp_path: Path, databases: dict[str, str]) -> None:
    stack = ProcStack(tmp_path, databases)
    await stack.prepare()
    try:
        await asyncio.to_thread(stack.start_all)
        results = {
            f"{s} as {role}": await asyncio.to_thread(_fuzz, stack, s, role, unit, tmp_path)
            for s, role, unit in PASSES
        }
    finally:
        stack.stop()
    for service, result in results.items():
        (tmp_path / f"fuzz-{service.replace(' ', '-')}.txt").write_text(result.stdout)
    failed = {s: r.stdout[-3000:] for s, r in results.items() if r.returncode != 0}
    for service, result in results.items():
        print(
            service,
            result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "(no output)",
        )
    assert failed == {}, failed
