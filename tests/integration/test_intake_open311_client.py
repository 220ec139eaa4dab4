"""A published Open311 client (PyPI's `georeport`) against intake served by uvicorn on a free
port, over real HTTP, in JSON and in XML: it lists services, reads a service definition and
requests. It cannot POST, so the POST with `api_key` is sent as GeoReport clients send it
(form-encoded) and its XML answer read with the same XML reader the client uses (xmltodict)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import uvicorn
import xmltodict
from georeport import GeoReport

from shared import apikeys
from shared.natsserver import NatsProcess
from tests.integration.test_intake_harness import Intake, published, running_intake
from tests.integration.test_intake_open311 import georeport
from tests.pg import free_port

pytestmark = pytest.mark.integration
# The GeoReport v2 elements a service and a request may hold (the specification's names), and
# the one extension we add (the reporter's tracking code in POST's answer).
SERVICE = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
    "long", "media_url", "token", "account_id", "tracking_code",
}  # fmt: skip


@pytest.fixture
async def served(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[Intake, str]]:
    """Intake (its lifespan run by the harness) also served over HTTP by uvicorn."""
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as intake:
        port = free_port()
        config = uvicorn.Config(
            intake.app, host="127.0.0.1", port=port, lifespan="off", log_level="error"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()  # it failed to start: say why
            await asyncio.sleep(0.02)
        try:
            yield intake, f"http://127.0.0.1:{port}/open311/v2"
        finally:
            server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _read(root: str, fmt: str, request_id: str) -> dict[str, Any]:
    """What the client reads, in one format (it is synchronous: run in a thread)."""
    client = GeoReport(root, jurisdiction="371402", output_format=fmt)
    return {
        "services": client.get_service_list(),
        "definition": client.get_service_definition("18"),
        "one": client.get_service_request(request_id),
        "listed": client.get_service_requests(service_request_id=request_id),
    }


def _one(listed: Any) -> dict[str, Any]:
    """xmltodict gives a lone `<request>` as a dict, a JSON list holds it as its item."""
    if isinstance(listed, list):
        assert len(listed) == 1
        return listed[0]  # type: ignore[no-any-return]
    return listed  # type: ignore[no-any-return]


async def test_the_published_client_reads_json_and_xml(served: tuple[Intake, str]) -> None:
    intake, root = served
    async with httpx.AsyncClient() as http:
        posted = await http.post(f"{root}/requests.json", data=georeport())
    request_id = posted.json()[0]["service_request_id"]
    as_json = await asyncio.to_thread(_read, root, "json", request_id)
    as_xml = await asyncio.to_thread(_read, root, "xml", request_id)
    for read in (as_json, as_xml):
        codes = [service["service_code"] for service in read["services"]]
        assert "18" in codes and "2" not in codes
        assert all(set(service) == SERVICE for service in read["services"])
        assert read["definition"]["service_code"] == "18"
        one, listed = _one(read["one"]), _one(read["listed"])
        assert one["service_request_id"] == request_id and one["status"] == "open"
        assert set(one) <= REQUEST and listed == one
    # The same records in both formats (XML's values are text: `false` for False).
    assert [s["service_code"] for s in as_json["services"]] == [
        s["service_code"] for s in as_xml["services"]
    ]
    assert as_xml["services"][0]["metadata"] == "false"
    assert as_json["one"] == _one(as_xml["one"])


async def test_a_post_with_api_key_is_filed_as_the_keys_unit(served: tuple[Intake, str]) -> None:
    intake, root = served
    secret = intake.settings.resolved_apikey_secret()
    _, key = await apikeys.create(intake.js, unit="371402-fpb", role="integrator", secret=secret)
    async with httpx.AsyncClient() as http:
        posted = await http.post(f"{root}/requests.xml", data=georeport(api_key=key))
        bogus = await http.post(f"{root}/requests.xml", data=georeport(api_key="zf_bogus"))
    assert posted.status_code == 200, posted.text
    tree = ElementTree.fromstring(posted.content)
    assert tree.tag == "service_requests" and [child.tag for child in tree] == ["request"]
    created = xmltodict.parse(posted.content)["service_requests"]["request"]
    assert set(created) <= REQUEST
    [event] = await published(intake, {created["service_request_id"]})
    assert event.data["submitted_by_unit"] == "371402-fpb"
    assert event.data["channel"] == "integrator"
    assert bogus.status_code == 403
    assert xmltodict.parse(bogus.content)["errors"]["error"]["code"] == "403"
