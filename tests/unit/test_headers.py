"""Security headers on APIs and pages."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from shared.headers import SecurityHeaders


def test_headers_on_json_and_a_policy_on_pages() -> None:
    app = FastAPI()
    app.add_middleware(SecurityHeaders)

    @app.get("/api")
    async def api() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/page", response_class=HTMLResponse)
    async def page() -> str:
        return "<p>看板</p>"

    client = TestClient(app)
    api_answer, page_answer = client.get("/api"), client.get("/page")
    for answer in (api_answer, page_answer):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" not in api_answer.headers
    assert "script-src 'self'" in page_answer.headers["content-security-policy"]


def test_hsts_only_when_asked_for() -> None:
    def answer(hsts: bool) -> dict[str, str]:
        app = FastAPI()
        app.add_middleware(SecurityHeaders, hsts=hsts)

        @app.get("/api")
        async def api() -> dict[str, str]:
            return {"ok": "yes"}

        return dict(TestClient(app).get("/api").headers)

    assert answer(True)["strict-transport-security"].startswith("max-age=31536000")
    assert "strict-transport-security" not in answer(False)


def test_a_header_the_answer_set_is_kept_and_the_answer_is_timed_by_template() -> None:
    told: list[tuple[str, int]] = []
    app = FastAPI()
    app.add_middleware(
        SecurityHeaders,
        on_start=lambda scope, status, started: told.append((scope["route"].path, status)),
    )

    @app.get("/items/{item}", response_class=HTMLResponse)
    async def item(item: str) -> HTMLResponse:
        return HTMLResponse("<p>x</p>", headers={"X-Frame-Options": "SAMEORIGIN"})

    answer = TestClient(app).get("/items/42")
    assert answer.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert told == [("/items/{item}", 200)]
