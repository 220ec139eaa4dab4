"""The authorization matrix, generated from the real route tables: every route × every role ×
own and foreign unit (plus no credential), against the four services on real NATS and
PostgreSQL. A route without a rule in tests/security/rules.py fails; so does any 5xx."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from shared.auth import issue_token
from shared.directory import load_directory
from shared.natsserver import start_nats
from shared.websession import COOKIE, csrf_token, decode_session
from tests.e2e.stack import SECRET, running_stack
from tests.integration.busutil import eventually
from tests.officials import session_token
from tests.pg import PgServer, in_thread
from tests.security.rules import ALL_ROLES, RULES, Rule

pytestmark = pytest.mark.e2e
OWN_COUNTY, FOREIGN_COUNTY = "371402", "371403"
BODY = {
    "text": "核查",
    "reason": "核查",
    "days": 5,
    "unit": "371402-fpb",
    "finding": "partly",
    "summary": "部分属实",
    "url": "http://127.0.0.1:9/hook",
    "event_types": ["case.opened"],
    "counties": [OWN_COUNTY],
    "decision": "约谈",
    "target": "371402-fpb",
    "note": "x",
}


def _units(handling: str) -> dict[str, tuple[str, str]]:
    """(own unit, foreign unit) per role for a case handled by `handling`."""
    directory = load_directory()
    office = directory.office_of(FOREIGN_COUNTY)
    assert office is not None
    foreign = office.id
    supervisor = (
        directory.supervisors_of(handling)[0].unit
        if directory.supervisors_of(handling)
        else handling
    )
    jw_own, jw_foreign = (
        directory.discipline_of(OWN_COUNTY),
        directory.discipline_of(FOREIGN_COUNTY),
    )
    assert jw_own is not None and jw_foreign is not None
    return {
        "clerk": (handling, foreign),
        "officer": (handling, foreign),
        "leader": (handling, foreign),
        "supervisor": (supervisor, foreign),
        "city_office": ("city-fpb", "city-fpb"),
        "inspector": (jw_own.id, jw_foreign.id),
        "auditor": ("city-fpb", "city-fpb"),
        "integrator": (handling, foreign),
        # The federation's people (issue 23): their county's women's federation and a village's.
        "federation_officer": (f"{OWN_COUNTY}-fl", f"{FOREIGN_COUNTY}-fl"),
        "village_cadre": (f"{OWN_COUNTY}-fl-v1", f"{FOREIGN_COUNTY}-fl-v1"),
    }


def _token(unit: str, role: str) -> dict[str, str]:
    return {
        "Authorization": "Bearer "
        + issue_token(SECRET, unit=unit, role=role, sub="matrix", ttl=timedelta(hours=1))
    }


def _routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every API route, schema-hidden ones included."""
    return sorted(set(_walk(app.routes)))


def _walk(routes: Any) -> Any:
    for route in routes:
        if isinstance(route, APIRoute):
            for method in route.methods - {"HEAD", "OPTIONS"}:
                yield from _expanded(method, route.path)
        elif hasattr(route, "original_router"):  # FastAPI's included routers
            yield from _walk(route.original_router.routes)


def _expanded(method: str, path: str) -> Any:
    """A route whose last segment names the action (the case page's forms): once per action,
    each with its own rule."""
    if not path.endswith("/{action}"):
        yield method, path
        return
    from services.cases.domain.vocabulary import Action

    for action in Action:
        yield method, path.removesuffix("{action}") + action.value


MISSING = (
    "{alert_id}",
    "{subscription_id}",
    "{task_id}",
    "{inspection_id}",
    "{letter_id}",
)  # ids that name nothing: 404 is the right answer


def _verdict(
    rule: Rule, role: str | None, own: bool, status: int, owner: bool = True, missing: bool = False
) -> str | None:
    """Why `status` is wrong, or None when it is what the contract allows."""
    if status >= 500:
        return "server error"
    if rule.page and (not rule.bearer or role is None):
        # No page session with a bearer token: to sign-in, whoever asks (and with nothing).
        return None if status == 303 else f"a page must send to sign-in, got {status}"
    if rule.roles is None:
        return "public route refused" if status in (401, 403) else None
    if role is None:
        return None if status == 401 else "no credential must give 401"
    if role not in rule.roles:
        allowed = {403, 404} if rule.scoped else {403}
        return None if status in allowed else f"role outside the rule must give 403, got {status}"
    if rule.scoped and (not own or (rule.unit_owned and not owner)):
        return None if status == 404 else f"foreign object must give 404, got {status}"
    if missing and status == 404:
        return None
    if status in (401, 403) or (status == 404 and rule.scoped and role not in ("inspector",)):
        return f"allowed caller refused with {status}"
    return None


@pytest.fixture
def databases(pg_server: PgServer) -> dict[str, str]:
    return {
        name: in_thread(pg_server.create_database())
        for name in ("intake", "cases", "notify", "reporting")
    }


