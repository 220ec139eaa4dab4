"""Attachments are bounded: an upload no report names expires (its row, and its file when no
other upload shares it) while named ones stay for good; each client has an upload quota per
window (429), and the store as a whole a size (503 with Retry-After)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.intake.models import attachments
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.test_intake_harness import (
    Clock,
    Intake,
    bearer,
    published,
    report,
    running_intake,
)

pytestmark = pytest.mark.integration
Start = Callable[..., AbstractAsyncContextManager[Intake]]


def png(tag: str, size: int = 300) -> bytes:
    head = b"\x89PNG\r\n\x1a\n" + tag.encode()
    return head + b"\x00" * (size - len(head))


@pytest.fixture
def start(nats_server: NatsProcess, database_url: str, tmp_path: Path) -> Start:
    def starting(**overrides: Any) -> AbstractAsyncContextManager[Intake]:
        return running_intake(nats_server.url, database_url, tmp_path / "var", **overrides)

    return starting


async def upload(
    intake: Intake, data: bytes, peer: str = "198.51.100.1", **headers: str
) -> httpx.Response:
    transport = httpx.ASGITransport(app=intake.app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as http:
        files = {"file": ("evidence.png", data, "image/png")}
        return await http.post("/api/v1/attachments", files=files, headers=headers)


async def rows(intake: Intake) -> set[str]:
    async with intake.ctx.db.sessions() as session:
        return set((await session.execute(select(attachments.c.id))).scalars())


@pytest.fixture
async def sweeping(start: Start) -> AsyncIterator[tuple[Intake, Clock]]:
    clock = Clock()
    async with start(clock=clock, attachment_sweep_interval=0.2) as running:
        yield running, clock


async def test_unnamed_uploads_expire_and_named_ones_stay(
    sweeping: tuple[Intake, Clock],
) -> None:
    intake, clock = sweeping
    named = (await upload(intake, png("named"))).json()
    unnamed = (await upload(intake, png("unnamed"))).json()
    twin = (await upload(intake, png("named"))).json()  # same bytes as `named`, never named
    accepted = await intake.http.post(
        "/api/v1/reports", json=report(attachments=[named["attachment_id"]])
    )
    assert accepted.status_code == 202, accepted.text
    await published(intake, {accepted.json()["report_id"]})
    root = intake.settings.resolved_attachments_dir
    clock.offset = timedelta(days=2)  # past the day an unnamed upload is kept, and the grace

    async def swept() -> bool:  # the rows go first, then their files
        gone = not (root / unnamed["sha256"][:2] / unnamed["sha256"]).exists()
        return await rows(intake) == {named["attachment_id"]} and gone

    await eventually(swept, timeout=10)
    # The twin's row went; the file stays, the named upload holds it.
    assert twin["attachment_id"] not in await rows(intake)
    assert (root / named["sha256"][:2] / named["sha256"]).read_bytes() == png("named")
    assert named["sha256"] == hashlib.sha256(png("named")).hexdigest()
    # A named upload may be named again, however old.
    again = await intake.http.post(
        "/api/v1/reports", json=report(attachments=[named["attachment_id"]])
    )
    assert again.status_code == 202, again.text


async def test_an_expired_upload_can_no_longer_be_named(start: Start) -> None:
    clock = Clock()
    async with start(clock=clock, attachment_sweep_interval=3600) as intake:
        late = (await upload(intake, png("late"))).json()
        clock.offset = timedelta(hours=25)  # expired, not yet swept (grace, and no pass due)
        body = report(attachments=[late["attachment_id"]])
        answer = await intake.http.post(
            "/api/v1/reports", json=body, headers={"Accept-Language": "en"}
        )
        assert answer.status_code == 422
        [problem] = answer.json()["detail"]
        assert problem["loc"] == ["body", "attachments", 0] and "expired" in problem["msg"]


async def test_each_client_has_an_upload_quota(start: Start) -> None:
    async with start(
        attachment_max_bytes=500,
        attachment_client_max_count=3,
        attachment_client_max_bytes=1000,
        attachment_client_window=3600,
    ) as intake:
        assert (await upload(intake, png("a", 400))).status_code == 201
        assert (await upload(intake, png("b", 400))).status_code == 201
        over_bytes = await upload(intake, png("c", 400))  # 1200 bytes > 1000 in the window
        assert over_bytes.status_code == 429 and int(over_bytes.headers["Retry-After"]) > 0
        assert "上传" in over_bytes.json()["detail"]
        # Another client is not held back; its count runs out at three files.
        for tag in ("d", "e", "f"):
            assert (await upload(intake, png(tag, 100), peer="198.51.100.2")).status_code == 201
        english = await upload(
            intake, png("g", 100), peer="198.51.100.2", **{"Accept-Language": "en"}
        )
        assert english.status_code == 429 and "quota" in english.json()["detail"]
        # A clerk is counted by unit, not by the address it shares.
        clerk = bearer("clerk")
        assert (await upload(intake, png("h", 100), **clerk)).status_code == 201


async def test_a_full_store_answers_503_until_space_is_freed(start: Start) -> None:
    clock = Clock()
    async with start(
        clock=clock,
        attachment_max_bytes=500,
        attachment_total_max_bytes=1000,
        attachment_sweep_interval=0.2,
    ) as intake:
        assert (await upload(intake, png("a", 400))).status_code == 201
        assert (await upload(intake, png("a", 400), peer="198.51.100.9")).status_code == 201
        assert (await upload(intake, png("b", 400))).status_code == 201  # one copy of "a" on disk
        full = await upload(intake, png("c", 400), peer="198.51.100.3", **{"Accept-Language": "en"})
        assert full.status_code == 503 and full.headers["Retry-After"].isdigit()
        assert full.json()["detail"] == "attachment storage is full; retry later"
        assert len(list(intake.settings.resolved_attachments_dir.glob("*/*"))) == 2
        clock.offset = timedelta(days=2)  # the unused uploads expire and are swept

        async def freed() -> bool:
            return not await rows(intake)

        await eventually(freed, timeout=10)
        assert (await upload(intake, png("c", 400), peer="198.51.100.3")).status_code == 201
