"""One refusal shape on every service (issue 19): dates only as ISO dates, a body that cannot
be parsed is the same zh-CN-first 422 everywhere, the framework's own 404 speaks like ours.
On the apps as built for documents: these answers come before any database is read."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.docs import docs_app
from services.reporting.params import offset_of
from shared.auth import issue_token
from shared.errors import Refusal

SERVICES = ("intake", "cases", "notify", "reporting")
# A body route of each service and the role it accepts.
BODY_ROUTES = {
    "intake": ("/api/v1/reports", "clerk", "371402-xfb"),
    "cases": ("/api/v1/cases/x/note", "city_office", "city-fpb"),
    "notify": ("/api/v1/webhooks", "integrator", "city-fpb"),
    "reporting": ("/api/v1/alerts/x/decision", "city_office", "city-fpb"),
}


def client(service: str) -> TestClient:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TestClient(docs_app(service), raise_server_exceptions=False)


def auth(role: str = "city_office", unit: str = "city-fpb", **extra: str) -> dict[str, str]:
    token = issue_token("docs-only", unit=unit, role=role, sub="t", ttl=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}", **extra}


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("cases", "/api/v1/cases"),
        ("reporting", "/api/v1/stats"),
        ("reporting", "/api/v1/export/cases.csv"),
    ],
)
@pytest.mark.parametrize(
    ("name", "value"), [("to", "0"), ("from", ""), ("from", "2025-03-05T00:00")]
)
def test_dates_are_iso_dates_only(service: str, path: str, name: str, value: str) -> None:
    answer = client(service).get(f"{path}?{name}={value}", headers=auth())
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"] == [
        {"loc": ["query", name], "type": "date_parsing", "msg": "应为日期（YYYY-MM-DD）"}
    ]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe"])
def test_an_unparseable_body_is_the_same_422_everywhere(service: str, body: bytes) -> None:
    path, role, unit = BODY_ROUTES[service]
    headers = auth(role, unit, **{"content-type": "application/json"})
    answer = client(service).post(path, content=body, headers=headers)
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["detail"]
    assert (problem["loc"][0], problem["type"]) == ("body", "json_invalid")
    assert problem["msg"] == "请求体不是有效的 JSON"


def test_a_form_that_cannot_be_parsed_is_422_not_english_400() -> None:
    headers = auth("clerk", "371402-xfb", **{"content-type": "multipart/form-data"})
    answer = client("intake").post("/api/v1/reports/import", content=b"zz", headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["msg"] == "请求体无法解析"


@pytest.mark.parametrize("service", SERVICES)
def test_the_frameworks_own_answers_speak_zh_cn_first(service: str) -> None:
    http = client(service)
    found: Any = http.get("/api/v1/no-such-thing").json()
    assert found == {"detail": "未找到"}
    english = http.get("/api/v1/no-such-thing", headers={"Accept-Language": "en"}).json()
    assert english == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        # POST only, as the document says: not GET through /api/v1/reports/{tracking_code}.
        ("/api/v1/reports/import", "POST"),
        ("/api/v1/reports/ABCD2345", "GET"),
        ("/open311/v2/requests", "GET, POST"),
        ("/open311/v2/requests.json", "GET, POST"),
        ("/api/v1/reports", "POST"),
    ],
)
def test_options_and_405_name_every_route_at_the_path(path: str, allow: str) -> None:
    http = client("intake")
    asked = http.options(path)
    assert (asked.status_code, asked.headers["allow"]) == (204, allow)
    wrong = http.put(path)
    assert (wrong.status_code, wrong.headers["allow"]) == (405, allow)


@pytest.mark.parametrize("cursor", ["²", "", "12a", "1234567890"])
def test_reporting_cursors_are_ascii_offsets(cursor: str) -> None:
    """ "²" passed `str.isdigit` and failed `int` (a 500); the pattern is in the document too."""
    http = client("reporting")
    for path in ("/api/v1/exposures", "/api/v1/alerts"):
        answer = http.get(path, params={"cursor": cursor}, headers=auth())
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["detail"][0]["loc"] == ["query", "cursor"]
    with pytest.raises(Refusal):
        offset_of("²")
