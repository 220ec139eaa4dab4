"""The services by name, for the entry points that serve, launch or document all of them
(`zuofeng`, the launcher, `zuofeng docs`): each service's port and its own settings class, so
every caller builds a service's settings the same way. Imported lazily: naming a service does
not import its code."""

from __future__ import annotations

import importlib
from typing import Any

from shared.settings import BaseServiceSettings, service_settings

PORTS = {
    "intake": 8001,
    "cases": 8002,
    "notify": 8003,
    "reporting": 8004,
    "federation": 8005,
}


def settings_class(service: str) -> type[BaseServiceSettings]:
    """`services.<name>.settings.<Name>Settings`; the shared base for anything else (the CLI)."""
    if service not in PORTS:
        return service_settings(service, 0)
    module = importlib.import_module(f"services.{service}.settings")
    own: type[BaseServiceSettings] = getattr(module, f"{service.title()}Settings")
    return own


def settings_of(service: str, **values: Any) -> BaseServiceSettings:
    """The service's settings from the environment, with `values` on top."""
    return settings_class(service)(**values)


def app_factory(service: str) -> Any:
    """`services.<name>.main.create_app`."""
    return importlib.import_module(f"services.{service}.main").create_app
