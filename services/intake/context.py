"""Intake's dependency bag: what its use cases, routes and bus handlers work with, built once
per `create_app` and reached by routes as `ctx: Ctx`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, Request

from services.intake.keys import Keys
from services.intake.limits.buckets import RateLimiter, UploadQuota
from services.intake.metrics import IntakeMetrics
from services.intake.pages.pow import Challenges
from services.intake.settings import IntakeSettings
from services.intake.writer.batches import ReportWriter
from shared.db import Database
from shared.directory import Directory, load_directory
from shared.runtime import Runtime
from shared.taxonomy import Taxonomy, load_taxonomy


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Limiters:
    lookups: RateLimiter
    public: RateLimiter
    unsolved: RateLimiter  # page reports without a solved challenge
    uploads: UploadQuota


@dataclass(frozen=True)
class Context:
    """What intake's use cases work with; one per `create_app`."""

    settings: IntakeSettings
    db: Database
    directory: Directory
    taxonomy: Taxonomy
    keys: Keys
    writer: ReportWriter
    metrics: IntakeMetrics
    limiters: Limiters
    counties: frozenset[str]
    challenges: Challenges  # the report page's proof of work
    clock: Callable[[], datetime] = utcnow


def build_context(
    settings: IntakeSettings, runtime: Runtime, clock: Callable[[], datetime] = utcnow
) -> Context:
    directory = load_directory()
    keys = Keys(settings)
    return Context(
        settings=settings,
        db=runtime.db,
        directory=directory,
        taxonomy=load_taxonomy(),
        keys=keys,
        writer=ReportWriter(runtime.db, settings.write_batch_max),
        metrics=IntakeMetrics(runtime.registry, (code for code, _ in directory.counties())),
        limiters=Limiters(
            lookups=RateLimiter(settings.lookup_rate, settings.lookup_burst),
            public=RateLimiter(settings.public_submit_rate, settings.public_submit_burst),
            unsolved=RateLimiter(settings.page_unsolved_rate, settings.page_unsolved_burst),
            uploads=UploadQuota(
                settings.attachment_client_window,
                settings.attachment_client_max_count,
                settings.attachment_client_max_bytes,
            ),
        ),
        counties=frozenset(code for code, _ in directory.counties()),
        challenges=Challenges(keys, settings.page_pow_max_number),
        clock=clock,
    )


async def get_context(request: Request) -> Context:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop per request.
    return cast(Context, request.app.state.context)


Ctx = Annotated[Context, Depends(get_context)]
