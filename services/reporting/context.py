"""What reporting's routes, pages and bus handlers share: settings, database, directory, problem
list, campaign phases, the alert rule, the business metrics and the clock (one bag, built once
by `create_app`; routes take it as `ctx: Ctx`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, cast

from fastapi import Depends, Request

from services.reporting.alerts.rule import AlertRule
from services.reporting.metrics.collector import BusinessMetrics
from services.reporting.phases import Phases, load_phases
from services.reporting.settings import ReportingSettings
from services.reporting.words.names import Names
from shared.db import Database
from shared.directory import Directory, load_directory
from shared.taxonomy import Taxonomy, load_taxonomy


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    settings: ReportingSettings
    db: Database
    directory: Directory
    taxonomy: Taxonomy
    phases: Phases
    rule: AlertRule
    metrics: BusinessMetrics = field(default_factory=BusinessMetrics)
    clock: Callable[[], datetime] = utc_now
    # One projecting writer at a time in this process (the projection lock across replicas).
    projecting: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def build(
        cls, settings: ReportingSettings, db: Database, directory: Directory | None = None
    ) -> Context:
        """The bag as configured: the directory, problem list and phases loaded once."""
        return cls(
            settings=settings,
            db=db,
            directory=directory or load_directory(),
            taxonomy=load_taxonomy(),
            phases=load_phases(settings.phases_file),
            rule=AlertRule(settings.alert_threshold, settings.alert_window_days),
        )

    def names(self, english: bool) -> Names:
        return Names(self.directory, self.taxonomy, english)


async def get_context(request: Request) -> Context:
    # async: FastAPI runs a plain `def` dependency in its thread pool, a hop per request.
    return cast(Context, request.app.state.context)


Ctx = Annotated[Context, Depends(get_context)]
