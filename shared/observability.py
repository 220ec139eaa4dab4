"""Structured logs, health and readiness, and Prometheus metrics for every service.

Logs carry event id, case id and county as fields, never personal data. `/readyz` answers 200
only when the broker really is connected and the database answers.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from faststream.nats import NatsBroker
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class _RequestLatency:
    """Pure ASGI: `@app.middleware("http")` (BaseHTTPMiddleware) spawns a task group and
    memory streams per request, about a fifth of a small request's CPU."""

    def __init__(self, app: ASGIApp, latency: Histogram, service: str) -> None:
        self.app, self.latency, self.service = app, latency, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Routing has filled the (shared) scope by now: the template, not the raw path.
                template = getattr(scope.get("route"), "path", "unmatched")
                self.latency.labels(
                    self.service, scope["method"], template, str(message["status"])
                ).observe(time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, timed_send)


def add_http_metrics(app: FastAPI, registry: CollectorRegistry, service: str) -> None:
    """Request latency by route template (not raw path: ids would explode the label set)."""
    latency = Histogram(
        "zuofeng_http_request_duration_seconds",
        "HTTP request latency",
        ["service", "method", "route", "status"],
        registry=registry,
    )
    app.add_middleware(_RequestLatency, latency=latency, service=service)
