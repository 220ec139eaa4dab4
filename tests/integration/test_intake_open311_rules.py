"""Open311 as GeoReport v2 says: XML under the specification's element names, `api_key`
honoured (a bogus one 403 in the error list), a place required and kept, and the request list
agreeing with the single request within what the public may see."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from services.intake.models import reports
from shared import apikeys
from shared.natsserver import NatsProcess
from tests.integration.test_intake_harness import CONTENT, Intake, published, running_intake
from tests.integration.test_intake_open311 import georeport

pytestmark = pytest.mark.integration
BASE = "/open311/v2"


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[Intake]:
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as running:
        yield running


def xml_of(answer: object) -> ElementTree.Element:
    assert answer.headers["content-type"].startswith("text/xml"), answer.text  # type: ignore[attr-defined]
    return ElementTree.fromstring(answer.content)  # type: ignore[attr-defined]


def errors_of(root: ElementTree.Element) -> list[tuple[str, str]]:
    assert root.tag == "errors" and [e.tag for e in root] == ["error"] * len(root)
    return [(e.findtext("code") or "", e.findtext("description") or "") for e in root]


async def test_xml_answers_use_the_specifications_element_names(intake: Intake) -> None:
    services = xml_of(await intake.http.get(f"{BASE}/services.xml"))
    assert services.tag == "services" and {s.tag for s in services} == {"service"}
    first = services[0]
    assert [c.tag for c in first] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"
    ]  # fmt: skip
    assert first.findtext("metadata") == "false" and first.findtext("type") == "realtime"
    definition = xml_of(await intake.http.get(f"{BASE}/services/18.xml"))
    assert definition.tag == "service_definition" and definition.findtext("service_code") == "18"
    assert definition.find("attributes") is not None
    missing = await intake.http.get(f"{BASE}/services/999.xml")
    assert missing.status_code == 404 and errors_of(xml_of(missing))[0][0] == "404"
    posted = await intake.http.post(f"{BASE}/requests.xml", data=georeport())
    created = xml_of(posted)
    assert created.tag == "service_requests" and [r.tag for r in created] == ["request"]
    request_id = created[0].findtext("service_request_id")
    assert request_id and created[0].findtext("service_notice")
    one = xml_of(await intake.http.get(f"{BASE}/requests/{request_id}.xml"))
    assert one[0].findtext("service_request_id") == request_id
    assert one[0].findtext("status") == "open" and one[0].findtext("service_code") == "18"
    listed = xml_of(await intake.http.get(f"{BASE}/requests.xml"))
    assert listed.tag == "service_requests" and len(listed) == 0  # nothing exposed yet
    discovery = xml_of(await intake.http.get(f"{BASE}/discovery.xml"))
    endpoint = discovery.find("endpoints/endpoint")
    assert endpoint is not None and endpoint.findtext("url", "").endswith("/open311/v2")
    assert [f.text for f in endpoint.iterfind("formats/format")] == ["application/json", "text/xml"]


async def test_a_valid_api_key_files_as_its_unit_and_a_bogus_one_is_refused(
    intake: Intake,
) -> None:
    secret = intake.settings.resolved_apikey_secret()
    _, key = await apikeys.create(intake.js, unit="371402-fpb", role="integrator", secret=secret)
    posted = await intake.http.post(f"{BASE}/requests.json", data=georeport(api_key=key))
    assert posted.status_code == 200, posted.text
    [event] = await published(intake, {posted.json()[0]["service_request_id"]})
    assert event.data["channel"] == "integrator"
    assert event.data["submitted_by_unit"] == "371402-fpb"
    # A key of another county's unit may not file here (as with X-API-Key).
    _, other = await apikeys.create(intake.js, unit="371403-fpb", role="clerk", secret=secret)
    refused = await intake.http.post(f"{BASE}/requests.json", data=georeport(api_key=other))
    assert refused.status_code == 403
    bogus_key = f"zf_{'0' * 12}_{'A' * 43}"
    for bogus in ("nonsense", bogus_key):
        answer = await intake.http.post(f"{BASE}/requests.json", data=georeport(api_key=bogus))
        assert answer.status_code == 403
        [item] = answer.json()
        assert set(item) == {"code", "description"} and item["code"] == 403
    as_xml = await intake.http.post(f"{BASE}/requests.xml", data=georeport(api_key="nonsense"))
    assert as_xml.status_code == 403 and errors_of(xml_of(as_xml))[0][0] == "403"


async def test_the_place_is_required_and_kept(intake: Intake) -> None:
    nowhere = georeport(address_string="")
    refused = await intake.http.post(f"{BASE}/requests.json", data=nowhere)
    assert refused.status_code == 400 and "address_string" in refused.json()[0]["description"]
    for lat, long in (("36.4", ""), ("north", "116.3"), ("91", "116.3"), ("nan", "1")):
        bad = await intake.http.post(
            f"{BASE}/requests.json", data=nowhere | {"lat": lat, "long": long}
        )
        assert bad.status_code == 400 and bad.json()[0]["code"] == 400, (lat, long)
    by_id = await intake.http.post(f"{BASE}/requests.json", data=nowhere | {"address_id": "A-17"})
    assert by_id.status_code == 200, by_id.text
    point = nowhere | {"lat": "36.434512", "long": "116.291047"}
    posted = await intake.http.post(f"{BASE}/requests.json", data=point)
    assert posted.status_code == 200, posted.text
    request_id = posted.json()[0]["service_request_id"]
    [event] = await published(intake, {request_id})
    assert "36.434512, 116.291047" in event.data["content"]  # the handling unit reads it there
    async with intake.ctx.db.sessions() as session:
        query = select(reports.c.lat, reports.c.long).where(reports.c.id == request_id)
        row = (await session.execute(query)).one()
    assert (row.lat, row.long) == (pytest.approx(36.434512), pytest.approx(116.291047))
    # The public never sees the coordinates.
    one = await intake.http.get(f"{BASE}/requests/{request_id}.json")
    assert "36.43" not in one.text


async def test_the_list_by_id_agrees_with_the_single_request(intake: Intake) -> None:
    posted = await intake.http.post(f"{BASE}/requests.json", data=georeport())
    request_id = posted.json()[0]["service_request_id"]
    one = (await intake.http.get(f"{BASE}/requests/{request_id}.json")).json()
    unknown = str(uuid.uuid4())
    asked = f"{unknown},{request_id}"
    listed = await intake.http.get(f"{BASE}/requests.json", params={"service_request_id": asked})
    assert listed.status_code == 200 and listed.json() == one
    assert CONTENT[:10] not in listed.text and "王某某" not in listed.text
    # The public list without ids still holds exposed cases only.
    assert (await intake.http.get(f"{BASE}/requests.json")).json() == []
    for status in ("pending", "open,done"):
        bad = await intake.http.get(f"{BASE}/requests.json", params={"status": status})
        assert bad.status_code == 400 and bad.json()[0]["code"] == 400
    bad_xml = await intake.http.get(f"{BASE}/requests.xml", params={"status": "pending"})
    assert bad_xml.status_code == 400 and "pending" in errors_of(xml_of(bad_xml))[0][1]
    fine = await intake.http.get(f"{BASE}/requests.json", params={"status": "open,closed"})
    assert fine.status_code == 200
    # What a client sends comes back in an error: still well-formed XML, still no 500.
    strange = await intake.http.get(f"{BASE}/requests/a%00b%01.xml")
    assert strange.status_code == 404 and errors_of(xml_of(strange))[0][0] == "404"
    nul = await intake.http.get(f"{BASE}/requests.json", params={"service_request_id": "a\x00"})
    assert nul.status_code == 200 and nul.json() == []


async def test_discovery_states_the_privacy_rule(intake: Intake) -> None:
    zh = (await intake.http.get(f"{BASE}/discovery.json")).json()
    en = (await intake.http.get(f"{BASE}/discovery.json", headers={"Accept-Language": "en"})).json()
    assert "已查实曝光" in zh["privacy"] and "exposed" in en["privacy"]
    assert "service_request_id" in en["privacy"] and "api_key" in en["key_service"]
    assert en["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
