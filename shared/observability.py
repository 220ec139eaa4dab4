"""Structured logs, health and readiness, and Prometheus metrics for every service.

Logs carry event id, case id and county as fields, never personal data. `/readyz` answers 200
only when the broker really is connected and the database answers.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from faststream.nats import NatsBroker
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest

from shared.db import Database

FIELDS = ("event_id", "case_id", "report_id", "county", "consumer", "service", "delivered")


class JsonFormatter(logging.Formatter):
    """One JSON object per line with the known structured fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({key: getattr(record, key) for key in FIELDS if hasattr(record, key)})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
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


def add_http_metrics(app: FastAPI, registry: CollectorRegistry, service: str) -> None:
    """Request latency by route template (not raw path: ids would explode the label set)."""
    latency = Histogram(
        "zuofeng_http_request_duration_seconds",
        "HTTP request latency",
        ["service", "method", "route", "status"],
        registry=registry,
    )

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        latency.labels(service, request.method, template, str(response.status_code)).observe(
            time.perf_counter() - started
        )
        return response
