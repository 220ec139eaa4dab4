"""The services' logs under `ZUOFENG_LOG_FORMAT=json` (production's default): the four services as
`make run` starts them, a little load (reports, cases driven, notices), then every line of every
service's log is one JSON object with time, level, logger, message and service; each report,
case and case event is named by its ids on the lines that concern it; and no reporter's name,
phone, email, tracking code or report text appears anywhere."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from shared.observability import configure_logging
from tests.e2e.live_stack import EMAIL, NAME, PHONE, load, started
from tests.pg import PgServer, in_thread
from tests.procstack import SERVICES

pytestmark = pytest.mark.e2e
KEYS = {"time", "level", "logger", "message", "service"}


def _lines(base: Path, service: str) -> list[dict[str, Any]]:
    out = []
    for raw in (base / f"{service}.log").read_text().splitlines():
        if raw.strip():
            try:
                entry = json.loads(raw)  # every line: one JSON object, nothing else
            except json.JSONDecodeError:
                raise AssertionError(f"{service}: not a JSON line: {raw}") from None
            assert isinstance(entry, dict) and set(entry) >= KEYS, raw
            assert entry["service"] == service, raw
            out.append(entry)
    return out


def test_every_line_is_json_with_ids_and_no_personal_data(
    pg_server: PgServer, tmp_path: Path
) -> None:
    databases = {name: in_thread(pg_server.create_database()) for name in SERVICES}
    env = {"ZUOFENG_LOG_FORMAT": "json", "ZUOFENG_LOG_LEVEL": "INFO"}
    with started(tmp_path, databases, env) as stack:
        made = asyncio.run(load(stack))
        lines = {service: _lines(tmp_path, service) for service in SERVICES}
        # Notify tells of the driven cases' later events too: wait for the last ones' lines.
        told: dict[str, set[str]] = defaultdict(set)
        for _ in range(60):
            told = defaultdict(set)
            for entry in _lines(tmp_path, "notify"):
                if entry["message"].startswith("case event told"):
                    told[entry["case_id"]].add(entry["event_id"])
            if set(told) >= set(made["cases"]):
                break
            asyncio.run(asyncio.sleep(0.5))
    lines = {service: _lines(tmp_path, service) for service in SERVICES}

    accepted = {e["report_id"] for e in lines["intake"] if e["message"].startswith("report ac")}
    assert accepted == set(made["reports"])
    opened = [e for e in lines["cases"] if e["message"] == "case opened"]
    assert {e["case_id"] for e in opened} == set(made["cases"])
    assert {e["report_id"] for e in opened} == set(made["reports"])
    assert all(len(e["event_id"]) == 36 and e["county"] for e in opened)
    assert set(told) == set(made["cases"])

    secrets = [NAME, PHONE, EMAIL, "驻村工作队员", *made["tracking"]]
    for service in SERVICES:
        text = (tmp_path / f"{service}.log").read_text()
        assert not [s for s in secrets if s in text], service


def test_text_format_names_the_service_and_ids(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    configure_logging("INFO", "text", "cases")
    try:
        logging.getLogger("zuofeng.cases").info("case opened", extra={"case_id": "c-1"})
        err = capsys.readouterr().err
    finally:
        configure_logging("WARNING", "json")
    assert "INFO zuofeng.cases: case opened [cases case_id=c-1]" in err
    with pytest.raises(json.JSONDecodeError):
        json.loads(err.splitlines()[-1])
