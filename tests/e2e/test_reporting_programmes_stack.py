"""Issue 23 end to end on real NATS and PostgreSQL: the federation service runs its programmes
through its HTTP API, publishes on `FEDERATION`, and reporting — connected as its own fenced
NATS user, pulling from the `reporting-federation` durable `zuofeng bus init` made — counts the
same figures per county as federation's own statistics, keeping none of the applicant's sealed
details, a child's reference or a family's name."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared import migrate
from shared.natsauth import load_or_create_passwords, user_names, with_credentials
from tests.e2e.federation_stack import COUNTIES, SECRET, FederationStack, federation_stack, token
from tests.integration.busutil import eventually
from tests.pg import PgServer, free_port

pytestmark = pytest.mark.e2e
A = "371402"
CITY = token("city-fl", "federation_officer")
COUNTY = token(f"{A}-fl", "federation_officer")
CADRE = token(f"{A}-fl-v1", "village_cadre")
SECRETS = ("王秀兰丙丁", "HH-371402-0777", "6222020200998877665", "张某某家庭")
SHARED = ("aid_applications", "aid_granted", "aid_amount", "aid_amount_by_fund",
          "aid_poor_village_granted", "aid_poor_village_share", "villages", "poor_villages",
          "schools", "school_coverage", "school_gaps", "homes", "homes_poor_village_share",
          "pairings", "visits", "activities", "attendance", "selections_nominated",
          "selections_published")  # fmt: skip


@contextlib.asynccontextmanager
async def reporting_beside(fed: FederationStack, base: Path, url: str) -> AsyncIterator[str]:
    """Reporting on federation's NATS server, as the `reporting` user of its configuration."""
    passwords = load_or_create_passwords(base / "users.json", user_names(COUNTIES))
    server = fed.admin_nats.replace(f"admin:{passwords['admin']}@", "")
    await asyncio.to_thread(migrate.upgrade, "reporting", url)
    port = free_port()
    settings = ReportingSettings(
        nats_url=with_credentials(server, "reporting", passwords["reporting"]),
        database_url=url, var_dir=base / "reporting-var", jwt_secret=SECRET, port=port,
        retry_delays=(0.2, 0.5, 1.0),
    )  # fmt: skip
    web = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(web.serve())
    try:
        while not web.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        web.should_exit = True
        await task


async def _post(
    http: httpx.AsyncClient, url: str, body: Any, headers: Any, status: int = 200
) -> Any:
    answer = await http.post(url, json=body, headers=headers)
    assert answer.status_code == status, answer.text
    return answer.json()


async def _run_programmes(http: httpx.AsyncClient, api: str) -> None:
    places = {}
    for key, name, poor, left in (("poor", "前进村", True, True), ("rich", "富强村", False, False),
                                  ("gap", "红星村", True, True)):  # fmt: skip
        body = {"county": A, "name": name, "poor": poor, "left_behind": left}
        places[key] = (await _post(http, f"{api}/villages", body, COUNTY, 201))["village_id"]
    details = {"applicant_name": SECRETS[0], "household_ref": SECRETS[1], "diagnosis": "breast",
               "certificate_ref": "ZD-77", "hospital": "德州市某医院", "bank": "农村信用社",
               "account_holder": SECRETS[0], "account_number": SECRETS[2]}  # fmt: skip
    checked = {"registered_poor": True, "rural": True, "diagnosis_confirmed": True}
    applications = f"{api}/aid/applications"
    for n, village, fund in ((1, places["poor"], "national"), (2, places["rich"], "city_charity")):
        body = {
            "county": A,
            "village_id": village,
            "details": {**details, "household_ref": f"HH-{n}"},
        }
        made = await _post(http, applications, body, CADRE, 201)
        one = f"{applications}/{made['application_id']}"
        await _post(http, f"{one}/check", checked, COUNTY)
        await _post(http, f"{one}/review", None, COUNTY)
        await _post(http, f"{one}/approve", {"amount": 8000, "fund_source": fund}, CITY)
    body = {"county": A, "village_id": places["gap"], "details": details}
    refused = await _post(http, applications, body, CADRE, 201)
    no = {**checked, "registered_poor": False}
    await _post(http, f"{applications}/{refused['application_id']}/check", no, COUNTY)
    school = {"county": A, "village_id": places["poor"], "name": "前进村四点半学校"}
    school_id = (await _post(http, f"{api}/schools", school, CADRE, 201))["school_id"]
    pairing = {"county": A, "village_id": places["poor"], "child_category": "left_behind",
               "volunteer_kind": "cadre", "school_id": school_id}  # fmt: skip
    made = await _post(http, f"{api}/pairings", pairing, CADRE, 201)
    await _post(http, f"{api}/pairings/{made['pairing_id']}/visits",
                {"visited_on": "2018-05-04"}, CADRE, 201)  # fmt: skip
    home = {"county": A, "village_id": places["rich"], "name": "富强村妇女之家",
            "functions": ["culture"]}  # fmt: skip
    home_id = (await _post(http, f"{api}/homes", home, CADRE, 201))["home_id"]
    activity = {"county": A, "village_id": places["rich"], "kind": "home", "theme": "四德歌",
                "held_on": "2018-07-01", "attendance": 40, "home_id": home_id,
                "function": "culture"}  # fmt: skip
    await _post(http, f"{api}/activities", activity, CADRE, 201)
    nominee = {"county": A, "village_id": places["poor"], "kind": "best_family", "year": 2018,
               "public_name": SECRETS[3]}  # fmt: skip
    chosen = await _post(http, f"{api}/selections", nominee, CADRE, 201)
    await _post(
        http, f"{api}/selections/{chosen['selection_id']}/review", {"selected": True}, COUNTY
    )
    await _post(http, f"{api}/selections/{chosen['selection_id']}/publish", None, COUNTY)


async def test_federation_events_reach_reportings_programme_figures(
    tmp_path: Path, pg_server: PgServer
) -> None:
    fed_db, rep_db = await pg_server.create_database(), await pg_server.create_database()
    async with (
        federation_stack(tmp_path, fed_db) as fed,
        reporting_beside(fed, tmp_path, rep_db) as reporting,
        httpx.AsyncClient(timeout=20) as http,
    ):
        await _run_programmes(http, f"{fed.url}/api/v1")
        truth = (await http.get(f"{fed.url}/api/v1/programmes/stats", headers=COUNTY)).json()
        expected = {k: truth["items"][0][k] for k in SHARED}
        assert expected["aid_granted"] == 2 and expected["selections_published"] == 1
        seen: dict[str, Any] = {}

        async def agrees() -> bool:
            answer = await http.get(f"{reporting}/api/v1/stats/programmes", headers=COUNTY)
            seen.update(answer.json()["items"][0])
            return {k: seen.get(k) for k in SHARED} == expected

        with contextlib.suppress(AssertionError):
            await eventually(agrees, timeout=30)
        assert {k: seen.get(k) for k in SHARED} == expected
        assert seen["county"] == A and seen["aid_refused"] == 1
        kept = await _everything_in(rep_db)
        assert kept and not [s for s in SECRETS if s in kept]


async def _everything_in(url: str) -> str:
    """Every row of every reporting table, as text."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            meta = MetaData()
            await conn.run_sync(meta.reflect)
            rows = []
            for table in meta.sorted_tables:
                rows += [repr(tuple(r)) for r in (await conn.execute(select(table))).all()]
    finally:
        await engine.dispose()
    return "\n".join(rows)
