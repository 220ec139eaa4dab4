"""The clerk's desk takes a letter's postal address (书面告知, issue 22): sealed for notify and
discipline inspection by the API's own path, never on the bus in clear, and refused on a
hotline call (only letters and visits are answered by post)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from services.intake.models import reports
from shared import sealing
from shared.events.intake import SealedIdentity
from shared.natsserver import NatsProcess
from tests.integration.test_desk_pages import call, code_of, nonce_of, sign, stored
from tests.integration.test_intake_harness import Intake, published, raw_messages, running_intake

pytestmark = pytest.mark.integration
ADDRESS = "德州市德城区新湖大街77号 欧阳明月 收"


@pytest.fixture
async def intake(nats_server: NatsProcess, tmp_path: Path) -> AsyncIterator[Intake]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
    async with running_intake(nats_server.url, url, tmp_path / "var") as running:
        yield running


async def test_a_letter_s_postal_address_is_sealed_and_a_call_s_refused(intake: Intake) -> None:
    clerk = await sign(intake, "clerk")
    page = await intake.http.get("/desk", headers=clerk.headers)
    assert 'id="address"' in page.text and '<label for="address">' in page.text
    hotline = call(clerk, phone="", address=ADDRESS)
    refused = await intake.http.post("/desk", data=hotline, headers=clerk.headers)
    assert refused.status_code == 422 and "仅来信、来访举报可填写通信地址" in refused.text
    assert await stored(intake) == 0

    letter = call(clerk, channel="letter", phone="", address=ADDRESS, nonce=nonce_of(page.text))
    answer = await intake.http.post("/desk", data=letter, headers=clerk.headers)
    assert answer.status_code == 200, answer.text
    assert code_of(answer.text) and ADDRESS not in answer.text
    async with intake.ctx.db.sessions() as session:
        report_id = (await session.execute(select(reports.c.id))).scalar_one()
        row = (await session.execute(select(reports).where(reports.c.id == report_id))).first()
    assert row is not None and ADDRESS not in repr(tuple(row))  # stored sealed only
    [event] = await published(intake, {report_id})
    sealed = SealedIdentity.model_validate(event.data["identity"])
    assert sealed.has_address and not sealed.has_phone and event.data["channel"] == "letter"
    for msg in await raw_messages(intake.js, intake.since):
        assert "新湖大街77号".encode() not in msg.data
    keys = intake.settings.resolved_keys_dir
    for holder, wanted in (("notify", {"address": ADDRESS}),
                           ("discipline", {"name": "欧阳明月", "address": ADDRESS})):  # fmt: skip
        key = sealing.ensure_keypair(keys, holder)
        assert sealing.open_identity(sealed, holder, key, report_id=report_id) == wanted
