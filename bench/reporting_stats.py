"""Stats latency with 1,000,000 generated cases on PostgreSQL (target: p95 < 100 ms per query).

    .venv/bin/python bench/reporting_stats.py                 # 1,000,000 cases, 30 rounds
    .venv/bin/python bench/reporting_stats.py --cases 100000 --rounds 10

Creates a throwaway database on the local PostgreSQL (ZUOFENG_BENCH_PG, default
postgresql://postgres@127.0.0.1:5432/postgres), fills the projection tables with generated
cases (facts, daily counts and latency histograms computed by the projection's own
contribution code, loaded with COPY), then times `GET /api/v1/stats` in-process through the
real app for a mix of groupings, phases and date ranges, and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from services.reporting.main import create_app
from services.reporting.models import COUNT_FIELDS, case_facts, report_facts
from services.reporting.projection.case_facts import department_of
from services.reporting.projection.totals import Totals
from services.reporting.settings import ReportingSettings
from shared import migrate
from shared.auth import issue_token
from shared.directory import load_directory

ADMIN = os.environ.get("ZUOFENG_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SECRET = "bench-secret-long-enough-for-hs256-signing-keys"
START = datetime(2018, 1, 1, tzinfo=UTC)
DAYS = 730  # 2018, the concentrated year, and 2019
HOUR = timedelta(hours=1)
PAGES = [
    ("page / (signed in)", "/"),
    ("page /county/371402", "/county/371402"),
    ("page /unit/371402-fpb", "/unit/371402-fpb"),
]
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("county, everything", {"group_by": "county"}),
    ("unit, everything", {"group_by": "unit"}),
    ("problem, everything", {"group_by": "problem"}),
    ("channel, everything", {"group_by": "channel"}),
    ("county, phase 2018", {"group_by": "county", "phase": "2018"}),
    ("unit, phase 2018-q3", {"group_by": "unit", "phase": "2018-q3"}),
    ("problem, odd range", {"group_by": "problem", "from": "2018-02-13", "to": "2018-09-27"}),
    ("county, 40 days", {"group_by": "county", "from": "2018-05-20", "to": "2018-06-28"}),
    ("unit, odd range", {"group_by": "unit", "from": "2018-03-17", "to": "2019-02-11"}),
    ("period month, everything", {"group_by": "period", "period": "month"}),
    ("period week, phase 2018", {"group_by": "period", "period": "week", "phase": "2018"}),
    ("period day, 2018-q2", {"group_by": "period", "period": "day", "phase": "2018-q2"}),
]


def _units() -> tuple[list[str], dict[str, list[str]]]:
    directory = load_directory()
    by_county: dict[str, list[str]] = {}
    for unit in directory.units():
        if unit.kind in ("office", "department", "discipline"):
            by_county.setdefault(unit.county, []).append(unit.id)
    return [code for code, _ in directory.counties()], by_county


def generate(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """Case rows as the fold leaves them, with plausible shares of each outcome."""
    rng = random.Random(seed)
    counties, units = _units()
    directory = load_directory()
    problems = [1, 3, 5, 6, 7, 9, 10, 11, 13, 17, 18, 19, 20, 21, 22, 23, 26, None]
    channels = ["web", "hotline", "letter", "visit", "inspection", "media", "integrator"]
    for _ in range(count):
        county = rng.choice(counties)
        unit = rng.choice(units[county] if rng.random() < 0.85 else units["371400"])
        received = START + timedelta(seconds=rng.randrange(DAYS * 86400))
        yield _case(
            rng, county, unit, rng.choice(problems), rng.choice(channels), received, directory
        )


def _case(
    rng: random.Random,
    county: str,
    unit: str,
    problem: Any,
    channel: str,
    at: datetime,
    directory: Any,
) -> dict[str, Any]:
    accepted = rng.random() < 0.85
    accepted_at = at + timedelta(days=rng.uniform(0.1, 15)) if accepted else None
    finding = rng.choice(["substantiated", "partly", "unsubstantiated", None]) if accepted else None
    closed_at = (
        accepted_at + timedelta(days=rng.uniform(5, 80))
        if accepted_at and rng.random() < 0.7
        else None
    )
    found = finding in ("substantiated", "partly")
    row = {
        "case_id": str(uuid.UUID(int=rng.getrandbits(128))),
        "version": 5,
        "county": county,
        "handling_unit": unit,
        "problem": problem,
        "channel": channel,
        "status": "closed" if closed_at else ("accepted" if accepted else "rejected"),
        "finding": finding,
        "received_at": at,
        "accepted_at": accepted_at,
        "closed_at": closed_at,
        "accepted": accepted,
        "rejected": not accepted,
        "rectified": found and rng.random() < 0.8,
        "transferred": rng.random() < 0.05,
        "exposed": found and rng.random() < 0.05,
        "overdue": rng.random() < 0.12,
        "responsible_unit": unit,
        "department": department_of(directory, unit),
        "concluded_at": accepted_at + timedelta(days=3) if finding and accepted_at else None,
        "report_id": str(uuid.UUID(int=rng.getrandbits(128))),
    }
    return row


async def load(dsn: str, count: int) -> float:
    """Fill the tables; returns the seconds it took."""
    started = time.perf_counter()
    totals = Totals()
    cases: list[tuple[Any, ...]] = []
    reports: list[tuple[Any, ...]] = []
    case_columns = [c.name for c in case_facts.c]
    conn = await asyncpg.connect(dsn)
    try:
        for row in generate(count):
            full = {name: row.get(name) for name in case_columns}
            for name in (
                "finding_version",
                "closed_version",
                "transfer_version",
                "rectify_version",
                "exposure_version",
            ):
                full[name] = 0
            totals.add_case(full, 1)
            report = {
                "report_id": row["report_id"],
                "county": row["county"],
                "channel": row["channel"],
                "received_at": row["received_at"],
                "case_id": row["case_id"],
            }
            totals.add_report(report, full, 1)
            cases.append(tuple(full[n] for n in case_columns))
            reports.append(tuple(report[c.name] for c in report_facts.c))
            if len(cases) >= 50_000:
                await _copy(conn, case_columns, cases, reports)
                cases, reports = [], []
        await _copy(conn, case_columns, cases, reports)
        await _copy_aggregates(conn, totals)
        await conn.execute("VACUUM ANALYZE")  # as autovacuum would: visibility map, stats
    finally:
        await conn.close()
    return time.perf_counter() - started


async def _copy(conn: Any, case_columns: list[str], cases: list[Any], reports: list[Any]) -> None:
    if cases:
        await conn.copy_records_to_table("case_facts", records=cases, columns=case_columns)
        report_columns = [c.name for c in report_facts.c]
        await conn.copy_records_to_table("report_facts", records=reports, columns=report_columns)


async def _copy_aggregates(conn: Any, totals: Totals) -> None:
    counts = [
        (dim, day, key, *values) for (dim, day, key), values in totals.changed_counts().items()
    ]
    await conn.copy_records_to_table(
        "daily_counts", records=counts, columns=["dim", "day", "key", *COUNT_FIELDS]
    )
    hist = [(*key, n) for key, n in totals.changed_hist().items()]
    await conn.copy_records_to_table(
        "latency_hist",
        records=hist,
        columns=["dim", "level", "start", "key", "kind", "bucket", "n"],
    )


async def measure(url: str, rounds: int) -> dict[str, list[float]]:
    settings = ReportingSettings(
        database_url=url, nats_url="nats://127.0.0.1:1", jwt_secret=SECRET, var_dir=Path("/tmp")
    )
    app = create_app(settings)
    signed = issue_token(SECRET, unit="city-fpb", role="city_office", sub="bench", ttl=HOUR)
    headers = {"Authorization": f"Bearer {signed}"}
    calls = [(name, "/api/v1/stats", params) for name, params in QUERIES]
    calls += [(name, path, {}) for name, path in PAGES]
    timings: dict[str, list[float]] = {name: [] for name, _, _ in calls}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for round_ in range(rounds + 1):  # the first round warms the caches
            for name, path, params in calls:
                started = time.perf_counter()
                answer = await http.get(path, params=params, headers=headers)
                assert answer.status_code == 200, answer.text
                if round_:
                    timings[name].append((time.perf_counter() - started) * 1000)
    await app.state.runtime.db.dispose()
    return timings


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


async def main(cases: int, rounds: int, keep: str | None) -> None:
    name = keep or f"zuofeng_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN)
    exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
    if not exists:
        await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN.rsplit("/", 1)[0] + f"/{name}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://")
    try:
        if not exists:
            await asyncio.to_thread(migrate.upgrade, "reporting", url)
            seconds = await load(dsn, cases)
            print(f"loaded {cases:,} cases in {seconds:.0f} s")
        timings = await measure(url, rounds)
        stats_only = [name for name, _ in QUERIES]
        everything = [t for name in stats_only for t in timings[name]]
        print(f"{'query':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for query, samples in timings.items():
            print(
                f"{query:<28} {statistics.median(samples):8.1f} {p95(samples):8.1f} {max(samples):8.1f}"
            )
        print(
            f"{'all stats queries':<28} {statistics.median(everything):8.1f} {p95(everything):8.1f} {max(everything):8.1f}"
        )
    finally:
        if keep is None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--keep", help="database name: keep it (and reuse it if it exists)")
    args = parser.parse_args()
    asyncio.run(main(args.cases, args.rounds, args.keep))
