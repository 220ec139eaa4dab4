"""Driving cases through their life over the JSON API, for the tests that need many cases in
every state (reporting's stack test, the live Prometheus and log tests): each caller passes its
own token maker, since each stack signs with its own secret."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx

EXPOSURE = "某村驻村工作队员长期不在村，经查属实，已责令整改并在全市通报。"
Tokens = Callable[[str, str], dict[str, str]]


async def act(
    http: httpx.AsyncClient, base: str, case: dict[str, Any], action: str, who: Any,
    body: Any = None,
) -> None:  # fmt: skip
    answer = await http.post(f"{base}/api/v1/cases/{case['id']}/{action}", json=body, headers=who)
    assert answer.status_code == 200, (action, answer.text)


async def drive(
    http: httpx.AsyncClient, base: str, case: dict[str, Any], path: int, token: Tokens
) -> None:
    """0: substantiated, rectified, verified, exposed, closed · 1: rejected · 2: unfounded."""
    officer, city = token(case["handling_unit"], "officer"), token("city-fpb", "city_office")
    if path == 1:
        await act(http, base, case, "reject", officer, {"reason": "不属于本单位受理范围"})
        return
    await act(http, base, case, "accept", officer)
    await act(http, base, case, "start-investigation", officer)
    finding = "substantiated" if path == 0 else "unsubstantiated"
    await act(http, base, case, "conclude", officer, {"finding": finding, "summary": "已核查。"})
    if path == 2:
        await act(http, base, case, "close", officer)
        return
    due = (date.today() + timedelta(days=30)).isoformat()
    await act(http, base, case, "require-rectification", officer, {"due": due, "measures": "整改"})
    await act(http, base, case, "submit-rectification", officer, {"evidence": "已整改到位"})
    await act(http, base, case, "verify-rectification", city)
    await act(http, base, case, "propose-exposure", officer, {"text": EXPOSURE})
    await act(http, base, case, "approve-exposure", city)
    await act(http, base, case, "close", officer)
