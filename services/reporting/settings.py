"""Reporting's settings: `ZUOFENG_REPORTING_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from shared.settings import service_settings


class ReportingSettings(service_settings("reporting", 8004)):  # type: ignore[misc]
    pass
