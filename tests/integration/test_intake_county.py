"""Submissions over HTTP are tied to the caller's county: a clerk's or integrator's unit (token
or API key) submits for its own county only, a city-level unit for any; the same for each row
of an import and for Open311 requests posted with credentials."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from shared import apikeys
from shared.natsserver import NatsProcess
from tests.integration.test_intake_harness import CONTENT, Intake, bearer, report, running_intake

pytestmark = pytest.mark.integration
REPORTS = "/api/v1/reports"


@pytest.fixture
async def intake(
    nats_server: NatsProcess, database_url: str, tmp_path: Path
) -> AsyncIterator[Intake]:
    async with running_intake(nats_server.url, database_url, tmp_path / "var") as running:
        yield running


async def test_a_clerk_submits_for_its_own_county_only(intake: Intake) -> None:
    clerk = bearer("clerk", unit="371402-fpb")  # 德城区扶贫办
    own = await intake.http.post(REPORTS, json=report(channel="visit"), headers=clerk)
    assert own.status_code == 202, own.text
    other = report(channel="visit", county="371403")
    refused = await intake.http.post(REPORTS, json=other, headers=clerk)
    assert refused.status_code == 403 and "371403" in refused.json()["detail"]
    assert "不能提交" in refused.json()["detail"]
    english = await intake.http.post(REPORTS, json=other, headers=clerk | {"Accept-Language": "en"})
    assert english.json()["detail"] == "unit 371402-fpb may not submit for county 371403"
    # The web channel with a clerk's token is still the clerk's submission.
    web = await intake.http.post(REPORTS, json=report(county="371403"), headers=clerk)
    assert web.status_code == 403
    # Unknown counties stay the caller's 422, named on the field.
    unknown = await intake.http.post(REPORTS, json=report(county="999999"), headers=clerk)
    assert unknown.status_code == 422


async def test_city_units_submit_for_any_county(intake: Intake) -> None:
    city = bearer("clerk", unit="city-fpb")
    for county in ("371402", "371403", "371481"):
        answer = await intake.http.post(REPORTS, json=report(county=county), headers=city)
        assert answer.status_code == 202, answer.text


async def test_an_integrators_api_key_is_tied_to_its_units_county(intake: Intake) -> None:
    secret = intake.settings.resolved_apikey_secret()  # the service's own signing key
    _, key = await apikeys.create(intake.js, unit="371403-fpb", role="integrator", secret=secret)
    headers = {"X-API-Key": key}
    own = report(channel="integrator", county="371403")
    assert (await intake.http.post(REPORTS, json=own, headers=headers)).status_code == 202
    other = report(channel="integrator", county="371402")
    assert (await intake.http.post(REPORTS, json=other, headers=headers)).status_code == 403


async def test_a_unit_outside_the_directory_submits_for_no_county(intake: Intake) -> None:
    stranger = bearer("integrator", unit="province-12317")
    answer = await intake.http.post(REPORTS, json=report(channel="integrator"), headers=stranger)
    assert answer.status_code == 403


def findings(*counties: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["county", "content"])
    writer.writerows([county, CONTENT] for county in counties)
    return out.getvalue().encode()


async def test_each_imported_row_is_tied_to_the_clerks_county(intake: Intake) -> None:
    files = {"file": ("findings.csv", findings("371402", "371403", "371402"))}
    answer = await intake.http.post(
        "/api/v1/reports/import", files=files, headers=bearer("clerk", unit="371402-fpb")
    )
    rows = answer.json()["rows"]
    assert [bool(row.get("report_id")) for row in rows] == [True, False, True]
    assert rows[1]["errors"][0]["type"] == "forbidden" and "371403" in rows[1]["errors"][0]["msg"]
    city = await intake.http.post(
        "/api/v1/reports/import", files=files, headers=bearer("clerk", unit="city-fpb")
    )
    assert all(row.get("report_id") for row in city.json()["rows"])


async def test_open311_posts_with_credentials_are_tied_too(intake: Intake) -> None:
    fields = {"jurisdiction_id": "371403", "service_code": "18", "description": CONTENT,
              "address_string": "某镇某村"}  # fmt: skip
    integrator = bearer("integrator", unit="371402-fpb")
    refused = await intake.http.post("/open311/v2/requests.json", data=fields, headers=integrator)
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403
    own = fields | {"jurisdiction_id": "371402"}
    posted = await intake.http.post("/open311/v2/requests.json", data=own, headers=integrator)
    assert posted.status_code == 200, posted.text
    # Without credentials it is the public's request, for any county.
    public = await intake.http.post("/open311/v2/requests.json", data=fields)
    assert public.status_code == 200, public.text
