"""One settings base for every service, with the contract's variable names (`base`); what
production refuses (`production`); what a local run keeps under var/ (`local`)."""

from shared.settings.base import DEFAULT_RETRY_DELAYS, BaseServiceSettings, service_settings
from shared.settings.local import bundled_nats_url, local_secret
from shared.settings.production import MIN_JWT_SECRET_BYTES, PRODUCTION_MAX_TTL

__all__ = [
    "DEFAULT_RETRY_DELAYS",
    "MIN_JWT_SECRET_BYTES",
    "PRODUCTION_MAX_TTL",
    "BaseServiceSettings",
    "bundled_nats_url",
    "local_secret",
    "service_settings",
]
