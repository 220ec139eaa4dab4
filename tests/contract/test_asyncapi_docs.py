"""The AsyncAPI documents as an integrator reads them: real subjects with the `{county}`
parameter declared, every consumed type named with its payload (no placeholder channels), NATS
bindings at their real version, a described operation everywhere, a configurable server.
(`make lint` runs the official validator on the same files.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from services.catalog import PORTS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _doc(service: str) -> dict[str, Any]:
    return json.loads((DOCS / f"asyncapi-{service}.json").read_text(encoding="utf-8"))


def _types(doc: dict[str, Any], action: str) -> set[str]:
    return {
        doc["channels"][op["channel"]["$ref"].rsplit("/", 1)[-1]]["title"]
        for op in doc["operations"].values()
        if op["action"] == action
    }


@pytest.mark.parametrize("service", sorted(PORTS))
def test_channels_declare_their_parameters_and_operations_say_what_they_do(service: str) -> None:
    doc = _doc(service)
    assert "NeverCalled" not in json.dumps(doc) and "EmptyPayload" not in json.dumps(doc)
    for name, channel in doc["channels"].items():
        wanted = set(re.findall(r"{(\w+)}", channel["address"] or ""))
        assert wanted == set(channel.get("parameters", {})), name
    for name, operation in doc["operations"].items():
        assert operation["description"].strip(), name
        assert operation["bindings"]["nats"]["bindingVersion"] == "0.1.0", name
    (server,) = doc["servers"].values()
    assert server["host"] == "{host}" and "ZUOFENG_NATS_URL" in server["description"]
    assert server["variables"]["host"]["default"]


def test_consumers_document_the_real_types_and_payloads() -> None:
    intake, notify, reporting, cases = (_doc(s) for s in ("intake", "notify", "reporting", "cases"))
    assert "case.exposed" in _types(intake, "receive")
    assert {"report.received", "case.concluded", "case.exposed"} <= _types(notify, "receive")
    assert {"report.received", "case.closed"} <= _types(reporting, "receive")
    assert _types(cases, "receive") == {
        "report.received",
        "report.review_requested",
        "report.re_review_requested",
        "report.feedback_given",
    }
    assert {"alert.frequent_problems", "alert.decided"} <= _types(reporting, "send")
    payload = notify["components"]["messages"]["CaseConcluded"]["payload"]["$ref"]
    envelope = notify["components"]["schemas"][payload.rsplit("/", 1)[-1]]
    assert envelope["properties"]["type"]["const"] == "case.concluded"
    assert envelope["properties"]["data"]["$ref"] == "#/components/schemas/CaseConcluded"


def test_intake_documents_the_submission_with_its_request_and_answer() -> None:
    intake = _doc("intake")
    channel = intake["channels"]["intake.submit"]
    assert channel["address"] == "zuofeng.v1.{county}.intake.submit"
    operation = intake["operations"]["receive.intake.submit"]
    assert operation["bindings"]["nats"]["queue"] == "intake"
    request = intake["components"]["messages"]["SubmitReport"]["payload"]
    name = request["$ref"].rsplit("/", 1)[-1]
    assert {"content", "channel"} <= set(intake["components"]["schemas"][name]["properties"])
