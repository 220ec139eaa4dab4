"""Notify's settings: `ZUOFENG_NOTIFY_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from shared.settings import service_settings


class NotifySettings(service_settings("notify", 8003)):  # type: ignore[misc]
    pass
