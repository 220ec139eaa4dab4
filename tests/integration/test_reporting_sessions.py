"""The dashboard on the officials' shared page session (issue 17): pages that need a reader send
the signed-out to sign-in (never raw JSON); a session opened anywhere lets them in until it is
ended; a token planted as the cookie is no session; API callers keep the Authorization header;
HSTS in production."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.reporting.settings import ReportingSettings
from shared.websession import COOKIE, decode_session
from tests.factories import SAFE_PRODUCTION
from tests.integration.test_reporting_harness import SECRET, service, token
from tests.officials_desk import signed_in

pytestmark = pytest.mark.integration


async def test_pages_use_the_shared_session(database_url: str, tmp_path: Path) -> None:
    async with service(database_url, tmp_path) as svc:
        http, settings = svc.http, svc.app.state.context.settings
        for path in (
            "/dashboard/alerts",
            "/dashboard/county/371402",
            "/dashboard/unit/371402-fpb",
            "/dashboard/alerts/x",
        ):
            away = await http.get(path)
            assert away.status_code == 303, path
            assert away.headers["location"].startswith("/signin?next=%2F")
        public = await http.get("/dashboard")
        assert public.status_code == 200 and 'href="/signin?next=%2Fdashboard"' in public.text
        city = await signed_in(svc.js, settings, "city-fpb", "city_office")
        page = await http.get("/dashboard/alerts", headers=city.headers)
        assert page.status_code == 200 and f'value="{city.csrf}"' in page.text
        assert 'action="/signout"' in page.text  # signing out is the sign-in service's
        # A token planted as the cookie is no session.
        planted = {"Cookie": f"{COOKIE}={token()['Authorization'].split(' ', 1)[1]}"}
        assert (await http.get("/dashboard/alerts", headers=planted)).status_code == 303
        # Ended (signed out anywhere): the cookie no longer signs anyone in.
        sessions = svc.app.state.websession
        ended = decode_session(sessions.secret, city.cookie)
        assert ended is not None
        await sessions.store.end(ended.sid)
        assert (await http.get("/dashboard/alerts", headers=city.headers)).status_code == 303
        # API callers and scripts keep the Authorization header; a bad one is 401, not a page.
        assert (await http.get("/dashboard/alerts", headers=token())).status_code == 200
        bad = await http.get("/dashboard/alerts", headers={"Authorization": "Bearer nonsense"})
        assert bad.status_code == 401
        clerk = await signed_in(svc.js, settings, "371402-fpb", "clerk")
        assert (await http.get("/dashboard/alerts", headers=clerk.headers)).status_code == 403


async def test_production_sends_hsts(database_url: str, tmp_path: Path) -> None:
    production = {k: v for k, v in SAFE_PRODUCTION.items() if k != "jwt_secret"}
    async with service(database_url, tmp_path, **production) as svc:
        for path in ("/", "/healthz", "/api/v1/exposures"):
            answer = await svc.http.get(path)
            assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
    async with service(database_url, tmp_path / "local") as svc:
        assert "strict-transport-security" not in (await svc.http.get("/dashboard")).headers


def test_production_refuses_cookies_without_secure(tmp_path: Path) -> None:
    values = {**SAFE_PRODUCTION, "var_dir": tmp_path, "jwt_secret": SECRET}
    with pytest.raises(ValueError, match="ZUOFENG_REPORTING_COOKIE_SECURE"):
        ReportingSettings(**values, cookie_secure=False)
    assert ReportingSettings(**values).cookie_secure is None  # unset: Secure all the same
