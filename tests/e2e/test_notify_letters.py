"""Written notices (书面告知, issue 22) through the real services on real NATS and PostgreSQL: a
clerk registers a letter whose writer left only a name and a postal address; the case's
acceptance becomes a printed letter in the print queue of the clerk's unit (and the city
office's), its PDF holding the address, which appears nowhere else: not on any stream of the
bus, not in any log line. Another county's clerk sees no letter; marking it printed empties the
queue."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest
from pypdf import PdfReader

from shared.natsserver import start_nats
from shared.streams import STREAMS
from tests.e2e.stack import running_stack, token
from tests.integration.busutil import eventually

pytestmark = pytest.mark.e2e
ADDRESS = "山东省德州市德城区新湖大街88号院3单元 王五 收"
SECRETS = ("新湖大街88号院", "王五")
CLERK = token("371402-fpb", "clerk")
LETTER = {
    "channel": "letter",
    "county": "371402",
    "title": "来信反映驻村工作队问题",
    "content": "我村驻村工作队员长期不在村里住，群众有事找不到人，请查处。",
    "reporter": {"anonymous": False, "name": "王五", "address": ADDRESS},
}


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"[ \t\x00]+", "", "\n".join(p.extract_text() for p in reader.pages))


async def test_a_letter_report_s_acceptance_is_printed_with_the_address_and_only_there(
    tmp_path: Path, stack_databases: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    nats_server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(nats_server.url, stack_databases, tmp_path / "var") as stack,
            httpx.AsyncClient(timeout=15) as http,
        ):
            letter_id, case_id = await _live(http, stack.urls)
        opened = await _nowhere_on_the_bus(nats_server.url)
    finally:
        nats_server.stop()
    # Opening it for printing (once, by the clerk; the other county's 404 opened nothing) is on
    # the AUDIT stream: who, which letter of which case.
    assert [(r["actor_unit"], r["actor_role"], r["letter_id"], r["case_id"]) for r in opened] == [
        ("371402-fpb", "clerk", letter_id, case_id)
    ]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records)
    assert logged and all(secret not in logged for secret in SECRETS)


async def _live(http: httpx.AsyncClient, urls: dict[str, str]) -> tuple[str, str]:
    refused = await http.post(
        f"{urls['intake']}/api/v1/reports", json={**LETTER, "channel": "hotline"}, headers=CLERK
    )
    assert refused.status_code == 422 and ADDRESS not in refused.text
    taken = await http.post(f"{urls['intake']}/api/v1/reports", json=LETTER, headers=CLERK)
    assert taken.status_code == 202, taken.text
    case = await _opened(http, urls["cases"])
    officer = token(case["handling_unit"], "officer")
    accepted = await http.post(f"{urls['cases']}/api/v1/cases/{case['id']}/accept", headers=officer)
    assert accepted.status_code == 200, accepted.text
    letters = f"{urls['notify']}/api/v1/letters"

    async def queued() -> bool:
        return (await http.get(letters, headers=CLERK)).json()["total"] == 1

    await eventually(queued, timeout=30)
    (item,) = (await http.get(letters, headers=CLERK)).json()["items"]
    assert item["event_type"] == "case.accepted" and item["case_id"] == case["id"]
    assert item["subject"] == "您反映的问题已受理" and item["printed_at"] is None
    listed = (await http.get(letters, headers=CLERK)).text
    assert all(secret not in listed for secret in SECRETS)  # the queue lists no address

    pdf = await http.get(f"{letters}/{item['id']}/pdf", headers=CLERK)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    text = pdf_text(pdf.content).replace("\n", "")  # lines wrap where the page ends
    assert ADDRESS.replace(" ", "") in text and "您反映的问题已受理" in text
    assert "受理" in text and "60日内办结" in text

    # Another county's clerk neither lists nor opens it; an officer is no printer.
    other = token("371403-fpb", "clerk")
    assert (await http.get(letters, headers=other)).json()["total"] == 0
    assert (await http.get(f"{letters}/{item['id']}/pdf", headers=other)).status_code == 404
    assert (await http.get(letters, headers=officer)).status_code == 403
    city = token("city-fpb", "city_office")
    assert [i["id"] for i in (await http.get(letters, headers=city)).json()["items"]] == [
        item["id"]
    ]

    marked = await http.post(f"{letters}/printed", json={"ids": [item["id"]]}, headers=CLERK)
    assert marked.status_code == 200 and marked.json() == {"marked": 1}
    assert (await http.get(letters, headers=CLERK)).json()["total"] == 0
    printed = (await http.get(letters, headers=CLERK, params={"printed": "true"})).json()
    assert printed["total"] == 1 and printed["items"][0]["downloads"] == 1
    # The status the reporter follows is told by letter: the delivery went by the letter channel.
    return item["id"], case["id"]


async def _opened(http: httpx.AsyncClient, cases_url: str) -> dict[str, Any]:
    city = token("city-fpb", "city_office")

    async def opened() -> bool:
        return (await http.get(f"{cases_url}/api/v1/cases", headers=city)).json()["total"] == 1

    await eventually(opened, timeout=20)
    return dict((await http.get(f"{cases_url}/api/v1/cases", headers=city)).json()["items"][0])


async def _nowhere_on_the_bus(url: str) -> list[dict[str, Any]]:
    """Every message of every stream, read raw: neither the address nor the name in clear.
    Returns the `audit.letter_opened` records' payloads."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    seen, opened = 0, []
    try:
        for stream in STREAMS:
            info = await js.stream_info(stream.name)
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                if info.state.messages == 0:
                    break
                msg = await js.get_msg(stream.name, seq)
                raw = (msg.data or b"").decode("utf-8", "replace") + repr(msg.headers)
                assert all(secret not in raw for secret in SECRETS), (stream.name, seq)
                seen += 1
                if msg.subject.endswith(".audit.letter_opened"):
                    opened.append(json.loads(msg.data)["data"])
    finally:
        await nc.close()
    assert seen >= 4  # the report, the case's opening and acceptance, the notifications at least
    return opened
