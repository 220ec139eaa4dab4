"""Reporting's settings: `ZUOFENG_REPORTING_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import service_settings


class ReportingSettings(service_settings("reporting", 8004)):  # type: ignore[misc]
    # Accountability alerts: this many substantiated (or partly) cases within the window.
    alert_threshold: int = Field(3, ge=1)
    alert_window_days: int = Field(90, ge=1)
    # Unit scorecards (issue 26): a unit below one of these rates (above, for redo) is flagged.
    scorecard_min_on_time_acceptance: float = Field(0.9, ge=0, le=1)
    scorecard_min_on_time_completion: float = Field(0.9, ge=0, le=1)
    scorecard_min_satisfaction: float = Field(0.8, ge=0, le=1)
    scorecard_max_redo: float = Field(0.2, ge=0, le=1)
    # Campaign phases (YAML like services/reporting/phases.yaml); unset: the packaged ones.
    phases_file: Path | None = None
    # How often the business gauges on /metrics are recomputed, in seconds.
    metrics_interval: float = Field(15.0, gt=0)
    # The dashboard's session cookie is `Secure` (sent over TLS only): always in production;
    # elsewhere unset means "when the request came over https".
    cookie_secure: bool | None = None
    # A dashboard sign-in lasts this long at most (and never beyond its token's expiry).
    session_hours: float = Field(8.0, gt=0, le=24)

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.cookie_secure is False:
            # The session cookie would travel in clear.
            problems.append("ZUOFENG_REPORTING_COOKIE_SECURE must not be false in production")
        return problems

    @property
    def production(self) -> bool:
        return self.environment == "production"
