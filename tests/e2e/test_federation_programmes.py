"""The Women's Federation's programmes end to end on real NATS and PostgreSQL (issue 23): an
aid application from submission to disbursement inside a drive whose budget runs out, refusals
the applicant is told, a school with a sponsor, a pairing and a visit, a home's activity, a
selection from nomination to public result, the per-county figures and their CSV; then the
proof that the medical and payment details are nowhere in clear (bus, tables, logs, other
roles' answers) and every federation route against its rule in tests/security/rules.py.
One stack for the module."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import nats
import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.federation import sweeper
from services.federation.context import utc_now
from shared.events import parse_envelope
from shared.streams import STREAMS
from tests.e2e.federation_stack import FederationStack, federation_stack, token
from tests.integration.busutil import eventually
from tests.pg import PgServer
from tests.security.rules import ALL_ROLES, RULES

pytestmark = pytest.mark.e2e
A, B = "371402", "371403"
CITY = token("city-fl", "federation_officer")
COUNTY = token(f"{A}-fl", "federation_officer")
FOREIGN = token(f"{B}-fl", "federation_officer")
CADRE = token(f"{A}-fl-v1", "village_cadre")
SECRETS = (
    "王秀兰甲乙",
    "HH-371402-0099",
    "ZD-2018-7788",
    "6222020200112233445",
    "德州市人民医院乙",
)


def details(n: int = 0, household: str = "HH-371402-0099") -> dict[str, str]:
    return {
        "applicant_name": "王秀兰甲乙" if n == 0 else f"李某{n}",
        "household_ref": household,
        "diagnosis": "cervical",
        "certificate_ref": "ZD-2018-7788" if n == 0 else f"ZD-{n}",
        "hospital": "德州市人民医院乙",
        "bank": "农村信用社",
        "account_holder": "王秀兰甲乙" if n == 0 else f"李某{n}",
        "account_number": "6222020200112233445" if n == 0 else f"62220202{n:04d}",
    }


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r}")


@pytest.fixture(scope="module")
def logs() -> Any:
    handler, root = Records(), logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old)


@pytest.fixture(scope="module")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, pg_server: PgServer, logs: Records
) -> AsyncIterator[FederationStack]:
    url = await pg_server.create_database()
    async with federation_stack(tmp_path_factory.mktemp("federation"), url) as running:
        yield running


@pytest.fixture(scope="module")
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=15) as client:
        yield client


@pytest.fixture(scope="module")
async def places(stack: FederationStack, http: httpx.AsyncClient) -> dict[str, str]:
    ids = {}
    for key, county, name, poor, left in (
        ("poor", A, "前进村", True, True),
        ("rich", A, "富强村", False, False),
        ("gap", A, "红星村", True, True),
        ("other", B, "东风村", True, False),
    ):
        headers = COUNTY if county == A else FOREIGN
        body = {"county": county, "name": name, "poor": poor, "left_behind": left}
        answer = await http.post(f"{stack.url}/api/v1/villages", json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        ids[key] = answer.json()["village_id"]
    return ids


async def _post(
    http: httpx.AsyncClient, url: str, body: Any = None, headers: Any = None, status: int = 200
) -> dict[str, Any]:
    answer = await http.post(url, json=body, headers=headers)
    assert answer.status_code == status, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def _bus(stack: FederationStack, stream: str = "FEDERATION") -> list[Any]:
    nc = await nats.connect(stack.admin_nats)
    js = nc.jetstream()
    info = await js.stream_info(stream)
    messages = []
    for seq in range(max(info.state.first_seq, 1), info.state.last_seq + 1):
        messages.append(await js.get_msg(stream, seq))
    await nc.close()
    return messages


async def _events(stack: FederationStack, aggregate: str) -> list[tuple[str, int, dict[str, Any]]]:
    found = []
    for msg in await _bus(stack):
        envelope = parse_envelope(msg.data)
        if envelope.aggregate_id == aggregate:
            found.append((envelope.type, envelope.sequence, envelope.data))
    return found


async def test_aid_from_submission_to_disbursement_in_a_drive(
    stack: FederationStack, http: httpx.AsyncClient, places: dict[str, str]
) -> None:
    api = f"{stack.url}/api/v1/aid"
    drive = await _post(
        http,
        f"{api}/drives",
        {
            "year": 2018,
            "name": "2018年全市两癌救助",
            "budgets": {"national": 20000, "city_charity": 5000},
        },
        CITY,
        201,
    )
    drive_id = drive["drive_id"]
    await _post(
        http,
        f"{api}/drives",
        {"year": 2018, "name": "县里开", "budgets": {"national": 1}},
        COUNTY,
        403,
    )
    by_cadre = await _post(
        http,
        f"{api}/applications",
        {"county": A, "village_id": places["poor"], "drive_id": drive_id, "details": details()},
        CADRE,
        201,
    )
    by_herself = await _post(
        http,
        f"{api}/applications",
        {
            "county": A,
            "drive_id": drive_id,
            "village_id": places["rich"],
            "details": details(1, "HH-2"),
        },
        None,
        201,
    )
    for app in (by_cadre, by_herself):
        one = f"{api}/applications/{app['application_id']}"
        assert (
            await _post(
                http,
                f"{one}/check",
                {"registered_poor": True, "rural": True, "diagnosis_confirmed": True},
                COUNTY,
            )
        )["status"] == "eligible"
        await _post(http, f"{one}/approve", {"amount": 10000, "fund_source": "national"}, CITY, 409)
        await _post(http, f"{one}/review", None, COUNTY)
        await _post(
            http, f"{one}/approve", {"amount": 10000, "fund_source": "national"}, COUNTY, 403
        )
        approved = await _post(
            http, f"{one}/approve", {"amount": 10000, "fund_source": "national"}, CITY
        )
        assert approved["status"] == "approved"
    # The national fund is spent: a third approval from it is refused, the charity's is not.
    third = await _post(
        http,
        f"{api}/applications",
        {
            "county": A,
            "village_id": places["poor"],
            "drive_id": drive_id,
            "details": details(2, "HH-3"),
        },
        CADRE,
        201,
    )
    one = f"{api}/applications/{third['application_id']}"
    await _post(
        http,
        f"{one}/check",
        {"registered_poor": True, "rural": True, "diagnosis_confirmed": True},
        COUNTY,
    )
    await _post(http, f"{one}/review", None, COUNTY)
    short = await http.post(
        f"{one}/approve", json={"amount": 1, "fund_source": "national"}, headers=CITY
    )
    assert short.status_code == 409 and "预算不足" in short.text
    one = f"{api}/applications/{by_cadre['application_id']}"
    paid = await _post(
        http, f"{one}/disburse", {"paid_on": "2018-06-01", "payment_ref": "PZ-1"}, CITY
    )
    assert paid["status"] == "disbursed"
    assert (await _post(http, f"{one}/close", None, CITY))["status"] == "closed"
    told = await _post(http, f"{api}/status", {"receipt": by_cadre["receipt"]})
    assert told["status"] == "closed" and told["amount"] == 10000 and told["reason"] is None

    figures = (await http.get(f"{api}/drives/{drive_id}", headers=COUNTY)).json()
    national = next(f for f in figures["funds"] if f["fund_source"] == "national")
    assert national == {"fund_source": "national", "budget": 20000, "granted": 20000, "left": 0}
    assert figures["applications"] == 3 and figures["aided"] == 2
    assert figures["poor_village_share"] == 0.5 and figures["poor_village_aided"] == 1

    async def all_published() -> bool:
        return len(await _events(stack, by_cadre["application_id"])) == 6

    await eventually(all_published)
    steps = await _events(stack, by_cadre["application_id"])
    assert [(kind, seq) for kind, seq, _ in steps] == [
        ("federation.aid_submitted", 1),
        ("federation.aid_eligible", 2),
        ("federation.aid_reviewed", 3),
        ("federation.aid_approved", 4),
        ("federation.aid_disbursed", 5),
        ("federation.aid_closed", 6),
    ]
    assert steps[3][2]["amount"] == 10000 and steps[3][2]["fund_source"] == "national"


async def test_refusals_are_told_to_the_applicant(
    stack: FederationStack, http: httpx.AsyncClient, places: dict[str, str]
) -> None:
    api = f"{stack.url}/api/v1/aid"
    failing = await _post(
        http,
        f"{api}/applications",
        {"county": A, "village_id": places["poor"], "details": details(5, "HH-5")},
        None,
        201,
    )
    one = f"{api}/applications/{failing['application_id']}"
    await _post(
        http,
        f"{one}/check",
        {"registered_poor": True, "rural": True, "diagnosis_confirmed": True},
        FOREIGN,
        404,
    )
    checked = await _post(
        http,
        f"{one}/check",
        {"registered_poor": False, "rural": True, "diagnosis_confirmed": True},
        COUNTY,
    )
    assert checked["status"] == "refused"
    told = await _post(http, f"{api}/status", {"receipt": failing["receipt"]})
    assert told["status"] == "refused" and "建档立卡" in told["reason"]
    english = await http.post(
        f"{api}/status", json={"receipt": failing["receipt"]}, headers={"Accept-Language": "en"}
    )
    assert english.json()["step"] == "refused"

    later = await _post(
        http,
        f"{api}/applications",
        {"county": A, "village_id": places["poor"], "details": details(6, "HH-6")},
        CADRE,
        201,
    )
    one = f"{api}/applications/{later['application_id']}"
    await _post(
        http,
        f"{one}/check",
        {"registered_poor": True, "rural": True, "diagnosis_confirmed": True},
        COUNTY,
    )
    await _post(http, f"{one}/review", None, COUNTY)
    await _post(http, f"{one}/refuse", {"reason": "x"}, CITY, 422)
    await _post(http, f"{one}/refuse", {"reason": "材料不全"}, COUNTY, 403)  # the city's step
    await _post(http, f"{one}/refuse", {"reason": "诊断证明已过期，请补充后重新申请"}, CITY)
    await _post(http, f"{one}/disburse", {"paid_on": "2018-06-01", "payment_ref": "P"}, CITY, 409)
    told = await _post(http, f"{api}/status", {"receipt": later["receipt"]})
    assert told["reason"] == "诊断证明已过期，请补充后重新申请"

    async def refusal_published() -> bool:
        return any(
            k == "federation.aid_refused"
            for k, _, _ in await _events(stack, later["application_id"])
        )

    await eventually(refusal_published)
    refused = [d for k, _, d in await _events(stack, later["application_id"]) if "refused" in k]
    assert refused[0]["public_reason"] == told["reason"] and refused[0]["at_step"] == "reviewed"
    # Bad input names its fields; an unknown receipt is 404.
    bad = await http.post(
        f"{api}/applications",
        json={"county": "x", "village_id": "v", "details": {"diagnosis": "flu"}},
    )
    assert bad.status_code == 422
    assert {"county", "diagnosis"} <= {e["loc"][-1] for e in bad.json()["detail"]}
    assert (await http.post(f"{api}/status", json={"receipt": "nosuchreceipt"})).status_code == 404


async def test_a_step_past_its_deadline_is_told_once(
    stack: FederationStack, http: httpx.AsyncClient, places: dict[str, str]
) -> None:
    api = f"{stack.url}/api/v1/aid"
    late = await _post(
        http,
        f"{api}/applications",
        {"county": A, "village_id": places["poor"], "details": details(7, "HH-7")},
        CADRE,
        201,
    )
    ctx = stack.app.state.context
    later = ctx.clock() + timedelta(days=stack.settings.eligibility_days + 1)
    ctx.clock = lambda: later
    try:
        assert await sweeper.sweep(ctx) >= 1
        assert await sweeper.sweep(ctx) == 0  # told once per step
        listed = (await http.get(f"{api}/applications?status=submitted", headers=COUNTY)).json()
        assert any(i["id"] == late["application_id"] and i["overdue"] for i in listed["items"])
    finally:
        ctx.clock = utc_now

    async def told() -> bool:
        kinds = [k for k, _, _ in await _events(stack, late["application_id"])]
        return kinds == ["federation.aid_submitted", "federation.aid_overdue"]

    await eventually(told)
    one = f"{api}/applications/{late['application_id']}"
    checked = {"registered_poor": True, "rural": True, "diagnosis_confirmed": True}
    assert (await _post(http, f"{one}/check", checked, COUNTY))["status"] == "eligible"


async def test_school_sponsor_pairing_and_visit(
    stack: FederationStack, http: httpx.AsyncClient, places: dict[str, str]
) -> None:
    api = f"{stack.url}/api/v1"
    school = await _post(
        http,
        f"{api}/schools",
        {"county": A, "village_id": places["poor"], "name": "前进村四点半学校"},
        CADRE,
        201,
    )
    await _post(
        http,
        f"{api}/schools",
        {"county": B, "village_id": places["other"], "name": "别县学校"},
        CADRE,
        403,
    )
    await _post(
        http,
        f"{api}/schools/{school['school_id']}/sponsors",
        {"sponsor_kind": "entrepreneur", "sponsor": "德州某女企业家协会", "amount": 3000},
        COUNTY,
        201,
    )
    pairing = await _post(
        http,
        f"{api}/pairings",
        {
            "county": A,
            "village_id": places["poor"],
            "child_category": "left_behind",
            "volunteer_kind": "volunteer",
            "school_id": school["school_id"],
        },
        CADRE,
        201,
    )
    assert pairing["child_ref"].startswith("C-")
    visit = f"{api}/pairings/{pairing['pairing_id']}/visits"
    await _post(http, visit, {"visited_on": "2018-05-04"}, CADRE, 201)
    await _post(http, visit, {"visited_on": "2018-05-04"}, FOREIGN, 404)
    figures = (await http.get(f"{api}/programmes/stats?county={A}", headers=COUNTY)).json()
    mine = figures["items"][0]
    assert (mine["schools"], mine["pairings"], mine["visits"]) == (1, 1, 1)
    assert mine["school_coverage"] == 0.5 and mine["school_gaps"] == ["红星村"]

    async def pairing_published() -> bool:
        return bool(await _events(stack, pairing["pairing_id"]))

    await eventually(pairing_published)
    made = (await _events(stack, pairing["pairing_id"]))[0][2]
    assert set(made) >= {"child_ref", "child_category"} and "name" not in made


async def test_home_activity_and_class(
    stack: FederationStack, http: httpx.AsyncClient, places: dict[str, str]
) -> None:
    api = f"{stack.url}/api/v1"
    home = await _post(
        http,
        f"{api}/homes",
        {
            "county": A,
            "village_id": places["poor"],
            "name": "前进村妇女之家",
            "functions": ["rights", "family", "culture"],
        },
        CADRE,
        201,
    )
    activity = {
        "county": A,
        "village_id": places["poor"],
        "kind": "home",
        "theme": "家庭教育讲座",
        "held_on": "2018-07-01",
        "attendance": 35,
        "home_id": home["home_id"],
        "function": "family",
    }
    await _post(http, f"{api}/activities", activity, CADRE, 201)
    await _post(http, f"{api}/activities", {**activity, "function": "employment"}, CADRE, 422)
    await _post(
        http,
        f"{api}/activities",
        {
            "county": A,
            "village_id": places["rich"],
            "kind": "themed",
            "theme": "拒要彩礼",
            "held_on": "2018-07-02",
            "attendance": 80,
        },
        COUNTY,
        201,
    )
    mine = (await http.get(f"{api}/programmes/stats", headers=COUNTY)).json()["items"]
    assert [m["county"] for m in mine] == [A]
    assert mine[0]["homes"] == 1 and mine[0]["homes_poor_village_share"] == 1.0
    assert mine[0]["activities"] == {"home": 1, "class": 0, "themed": 1}
    assert mine[0]["attendance"] == 115


async def test_selection_from_nomination_to_public_result(
    stack: FederationStack, http: httpx.AsyncClient, places: dict[str, str]
) -> None:
    api = f"{stack.url}/api/v1/selections"
    nominee = {"county": A, "village_id": places["poor"], "kind": "best_family", "year": 2018}
    chosen = await _post(http, api, {**nominee, "public_name": "张某某家庭"}, CADRE, 201)
    other = await _post(http, api, {**nominee, "public_name": "赵某某家庭"}, CADRE, 201)
    await _post(http, f"{api}/{chosen['selection_id']}/publish", None, COUNTY, 409)
    await _post(http, f"{api}/{chosen['selection_id']}/review", {"selected": True}, CADRE, 403)
    await _post(http, f"{api}/{chosen['selection_id']}/review", {"selected": True}, COUNTY)
    await _post(http, f"{api}/{other['selection_id']}/review", {"selected": False}, COUNTY)
    await _post(http, f"{api}/{chosen['selection_id']}/publish", None, COUNTY)
    results = (await http.get(f"{api}/results?year=2018")).json()
    assert [r["public_name"] for r in results["items"]] == ["张某某家庭"]
    assert results["items"][0]["title"] == "最美家庭"


async def test_programmes_and_the_csv(stack: FederationStack, http: httpx.AsyncClient) -> None:
    listed = (await http.get(f"{stack.url}/api/v1/programmes")).json()
    assert [p["id"] for p in listed["items"]] == ["aid", "children", "homes", "spirit"]
    city = await http.get(f"{stack.url}/api/v1/programmes/stats.csv", headers=CITY)
    assert city.status_code == 200 and city.headers["content-type"].startswith("text/csv")
    lines = city.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("county,aid_applications") and len(lines) == 1 + 13
    row = next(line for line in lines if line.startswith(A))
    assert ",红星村," in row


async def test_medical_and_payment_details_nowhere_in_clear(
    stack: FederationStack, http: httpx.AsyncClient, places: dict[str, str], logs: Records
) -> None:
    listed = (await http.get(f"{stack.url}/api/v1/aid/applications", headers=COUNTY)).json()
    target = next(
        i for i in listed["items"] if i["village_id"] == places["poor"] and i["status"] == "closed"
    )
    one = f"{stack.url}/api/v1/aid/applications/{target['id']}"
    seen = await http.get(one, headers=COUNTY)  # the reviewing officers see them
    assert seen.json()["details"]["account_number"] == "6222020200112233445"
    assert seen.headers["cache-control"] == "no-store"
    assert (await http.get(one, headers=CITY)).json()["details"]["hospital"] == "德州市人民医院乙"
    others = [
        await http.get(one, headers=FOREIGN),
        await http.get(one, headers=CADRE),
        await http.get(one),
        await http.get(one, headers=token("city-fpb", "city_office")),
        await http.get(f"{stack.url}/api/v1/aid/applications", headers=COUNTY),
        await http.get(f"{stack.url}/api/v1/programmes/stats.csv", headers=CITY),
    ]
    assert [a.status_code for a in others[:4]] == [404, 403, 401, 403]
    texts = {
        "answers": "\n".join(a.text for a in others),
        "bus": "\n".join(
            [
                (m.data or b"").decode() + repr(m.headers)
                for s in STREAMS
                for m in await _bus(stack, s.name)
            ]
        ),
        "tables": await _table_text(stack.database_url),
        "logs": "\n".join(logs.lines),
    }
    assert "federation.aid_submitted" in texts["bus"] and "aid_applications" not in texts["bus"]
    assert "HH-" not in texts["tables"] and len(texts["tables"]) > 1000  # rows were read
    for where, text in texts.items():
        assert not [s for s in SECRETS if s in text], f"details in clear in {where}"


async def _table_text(url: str) -> str:
    engine = create_async_engine(url)
    chunks = []
    async with engine.connect() as conn:
        metadata = MetaData()
        await conn.run_sync(metadata.reflect)
        for table in metadata.tables.values():
            chunks += [repr(tuple(row)) for row in (await conn.execute(select(table))).all()]
    await engine.dispose()
    return "\n".join(chunks)


async def test_every_federation_route_against_its_rule(
    stack: FederationStack, http: httpx.AsyncClient
) -> None:
    """Every route of the app × every role at its own and another county, and no credential:
    the rule's roles pass, others get 403 (or 404 on a scoped record), nobody gets a 5xx."""
    from services.federation.main import create_app

    routes = sorted(
        (method, route.path)
        for route in _walk(create_app(stack.settings).routes)
        for method in route.methods - {"HEAD"}
    )
    units = {"federation_officer": (f"{A}-fl", f"{B}-fl"), "village_cadre": (f"{A}-v", f"{B}-v")}
    failures, tried = [], 0
    for method, path in routes:
        rule = RULES.get(("federation", method, path))
        if rule is None:
            failures.append(f"{method} {path}: no rule")
            continue
        for role in (None, *ALL_ROLES):
            unit = units.get(role or "", (f"{A}-fpb",))[0]
            headers = token(unit, role) if role else {}
            url = stack.url + path.replace("{", "").replace("}", "")
            answer = await http.request(
                method, url, headers=headers, json={} if method == "POST" else None
            )
            tried += 1
            status = answer.status_code
            if rule.page:  # the officials' pages read the session, never a token: to sign-in
                if status != 303 or "/signin" not in answer.headers.get("location", ""):
                    failures.append(f"{method} {path} as {role}: {status}, not to sign-in")
                continue
            allowed = rule.roles is None or role in rule.roles
            anonymous_submit = path == "/api/v1/aid/applications" and method == "POST"
            if status >= 500:
                failures.append(f"{method} {path} as {role}: {status}")
            elif role is None and not allowed and not anonymous_submit and status != 401:
                failures.append(f"{method} {path} anonymous: {status}")
            elif role is not None and not allowed and status not in (403, 404):
                failures.append(f"{method} {path} as {role}: {status}, not refused")
            elif allowed and status in (401, 403):
                failures.append(f"{method} {path} as {role}: refused {status}")
    assert tried > 200
    assert failures == [], "\n".join(failures)


def _walk(routes: Any) -> Any:
    from fastapi.routing import APIRoute

    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes)
