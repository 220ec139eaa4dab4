"""The inbox pages over HTTP in-process (real notify, NATS, database): a unit's notices unread
first and paged, marked read one by one or all at once by form (with the session's token), the
same rows as the JSON inbox; other units and roles without an inbox see nothing; preferences
shown read-only from the contacts file."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from nats.js import JetStreamContext

from services.notify.settings import NotifySettings
from tests.integration.busutil import eventually
from tests.integration.notify_harness import (
    bus,
    case_event,
    new_case_id,
    notify_settings,
    publish,
    running_notify,
    token_header,
)
from tests.officials_desk import Signed, signed_in

pytestmark = pytest.mark.integration
__all__ = ["bus"]
OWN, OTHER = "371402-fpb", "371403-fpb"


def notice_ids(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-testid="notice-(\d+)" data-read="(yes|no)"', html)


async def _three_notices(http: httpx.AsyncClient, js: JetStreamContext) -> None:
    for _ in range(3):
        await publish(js, case_event("case.opened", new_case_id(), None, 1))
    officer = token_header(OWN, "officer")

    async def noticed() -> bool:
        return (await http.get("/api/v1/inbox", headers=officer)).json()["total"] == 3

    await eventually(noticed)


async def test_the_inbox_page(
    database_url: str, tmp_path: Path, bus: tuple[str, JetStreamContext]
) -> None:
    url, js = bus
    settings = notify_settings(url, database_url, tmp_path / "var", 9, smtp_host=None)
    async with running_notify(settings, js) as (_app, http):
        signed_out = await http.get("/inbox")
        assert signed_out.status_code == 303 and signed_out.headers["location"].startswith(
            "/signin?next=%2Finbox"
        )
        await _three_notices(http, js)
        officer = await signed_in(js, settings, OWN, "officer")
        await _paged_and_marked(http, officer)
        await _others_see_nothing(http, js, settings)
        await _forged_forms_change_nothing(http, officer, js, settings)
        await _mark_all(http, officer)
        prefs = await http.get("/inbox/preferences", headers=officer.headers)
        assert prefs.status_code == 200 and "fpb-371402@units.test" in prefs.text
        assert "13900000000" in prefs.text and "只能查看" in prefs.text
        assert "（本系统未启用此渠道）" in prefs.text  # SMTP is off in this test
        assert "<form" not in prefs.text.split("<main", 1)[1]  # read-only


async def _paged_and_marked(http: httpx.AsyncClient, officer: Signed) -> None:
    first = await http.get("/inbox?size=2", headers=officer.headers)
    assert first.status_code == 200, first.text
    assert "共 3 条，未读 3 条" in first.text and 'aria-current="page"' in first.text
    shown = notice_ids(first.text)
    assert len(shown) == 2 and 'rel="next"' in first.text
    oldest = notice_ids((await http.get("/inbox?size=2&page=2", headers=officer.headers)).text)
    assert len(oldest) == 1
    # Mark the oldest read: it then sorts after the unread ones, and the JSON inbox agrees.
    form = {"csrf": officer.csrf, "notice": oldest[0][0], "page": "2"}
    marked = await http.post("/inbox/read", data=form, headers=officer.headers)
    assert marked.status_code == 303 and marked.headers["location"] == "/inbox?page=2"
    after = notice_ids((await http.get("/inbox", headers=officer.headers)).text)
    assert [read for _, read in after] == ["no", "no", "yes"] and after[2][0] == oldest[0][0]
    items = (await http.get("/api/v1/inbox", headers=token_header(OWN, "officer"))).json()
    assert {str(i["id"]): i["read"] for i in items["items"]}[oldest[0][0]] is True
    english = await http.get("/inbox?lang=en", headers=officer.headers)
    assert "3 notices, 2 unread" in english.text and "[New case]" in english.text


async def _others_see_nothing(
    http: httpx.AsyncClient, js: JetStreamContext, settings: NotifySettings
) -> None:
    other = await signed_in(js, settings, OTHER, "officer")
    page = await http.get("/inbox", headers=other.headers)
    assert page.status_code == 200 and "共 0 条，未读 0 条" in page.text
    assert notice_ids(page.text) == []
    mine = (await http.get("/api/v1/inbox", headers=token_header(OWN, "officer"))).json()
    unread = [str(i["id"]) for i in mine["items"] if not i["read"]]
    form = {"csrf": other.csrf, "notice": unread[0]}
    refused = await http.post("/inbox/read", data=form, headers=other.headers)
    assert refused.status_code == 404 and "没有这条通知" in refused.text
    everything = await http.post(
        "/inbox/read", data={"csrf": other.csrf, "all": "1"}, headers=other.headers
    )
    assert everything.status_code == 303
    for role in ("clerk", "auditor"):
        nobody = await signed_in(js, settings, OWN, role)
        for path in ("/inbox", "/inbox/preferences"):
            answer = await http.get(path, headers=nobody.headers)
            assert answer.status_code == 403 and "没有通知收件箱" in answer.text
            assert 'data-testid="notice-' not in answer.text
        form = {"csrf": nobody.csrf, "all": "1"}
        assert (
            await http.post("/inbox/read", data=form, headers=nobody.headers)
        ).status_code == 403
    still = (await http.get("/api/v1/inbox", headers=token_header(OWN, "officer"))).json()
    assert sum(not i["read"] for i in still["items"]) == 2


async def _forged_forms_change_nothing(
    http: httpx.AsyncClient, officer: Signed, js: JetStreamContext, settings: NotifySettings
) -> None:
    colleague = await signed_in(js, settings, OWN, "officer")
    for csrf in ("", colleague.csrf):
        form = {"csrf": csrf, "all": "1"}
        answer = await http.post("/inbox/read", data=form, headers=officer.headers)
        assert answer.status_code == 403 and "表单已过期" in answer.text
    page = await http.get("/inbox", headers=officer.headers)
    assert "未读 2 条" in page.text


async def _mark_all(http: httpx.AsyncClient, officer: Signed) -> None:
    form = {"csrf": officer.csrf, "all": "1", "lang": "en"}
    answer = await http.post("/inbox/read", data=form, headers=officer.headers)
    assert answer.status_code == 303 and answer.headers["location"] == "/inbox?marked=2&lang=en"
    page = await http.get(answer.headers["location"], headers=officer.headers)
    assert "3 notices, 0 unread" in page.text and "2 notices marked read." in page.text
    assert [read for _, read in notice_ids(page.text)] == ["yes", "yes", "yes"]
