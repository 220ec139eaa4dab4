"""`docs/schemas/`: one JSON Schema (draft 2020-12) per event type and schema version, the
envelope with that type's payload as `data`, generated from the pydantic models by
`zuofeng docs` so integrators validate what they receive without reading Python. The AsyncAPI
documents embed the same schemas; tests/contract/test_event_schemas.py guards them against
breaking changes and tests/contract/test_published_schemas.py keeps the files current."""

from __future__ import annotations

import json
from pathlib import Path

from shared.events import REGISTRY, envelope_model

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def event_schemas() -> dict[str, str]:
    """{file name: content}, e.g. `case.opened.v1.json`; deterministic."""
    files = {}
    for event_type, version in sorted(REGISTRY):
        schema = envelope_model(REGISTRY[(event_type, version)]).model_json_schema(
            mode="serialization"
        )
        document = {"$schema": DRAFT, "$id": f"{event_type}.v{version}.json", **schema}
        text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        files[f"{event_type}.v{version}.json"] = text
    return files


def write_event_schemas(out: Path) -> list[Path]:
    """Write every schema under `out`, dropping files of types no longer registered."""
    out.mkdir(parents=True, exist_ok=True)
    files = event_schemas()
    for stale in out.glob("*.json"):
        if stale.name not in files:
            stale.unlink()
    written = []
    for name, content in files.items():
        (out / name).write_text(content, encoding="utf-8")
        written.append(out / name)
    return written
