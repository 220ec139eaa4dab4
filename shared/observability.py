"""Structured logs, health and readiness, and Prometheus metrics for every service.

Logs carry event id, case id and county as fields, never personal data. `/readyz` answers 200
only when the broker really is connected and the database answers.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from faststream.nats import NatsBroker
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from starlette.types import Scope

from shared.db import Database

# Ids and labels a line may carry (as `extra=`); never personal data or tracking codes.
FIELDS = ("event_id", "case_id", "report_id", "county", "consumer", "delivered")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, service, and the ids the line
    concerns (FIELDS) when it has them."""

    def __init__(self, service: str = "") -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": getattr(record, "service", self.service),
        }
        entry.update({key: getattr(record, key) for key in FIELDS if hasattr(record, key)})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a person at a terminal: the same line, its ids as `key=value` after the message."""

    def __init__(self, service: str = "") -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{k}={getattr(record, k)}" for k in FIELDS if hasattr(record, k))
        return f"{line} [{self.service}{' ' + ids if ids else ''}]" if self.service else line


def configure_logging(level: str = "INFO", fmt: str = "json", service: str = "") -> None:
    """Every logger (uvicorn's too: it runs with `log_config=None`) through one stderr handler,
    JSON lines (`fmt="json"`) or text."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(service) if fmt == "json" else TextFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def broker_connected(broker: NatsBroker) -> bool:
    # FastStream keeps serving HTTP when its start failed: ask the connection itself.
    connection = getattr(broker, "_connection", None)
    return bool(connection is not None and connection.is_connected)


def health_router(broker: NatsBroker, db: Database, registry: CollectorRegistry) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        checks = {"broker": broker_connected(broker), "database": await db.ping()}
        code = 200 if all(checks.values()) else 503
        return JSONResponse({"ready": code == 200, "checks": checks}, status_code=code)

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


class RequestLatency:
    """Request latency by route template (not raw path: ids would explode the label set),
    observed when the response starts. Called by the edge middleware (shared.headers) rather
    than being a layer of its own: `@app.middleware("http")` (BaseHTTPMiddleware) spawned a
    task group and memory streams per request, and even a pure ASGI layer costs a wrapper of
    `send` per message."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.latency = Histogram(
            "zuofeng_http_request_duration_seconds",
            "HTTP request latency",
            ["service", "method", "route", "status"],
            registry=registry,
        )
        self.service = service
        # labels() validates and locks on every call: its children, once per label set (a
        # bounded set: methods x route templates x statuses).
        self._children: dict[tuple[str, str, int], Histogram] = {}

    def __call__(self, scope: Scope, status: int, started: float) -> None:
        # Routing has filled the (shared) scope by now: the template, not the raw path.
        key = (scope["method"], getattr(scope.get("route"), "path", "unmatched"), status)
        child = self._children.get(key)
        if child is None:
            child = self.latency.labels(self.service, key[0], key[1], str(status))
            self._children[key] = child
        child.observe(time.perf_counter() - started)
