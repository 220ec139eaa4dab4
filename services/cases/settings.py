"""Cases' settings: `ZUOFENG_CASES_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from shared.settings import service_settings


class CasesSettings(service_settings("cases", 8002)):  # type: ignore[misc]
    index_secret: str | None = None
