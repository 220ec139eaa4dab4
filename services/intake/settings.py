"""Intake's settings: `ZUOFENG_INTAKE_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from pathlib import Path

from shared.settings import local_secret, service_settings


class IntakeSettings(service_settings("intake", 8001)):  # type: ignore[misc]
    content_min: int = 10
    content_max: int = 5000
    max_body_bytes: int = 1_000_000
    tracking_secret: str | None = None
    index_secret: str | None = None
    keys_dir: Path | None = None

    def secret(self, name: str) -> str:
        """A configured secret, else a local one under var/ (created on first run)."""
        configured = getattr(self, f"{name}_secret", None)
        return configured or local_secret(self.var_dir, f"{name}.secret")

    @property
    def resolved_keys_dir(self) -> Path:
        return self.keys_dir or self.var_dir / "keys"
