"""`zuofeng docs`: the AsyncAPI of every service (from FastStream) and the OpenAPI of every
HTTP API, written to `docs/` so integrators read them without running anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faststream.specification import AsyncAPI

from services.asyncapi import asyncapi_document
from services.catalog import PORTS, app_factory, settings_of
from services.event_schemas import write_event_schemas


def docs_app(service: str) -> Any:
    """The service's app as built for documents: nothing connects, nothing is read from var/."""
    settings = settings_of(
        service,
        var_dir=Path("/nonexistent/zuofeng-docs"),
        jwt_secret="docs-only",
        database_url="sqlite+aiosqlite://",
    )
    return app_factory(service)(settings, for_docs=True)


def render(service: str) -> dict[str, str]:
    """{file name: content} for one service; deterministic so a test can spot stale docs."""
    app = docs_app(service)
    runtime = app.state.runtime
    spec = AsyncAPI(
        runtime.broker,
        title=f"Zuofeng {service} events",
        version="1",
        description=app.description,
        schema_version="3.0.0",
    ).to_specification()
    return {
        f"asyncapi-{service}.json": _dump(asyncapi_document(service, app, spec.to_jsonable())),
        f"openapi-{service}.json": _dump(app.openapi()),
    }


def _dump(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_docs(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for service in PORTS:
        for name, content in render(service).items():
            path = out / name
            path.write_text(content, encoding="utf-8")
            written.append(path)
    written += write_event_schemas(out / "schemas")
    return written