async def _seed(http: httpx.AsyncClient, urls: dict[str, str]) -> dict[str, str]:
    report = {
        "channel": "web",
        "county": OWN_COUNTY,
        "content": "驻村工作队员长期不在村里住，群众找不到人，请查处。",
    }
    accepted = (await http.post(f"{urls['intake']}/api/v1/reports", json=report)).json()
    city = _token("city-fpb", "city_office")

    async def opened() -> bool:
        return (await http.get(f"{urls['cases']}/api/v1/cases", headers=city)).json()["total"] == 1

    await eventually(opened, timeout=15)
    case = (await http.get(f"{urls['cases']}/api/v1/cases", headers=city)).json()["items"][0]
    own = _token(case["handling_unit"], "officer")

    async def noticed() -> bool:
        return (await http.get(f"{urls['notify']}/api/v1/inbox", headers=own)).json()["total"] >= 1

    await eventually(noticed, timeout=15)
    notice = (await http.get(f"{urls['notify']}/api/v1/inbox", headers=own)).json()["items"][0]
    return {
        "case_id": case["id"],
        "handling": case["handling_unit"],
        "tracking_code": accepted["tracking_code"],
        "token": "not-a-survey-token",  # the 回访 link's token: a bad one is 404 for all
        "request_id": accepted["report_id"],
        "notice_id": str(notice["id"]),
        "service_code": "18",
        "fmt": "csv",
        "alert_id": "no-such-alert",
        "subscription_id": "no-such-subscription",
        "task_id": "no-such-task",
        "inspection_id": "no-such-inspection",
        "letter_id": "00000000-0000-4000-8000-000000000000",  # a letter's id's shape
        "action": "note",
        "code": OWN_COUNTY,
        "unit_id": case["handling_unit"],
    }


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)


async def _sweep(
    http: httpx.AsyncClient, stack: Any, values: dict[str, str]
) -> tuple[int, list[str]]:
    units, failures, tried = _units(values["handling"]), [], 0
    # Roles that see everything (city office, auditor) have no foreign unit to try.
    callers = [(None, True)] + [
        (role, own)
        for role in ALL_ROLES
        for own in (True, False)
        if own or units[role][0] != units[role][1]
    ]
    for service, app in stack.apps.items():
        for method, path in _routes(app):
            rule = RULES.get((service, method, path))
            if rule is None:
                failures.append(f"{service} {method} {path}: no rule")
                continue
            for role, own in callers:
                headers = _token(units[role][0 if own else 1], role) if role else {}
                body = BODY if method in ("POST", "PUT") else None
                answer = await http.request(
                    method, stack.urls[service] + _fill(path, values), headers=headers, json=body
                )
                tried += 1
                owner = role is not None and units[role][0 if own else 1] == values["handling"]
                missing = any(name in path for name in MISSING)
                if why := _verdict(rule, role, own, answer.status_code, owner, missing):
                    who = f"{role or 'anonymous'}{'' if own else ' (foreign)'}"
                    failures.append(f"{service} {method} {path} as {who}: {why}")
                if rule.page and role is not None:  # the same caller with a page session
                    answer = await _as_page(http, stack, service, method, path, values,
                                            units[role][0 if own else 1], role)  # fmt: skip
                    tried += 1
                    if why := _page_verdict(rule, role, own, answer, owner, missing):
                        who = f"{role}{'' if own else ' (foreign)'} signed in"
                        failures.append(f"{service} {method} {path} as {who}: {why}")
    return tried, failures


async def _as_page(
    http: httpx.AsyncClient, stack: Any, service: str, method: str, path: str,
    values: dict[str, str], unit: str, role: str,
) -> httpx.Response:  # fmt: skip
    """The page asked with a session of `role` at `unit` (and its form token on a POST)."""
    app = stack.apps[service]
    token = await session_token(app, unit, role)
    claims = decode_session(app.state.websession.secret, token)
    assert claims is not None
    # A few fields only: forms read at most a handful (more is a 400 before anything else).
    form = {"csrf": csrf_token(app.state.websession.secret, claims.sid), "text": "核查"}
    return await http.request(
        method,
        stack.urls[service] + _fill(path, values),
        headers={"Cookie": f"{COOKIE}={token}"},
        data=form if method == "POST" else None,
        follow_redirects=False,
    )


def _page_verdict(
    rule: Rule, role: str, own: bool, answer: httpx.Response, owner: bool, missing: bool
) -> str | None:
    """A page with a session: the same roles and scope as its rule, never sign-in again."""
    status = answer.status_code
    if status >= 500:
        return "server error"
    if status in (301, 302, 303, 307) and "/signin" in answer.headers.get("location", ""):
        return "a live session was sent to sign-in"
    assert rule.roles is not None
    if role not in rule.roles:
        allowed = {403, 404} if rule.scoped else {403}
        return None if status in allowed else f"role outside the rule must give 403, got {status}"
    if rule.scoped and (not own or (rule.unit_owned and not owner)):
        return None if status == 404 else f"foreign object must give 404, got {status}"
    if missing and status == 404:
        return None
    if status in (401, 403) or (status == 404 and rule.scoped and role != "inspector"):
        return f"allowed caller refused with {status}"
    return None


async def test_every_route_every_role_own_and_foreign(
    tmp_path: Path, databases: dict[str, str]
) -> None:
    server = start_nats(tmp_path / "nats")
    try:
        async with (
            running_stack(server.url, databases, tmp_path / "var") as stack,
            httpx.AsyncClient(timeout=15) as http,
        ):
            tried, failures = await _sweep(http, stack, await _seed(http, stack.urls))
    finally:
        server.stop()
    print(f"authorization matrix: {tried} requests")
    assert tried > 300, "the route tables were not read"
    assert failures == [], "\n".join(failures)
