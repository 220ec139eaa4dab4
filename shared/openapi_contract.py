"""The OpenAPI document as integrators' tools read it, refined in one place for every service
(`install(app)` in each create_app): the credentials each operation takes, every status it can
answer with the body it has, and the media types that are not JSON.

FastAPI documents 2xx and its own 422 only, and no credentials (ours are read by
`shared.auth.optional_principal`, not FastAPI's security classes), so generated clients sent
none and validators flagged every 401/403/404. This post-processing reads each route's
dependencies: `required_principal` means a credential is needed, `optional_principal` that one
is taken when given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, routing

from shared import api_docs
from shared.auth.dependencies import optional_principal, required_principal

BEARER, API_KEY = "bearerAuth", "apiKeyAuth"
SCHEMES = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A JWT from the identity provider (or `zuofeng token`).",
    },
    API_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "An integrator's or channel's key (`zuofeng apikey`).",
    },
}
FIELD_PROBLEM = {
    "type": "object",
    "required": ["loc", "type", "msg"],
    "properties": {
        "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
        "type": {"type": "string"},
        "msg": {"type": "string"},
    },
}
# shared.errors.Refusal as shared.http_errors renders it: the reason, or the fields at fault.
SCHEMAS = {
    "Refusal": {
        "type": "object",
        "required": ["detail"],
        "properties": {
            "detail": {
                "anyOf": [
                    {"type": "string"},
                    {"type": "array", "items": {"$ref": "#/components/schemas/FieldProblem"}},
                ],
            }
        },
        "description": "Why the request was refused, zh-CN unless `Accept-Language: en`.",
    },
    "FieldProblem": FIELD_PROBLEM,
    "Readiness": {
        "type": "object",
        "required": ["ready", "checks"],
        "properties": {
            "ready": {"type": "boolean"},
            "checks": {"type": "object", "additionalProperties": {"type": "boolean"}},
        },
    },
    "InvalidInput": {
        "type": "object",
        "required": ["detail"],
        "properties": {
            "detail": {"type": "array", "items": {"$ref": "#/components/schemas/FieldProblem"}}
        },
        "description": "Each field at fault (`loc`), zh-CN unless `Accept-Language: en`.",
    },
    # GeoReport v2's error list, the shape of every refusal under /open311/.
    "Open311Errors": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        },
    },
}
WHY = {
    "400": "Bad request (GeoReport's error list)",
    "401": "No valid credential",
    "403": "The caller's role or unit may not do this",
    "404": "Not found (or not the caller's to see)",
    "409": "Conflicts with the current state",
    "413": "The body is too large",
    "422": "Invalid input",
    "429": "Too many requests: retry after `Retry-After` seconds",
    "503": "Not ready: the database or the bus is unavailable; retry later",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = {"schema": {"type": "string"}}
# The operations routes (shared.observability) answer without the database, but /readyz.
OPERATIONS = ("/healthz", "/readyz", "/metrics")
WRITES = {"post", "put", "patch", "delete"}


def _calls(dependant: Any) -> set[Callable[..., Any]]:
    found = set()
    for sub in dependant.dependencies:
        found.add(sub.call)
        found |= _calls(sub)
    return found


def _credentials(app: FastAPI) -> dict[tuple[str, str], str]:
    """{(path, method): "required" | "optional"} for operations that read a credential."""
    out = {}
    for context in routing.iter_route_contexts(app.routes):
        if not isinstance(context.original_route, routing.APIRoute):
            continue
        calls = _calls(context.dependant)
        kind = "required" if required_principal in calls else "optional"
        if required_principal in calls or optional_principal in calls:
            for method in context.methods or ():
                out[(str(context.path_format), method.lower())] = kind
    return out


def _answer(path: str, code: str) -> dict[str, Any]:
    name = "Open311Errors" if path.startswith("/open311/") else "Refusal"
    if code == "422":  # FastAPI's own validation, before any route (Open311's included)
        name = "InvalidInput"
    content: dict[str, Any] = {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
    }
    if path.startswith("/open311/") and path.endswith(".xml"):
        # GeoReport's .xml routes refuse in XML (<errors>) like they answer; what the shared
        # middleware refuses first (429, 503) stays JSON.
        content = {"text/xml": TEXT, **content}
    return {"description": WHY[code], "content": content}


def _statuses(path: str, method: str, op: dict[str, Any], auth: str | None) -> list[str]:
    """The refusals this operation can give."""
    codes = [] if path in OPERATIONS else ["503"]  # the rest read the database or the bus
    if op.get("parameters") or "requestBody" in op:
        codes.append("422")
    if auth:
        codes.append("401")  # a bad credential, even where none is needed
    if auth == "required":
        codes.append("403")
    if "{" in path or auth == "required":
        codes.append("404")  # a path's thing unknown, or outside the caller's scope
    if method in WRITES and auth:
        codes.append("409")
    if "requestBody" in op:
        codes.append("413")
    if path.startswith("/open311/"):
        codes += ["400", "404"]  # the route's own checks, in GeoReport's shape
    return sorted(set(codes))


def _media(path: str, op: dict[str, Any]) -> None:
    """What is not JSON: the Prometheus text, the CSV and XLSX exports."""
    ok = op["responses"].get("200")
    if ok is None:
        return
    if path == "/readyz":
        ready = {"application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}}}
        ok["content"] = ready
        op["responses"]["503"] = {"description": "Not ready (see `checks`)", "content": ready}
    elif path == "/metrics":
        ok["content"] = {"text/plain": TEXT}
    elif path.startswith("/open311/") and path.endswith(".xml"):
        ok["content"] = {"text/xml": TEXT}
    elif path.startswith("/api/v1/export/"):
        ok["content"] = {
            "text/csv": TEXT,
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        }


def refine(
    doc: dict[str, Any], credentials: dict[tuple[str, str], str], throttled: tuple[str, ...]
) -> dict[str, Any]:
    """The document refined in place (idempotent: FastAPI caches and returns the same dict)."""
    doc["servers"] = [{"url": "/", "description": "this service, where this document is"}]
    components = doc.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SCHEMES)
    components.setdefault("schemas", {}).update(SCHEMAS)
    for name in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(name, None)
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            auth = credentials.get((path, method))
            if auth == "required":
                op["security"] = [{BEARER: []}, {API_KEY: []}]
            elif auth == "optional":
                op["security"] = [{}, {BEARER: []}, {API_KEY: []}]
            else:
                op["security"] = []  # public, said so
            codes = _statuses(path, method, op, auth)
            if path.startswith(throttled):
                codes.append("429")
            for code in codes:
                op["responses"][code] = _answer(path, code)
            _media(path, op)
    return doc


def install(app: FastAPI, *, throttled: tuple[str, ...] = ()) -> None:
    """Refine `app.openapi()` and serve /docs and /redoc offline (shared.api_docs);
    `throttled`: path prefixes that answer 429 over their allowance."""
    api_docs.install(app)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        return refine(build(), _credentials(app), throttled)

    app.openapi = openapi  # type: ignore[method-assign]
