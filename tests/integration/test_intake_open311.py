"""Open311 GeoReport v2: services, POST and GET requests round trip; GET shows only exposed
cases with their public text, never the report text, the accused or the reporter."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.events.cases import CaseClosed, CaseExposed, CaseOpened
from shared.natsserver import NatsProcess
from tests.integration.busutil import eventually
from tests.integration.test_intake_harness import (
    CONTENT,
    Intake,
    bearer,
    published,
    running_intake,
)

pytestmark = pytest.mark.integration
EXPOSED = "某县某镇驻村工作队员长期不在岗，已被诫勉谈话并调离。"


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[Intake]:
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as running:
        yield running


def georeport(**overrides: str) -> dict[str, str]:
    fields = {
        "jurisdiction_id": "371402",
        "service_code": "18",
        "description": CONTENT,
        "address_string": "某镇某村",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800138000",
        "subject_person": "王某某",
    }
    return fields | overrides


async def test_services_are_the_problem_list(intake: Intake) -> None:
    services = (await intake.http.get("/open311/v2/services.json")).json()
    codes = [s["service_code"] for s in services]
    assert "18" in codes and "2" not in codes  # the seed's own numbering, gaps and all
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)
    unknown = await intake.http.get("/open311/v2/services.json?jurisdiction_id=000000")
    assert unknown.status_code == 404 and unknown.json()[0]["code"] == 404


async def test_post_then_get_round_trip(intake: Intake) -> None:
    posted = await intake.http.post("/open311/v2/requests.json", data=georeport())
    assert posted.status_code == 200, posted.text
    [created] = posted.json()
    request_id = created["service_request_id"]
    [event] = await published(intake, {request_id})
    assert event.data["category_hint"] == 18 and event.data["anonymous"] is False
    assert "某镇某村" in event.data["content"] and event.data["channel"] == "web"
    assert "13800138000" not in event.to_bytes().decode()
    [one] = (await intake.http.get(f"/open311/v2/requests/{request_id}.json")).json()
    assert one == {
        "service_request_id": request_id,
        "status": "open",
        "service_code": "18",
        "requested_datetime": one["requested_datetime"],
        "updated_datetime": one["updated_datetime"],
    }
    assert (await intake.view(created["tracking_code"]))["status"] == "received"
    # Nothing exposed yet: the list is empty although a request exists.
    assert (await intake.http.get("/open311/v2/requests.json")).json() == []


async def test_only_exposed_cases_are_listed_with_public_text(intake: Intake) -> None:
    posted = (await intake.http.post("/open311/v2/requests.json", data=georeport())).json()
    request_id = posted[0]["service_request_id"]
    case = {
        "case_id": str(uuid.uuid4()),
        "county": "371402",
        "handling_unit": "371402-fpb",
        "problem": 18,
        "report_id": request_id,
    }
    opened = CaseOpened(**case, status="received", version=1, channel="web",
                        received_at=datetime.now(UTC))  # fmt: skip
    await intake.case_event(opened)
    await intake.case_event(
        CaseExposed(**case, status="rectified", version=2, exposure_text=EXPOSED)
    )

    async def listed() -> list[dict[str, Any]]:
        return (await intake.http.get("/open311/v2/requests.json")).json()  # type: ignore[no-any-return]

    await eventually(lambda: _not_empty(listed))
    [item] = await listed()
    assert item["service_request_id"] == request_id and item["description"] == EXPOSED
    assert item["status"] == "open" and item["service_code"] == "18"
    everything = str(item)
    assert CONTENT[:10] not in everything and "王某某" not in everything and "张" not in everything
    await intake.case_event(CaseClosed(**case, status="closed", version=3))

    async def closed() -> bool:
        return [i["status"] for i in await listed()] == ["closed"]

    await eventually(closed)
    assert (await intake.http.get("/open311/v2/requests.json?status=open")).json() == []
    by_county = await intake.http.get("/open311/v2/requests.json?jurisdiction_id=371403")
    assert by_county.json() == []
    [one] = (await intake.http.get(f"/open311/v2/requests/{request_id}.json")).json()
    assert one["status"] == "closed"


async def _not_empty(fetch: Any) -> bool:
    return bool(await fetch())


async def test_errors_keep_georeport_shape(intake: Intake) -> None:
    missing = await intake.http.post("/open311/v2/requests.json", data={"description": CONTENT})
    assert missing.status_code == 400 and missing.json()[0]["code"] == 400
    unknown = await intake.http.post(
        "/open311/v2/requests.json", data=georeport(service_code="999")
    )
    assert unknown.status_code == 404
    short = await intake.http.post("/open311/v2/requests.json", data=georeport(description="短"))
    assert short.status_code == 400
    assert short.json()[0]["description"].startswith("description:")
    absent = await intake.http.get(f"/open311/v2/requests/{uuid.uuid4()}.json")
    assert absent.status_code == 404 and absent.json()[0]["code"] == 404
    bad_token = await intake.http.post(
        "/open311/v2/requests.json", data=georeport(), headers={"Authorization": "Bearer x"}
    )
    assert bad_token.status_code == 401 and bad_token.json()[0]["code"] == 401


async def test_integrators_post_as_integrator_channel(intake: Intake) -> None:
    headers = bearer("integrator", unit="371402-fpb")
    posted = await intake.http.post("/open311/v2/requests.json", json=georeport(), headers=headers)
    assert posted.status_code == 200, posted.text
    [event] = await published(intake, {posted.json()[0]["service_request_id"]})
    assert event.data["channel"] == "integrator"
