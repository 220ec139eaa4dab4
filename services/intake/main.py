"""Composition of the intake service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.intake import attachment_sweep, handlers, requestreply
from services.intake.context import Context, build_context, utcnow
from services.intake.limits import BodyLimit, proxy_hosts
from services.intake.refusals import http_refusals
from services.intake.routes import files, forms, open311, reports
from services.intake.settings import IntakeSettings
from shared import http_errors, http_limits
from shared.bus import document_publishers
from shared.events.intake import ReportReceived, ReportReviewRequested
from shared.runtime import build_app, build_runtime
from shared.streams import INTAKE_CASES

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around an uploaded file


def body_limits(settings: IntakeSettings) -> Callable[[str], int]:
    def limit_for(path: str) -> int:
        if path == "/api/v1/attachments":
            return settings.attachment_max_bytes + MULTIPART_SLACK
        if path == "/api/v1/reports/import":
            return settings.import_max_bytes + MULTIPART_SLACK
        return settings.max_body_bytes

    return limit_for


def create_app(
    settings: IntakeSettings | None = None,
    *,
    for_docs: bool = False,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    settings = settings or IntakeSettings()
    runtime = build_runtime(settings, for_docs=for_docs)
    ctx = build_context(settings, runtime, clock)
    runtime.consumers.batched(INTAKE_CASES, handlers.when_case_changes_update_public_status(ctx))
    if not for_docs:
        runtime.background.append(
            lambda: attachment_sweep.sweep_forever(
                runtime.db,
                settings.resolved_attachments_dir,
                ctx.clock,
                settings.attachment_unused_ttl,
                settings.attachment_sweep_interval,
            )
        )
    app = build_app(runtime, title="Zuofeng intake", description="Reports in from every channel.")
    requestreply.subscribe_submit(runtime.broker, ctx, lambda: app, settings.submit_workers)
    document_publishers(runtime.broker, [ReportReceived, ReportReviewRequested])
    app.state.context = ctx
    http_errors.install(app)
    http_refusals(app, ctx)
    _count_invalid_bodies(app, ctx)
    app.add_exception_handler(HTTPException, _open311_errors)
    app.add_middleware(
        BodyLimit,
        limit_for=body_limits(settings),
        on_reject=lambda: ctx.metrics.rejected("too_large"),
    )
    if settings.trusted_proxies:
        # The client (and scheme) as the trusted proxy saw it; from any other peer the
        # forwarding headers are ignored.
        app.add_middleware(
            ProxyHeadersMiddleware, trusted_hosts=proxy_hosts(settings.trusted_proxies)
        )
    http_limits.install(app, None)  # credentials before bodies; BodyLimit above bounds sizes
    for router in (reports.router, forms.router, files.router, open311.router):
        app.include_router(router)
    return app


def _count_invalid_bodies(app: FastAPI, ctx: Context) -> None:
    """Count schema rejections by field, then answer as shared.errors does."""
    answer = app.exception_handlers[RequestValidationError]

    async def on_invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        ctx.metrics.invalid([list(error.get("loc", ())) for error in exc.errors()])
        return await answer(request, exc)  # type: ignore[misc,no-any-return]

    app.add_exception_handler(RequestValidationError, on_invalid)


async def _open311_errors(request: Request, exc: Exception) -> Response:
    """Open311 keeps GeoReport's error shape, `[{code, description}]`."""
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith("/open311/"):
        return await http_exception_handler(request, exc)
    return JSONResponse(
        [{"code": exc.status_code, "description": str(exc.detail)}],
        status_code=exc.status_code,
        headers=exc.headers,
    )
