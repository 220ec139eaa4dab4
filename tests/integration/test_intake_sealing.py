"""The reporter's name, phone and email never appear in clear: not in the raw JetStream
messages, not in the database (SQLite file and WAL; PostgreSQL tables and, when readable,
files), not in the logs. Only the holders' private keys open the sealed identity."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from shared import sealing
from shared.events.intake import SealedIdentity
from shared.natsserver import NatsProcess
from shared.subjects import submit_subject
from tests.integration.test_intake_harness import (
    Intake,
    bearer,
    published,
    raw_messages,
    report,
    running_intake,
)

pytestmark = pytest.mark.integration
NAME, PHONE, EMAIL = "欧阳明月", "139-1234-5678", "whistle.blower@example.org"
SECRETS = (NAME, PHONE, "13912345678", EMAIL, "whistle.blower")
REPORTER = {"anonymous": False, "name": NAME, "phone": PHONE, "email": EMAIL}


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[Intake]:
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as running:
        yield running


def _import_file() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["county", "content", "reporter_name", "reporter_phone", "reporter_email"])
    writer.writerow(["371402", report()["content"], NAME, PHONE, EMAIL])
    return out.getvalue().encode()


async def _submit_everywhere(intake: Intake, nc: object) -> set[str]:
    ids = set()
    http = await intake.http.post("/api/v1/reports", json=report(reporter=REPORTER))
    ids.add(http.json()["report_id"])
    reply = await nc.request(  # type: ignore[attr-defined]
        submit_subject("371402"),
        json.dumps(report(channel="integrator", reporter=REPORTER)).encode(),
        headers=bearer("integrator"),
        timeout=10,
    )
    ids.add(json.loads(reply.data)["report_id"])
    imported = await intake.http.post(
        "/api/v1/reports/import",
        files={"file": ("x.csv", _import_file())},
        headers=bearer("clerk"),
    )
    ids.add(imported.json()["rows"][0]["report_id"])
    georeport = {"jurisdiction_id": "371402", "service_code": "18", "last_name": "欧阳",
                 "first_name": "明月", "phone": PHONE, "email": EMAIL,
                 "description": report()["content"], "lat": "36.43", "long": "116.29"}  # fmt: skip
    posted = await intake.http.post("/open311/v2/requests.json", data=georeport)
    ids.add(posted.json()[0]["service_request_id"])
    # A named report that fails validation must not leak either (into logs, say).
    await intake.http.post("/api/v1/reports", json=report(content="短", reporter=REPORTER))
    return ids


async def test_no_identity_in_clear_anywhere(
    intake: Intake, nc: object, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    ids = await _submit_everywhere(intake, nc)
    events = await published(intake, ids)
    assert len(events) == 4
    raw = await _raw_messages(intake, ids)
    assert len(raw) == 4
    for data in raw:
        _assert_clean(data, "a JetStream message")
    await intake.app.state.runtime.db.dispose()
    for label, blob in await _database_bytes(database_url):
        _assert_clean(blob, label)
    _assert_clean(caplog.text.encode(), "the logs")
    # Sealed, not lost: the holders open it, and the blind index links the phone.
    notify_key = sealing.ensure_keypair(intake.settings.resolved_keys_dir, "notify")
    discipline_key = sealing.ensure_keypair(intake.settings.resolved_keys_dir, "discipline")
    index = sealing.blind_index(intake.ctx.keys.index, "13912345678")
    for event in events:
        sealed = SealedIdentity.model_validate(event.data["identity"])
        rid = event.data["report_id"]
        # Every sealed field comes back; notify's box holds only what sending needs.
        assert sealing.open_identity(sealed, "notify", notify_key, report_id=rid) == {
            "phone": PHONE,
            "email": EMAIL,
        }
        opened = sealing.open_identity(sealed, "discipline", discipline_key, report_id=rid)
        # Open311 gives last and first name apart; intake joins them with a space.
        opened["name"] = opened["name"].replace(" ", "")
        assert opened == {"name": NAME, "phone": PHONE, "email": EMAIL}
        assert event.data["reporter_index"] == index


def _assert_clean(blob: bytes, where: str) -> None:
    for secret in SECRETS:
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in blob, f"{secret!r} in clear in {where}"
        assert json.dumps(secret).encode() not in blob, f"{secret!r} escaped in {where}"


async def _raw_messages(intake: Intake, ids: set[str]) -> list[bytes]:
    return [
        msg.data + repr(msg.headers).encode()
        for msg in await raw_messages(intake.js, intake.since)
        if json.loads(msg.data)["aggregate_id"] in ids
    ]


async def _database_bytes(database_url: str) -> list[tuple[str, bytes]]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        files = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
        return [(f"the SQLite file {p.name}", p.read_bytes()) for p in files]
    conn = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(False))
    try:
        tables = await conn.fetch("select tablename from pg_tables where schemaname = 'public'")
        out = []
        for table in tables:
            rows = await conn.fetch(f'select t::text as row from "{table["tablename"]}" t')
            out.append((f"table {table['tablename']}", "\n".join(r["row"] for r in rows).encode()))
        out += await _pg_files(conn)
        return out
    finally:
        await conn.close()


async def _pg_files(conn: asyncpg.Connection) -> list[tuple[str, bytes]]:
    """The database's own files, when this machine can read them (a local server)."""
    await conn.execute("CHECKPOINT")
    data_dir = Path(await conn.fetchval("show data_directory"))
    oid = await conn.fetchval("select oid from pg_database where datname = current_database()")
    base = data_dir / "base" / str(oid)
    try:
        return [
            (f"PostgreSQL file {p.name}", p.read_bytes()) for p in base.iterdir() if p.is_file()
        ]
    except OSError:
        return []
