"""docs/schemas/ holds exactly the JSON Schema of every registered event type and version, as
`zuofeng docs` writes them, and each validates the envelopes the code builds."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from services.event_schemas import event_schemas
from shared.events import make_event
from shared.events.reporting import AlertDecided

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def test_published_schemas_are_current() -> None:
    expected = event_schemas()
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in SCHEMAS.glob("*.json")}
    assert sorted(on_disk) == sorted(expected), "run `zuofeng docs` and commit docs/schemas"
    stale = [
        name for name, text in expected.items() if json.loads(on_disk[name]) != json.loads(text)
    ]
    assert stale == [], f"run `zuofeng docs` and commit: {stale}"


def test_a_published_schema_accepts_a_real_event_and_refuses_a_wrong_one() -> None:
    schema = json.loads((SCHEMAS / "alert.decided.v1.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    payload = AlertDecided(
        alert_id="a1",
        scope="unit",
        key="u1",
        decision="interview",
        target="unit",
        decided_at="2026-01-02T03:04:05Z",
        decided_unit="u9",
    )
    event = make_event(
        payload, county="371402", aggregate_id="a1", sequence=1, producer="reporting"
    )
    document = json.loads(event.to_bytes())
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(document)) == []
    wrong = {**document, "data": {**document["data"], "decision": "praise"}}
    assert list(validator.iter_errors(wrong)) != []
