"""Intake's settings: `ZUOFENG_INTAKE_*` plus the shared `ZUOFENG_*` ones.

Size and rate limits are settings so tests and benchmarks set their own; a rate of 0 turns
that limit off.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from shared.settings import local_secret, service_settings

ATTACHMENT_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
    "audio/mpeg",
    "audio/mp4",
    "audio/amr",
    "audio/wav",
    "video/mp4",
    "text/plain",
)


class IntakeSettings(service_settings("intake", 8001)):  # type: ignore[misc]
    content_min: int = 10
    content_max: int = 5000
    review_reason_max: int = 2000
    # The reporter rates a reply (回访, issue 26) within this many days of it, once per reply.
    feedback_window_days: int = Field(15, ge=1)
    max_body_bytes: int = 1_000_000  # JSON bodies
    attachment_max_bytes: int = 20_000_000
    attachment_types: tuple[str, ...] = ATTACHMENT_TYPES
    # An upload no report names within this many seconds is deleted (a sweep every
    # `attachment_sweep_interval` seconds); a named one is kept for good.
    attachment_unused_ttl: float = 86_400.0
    attachment_sweep_interval: float = 600.0
    # Uploads per client (address, or unit with a credential) over a window of seconds, and
    # all attachments on disk; 0 turns a cap off (production refuses that for the total).
    attachment_client_window: float = 3600.0
    attachment_client_max_count: int = 100
    attachment_client_max_bytes: int = 200_000_000
    attachment_total_max_bytes: int = 10_000_000_000
    import_max_bytes: int = 10_000_000
    import_max_rows: int = 2000
    # Per client (IP): tracking-code lookups and review requests; anonymous submissions and
    # uploads. Tokens per second and bucket size.
    lookup_rate: float = 0.5
    lookup_burst: int = 20
    public_submit_rate: float = 0.2
    public_submit_burst: int = 20
    # The public pages (routes/pages_*.py): a report sent without the browser's proof of work
    # (no JavaScript) is held to this stricter per-client rate; the work asked (a number up to
    # this, found by SHA-256 trials) and how many files one form may carry.
    page_unsolved_rate: float = 0.005
    page_unsolved_burst: int = 3
    page_pow_max_number: int = 50_000
    page_files_max: int = 3
    # Reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For names the
    # client; from any other peer the header is ignored. Empty: every peer is the client.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    # Concurrent reports written in one transaction, and NATS submissions handled at once.
    write_batch_max: int = 200
    submit_workers: int = 64
    # The county this intake serves at the county's own leaf (ZUOFENG_INTAKE_COUNTY): it then
    # follows case events through the county's own durable (`intake-cases-<county>`, made by
    # `zuofeng bus init --county`), the only one its NATS user may read. Unset: the city's
    # intake and the shared `intake-cases`.
    county: str | None = Field(None, pattern=r"^\d{6}$")
    tracking_secret: str | None = None
    # Reads the 回访 SMS links' survey tokens (issue 26, shared/survey.py): the same secret as
    # ZUOFENG_NOTIFY_SURVEY_SECRET, which mints them. Unset: a local one under var/.
    survey_secret: str | None = None
    idempotency_secret: str | None = None
    index_secret: str | None = None
    keys_dir: Path | None = None
    attachments_dir: Path | None = None

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return value
        try:
            return tuple(
                str(ipaddress.ip_network(str(item).strip(), strict=False))
                for item in items
                if str(item).strip()
            )
        except ValueError as exc:
            raise ValueError(
                f"ZUOFENG_INTAKE_TRUSTED_PROXIES: {exc} (addresses or CIDRs, comma-separated)"
            ) from exc

    @model_validator(mode="after")
    def _attachment_caps(self) -> IntakeSettings:
        most = self.attachment_max_bytes
        if 0 < self.attachment_client_max_bytes < most:
            raise ValueError(
                f"ZUOFENG_INTAKE_ATTACHMENT_CLIENT_MAX_BYTES must be at least "
                f"ZUOFENG_INTAKE_ATTACHMENT_MAX_BYTES ({most}), or no file could be uploaded"
            )
        return self

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.attachment_total_max_bytes <= 0:
            # Uploads nobody names could fill the disk the reports live on.
            problems.append("ZUOFENG_INTAKE_ATTACHMENT_TOTAL_MAX_BYTES is required in production")
        if len((self.survey_secret or "").encode()) < 32:
            # A secret under var/ differs per replica and from notify's: no 回访 link would open.
            problems.append(
                "ZUOFENG_INTAKE_SURVEY_SECRET is required in production (32 bytes, the same "
                "value as ZUOFENG_NOTIFY_SURVEY_SECRET)"
            )
        return problems

    def secret(self, name: str) -> str:
        """A configured secret, else a local one under var/ (created on first run)."""
        configured = getattr(self, f"{name}_secret", None)
        return configured or local_secret(self.var_dir, f"{name}.secret")

    @property
    def resolved_keys_dir(self) -> Path:
        return self.keys_dir or self.var_dir / "keys"

    @property
    def resolved_attachments_dir(self) -> Path:
        return self.attachments_dir or self.var_dir / "attachments"
