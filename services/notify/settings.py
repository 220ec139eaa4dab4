"""Notify's settings: `ZUOFENG_NOTIFY_*` plus the shared `ZUOFENG_*` ones.

Channels switch on by configuration: email when `ZUOFENG_NOTIFY_SMTP_HOST` is set, SMS when
`ZUOFENG_NOTIFY_SMS_GATEWAY_URL` is set; the inbox and webhooks are always on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from shared.settings import service_settings
from shared.settings.local import local_secret

PACKAGED_CONTACTS = Path(__file__).with_name("contacts.example.yaml")


class NotifySettings(service_settings("notify", 8003)):  # type: ignore[misc]
    # Unit contacts (addresses, SMS numbers, digest preference): a YAML file. Unset: the
    # packaged example (example.org addresses) locally, no unit mail or SMS in production.
    contacts_file: Path | None = None
    keys_dir: Path | None = None  # the notify key opens reporters' contacts; as intake's
    language: Literal["zh-CN", "en"] = "zh-CN"

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: Literal["none", "starttls", "tls"] = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "作风系统 <noreply@zuofeng.example.org>"
    smtp_timeout: float = 20.0

    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None

    webhook_timeout: float = 10.0
    # Webhook URLs that resolve to loopback, private, link-local or reserved addresses (an
    # integrator pointing notify at an internal service): refused in every environment unless
    # set true (tests and a local receiver such as `zuofeng notify webhook-echo`); production
    # refuses to start with it set.
    webhook_internal_targets: bool = False
    # Consecutive deliveries that failed for good before a subscription is suspended.
    webhook_suspend_after: int = Field(5, ge=1)

    # Outside deliveries: exponential backoff from `retry_base` seconds, capped, then failed.
    delivery_retry_base: float = Field(5.0, gt=0)
    delivery_retry_cap: float = Field(3600.0, gt=0)
    delivery_max_attempts: int = Field(10, ge=1)
    delivery_batch: int = Field(200, ge=1)
    delivery_concurrency: int = Field(16, ge=1)
    # A claimed row is sent again after this if its worker died; longer than a round can take
    # (batch / concurrency x the slowest channel's timeout).
    delivery_lease: float = Field(300.0, gt=0)
    delivery_poll_interval: float = Field(1.0, gt=0)
    # How long a reporter's notice waits for its `report.received` (the two streams are
    # consumed independently), before it is failed as "report never seen".
    reporter_wait: float = Field(86400.0, gt=0)
    # When daily digests go out, local time (Asia/Shanghai).
    digest_time: str = Field("18:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")

    # 回访 (issue 26, services/notify/survey.py): a named reporter with a phone is texted a
    # link to rate a closing or rejection, valid this many days (keep it equal to intake's
    # ZUOFENG_INTAKE_FEEDBACK_WINDOW_DAYS, which intake enforces anyway). The link is signed
    # under the secret intake shares (ZUOFENG_INTAKE_SURVEY_SECRET; unset: a local one under
    # var/) and points at `survey_base_url` (the public origin of intake's pages; unset: the
    # page origin of intake, and with neither no survey is sent: a relative link is no link).
    survey_window_days: int = Field(15, ge=1)
    survey_secret: str | None = None
    survey_base_url: str | None = None

    @model_validator(mode="after")
    def _check_notify(self) -> NotifySettings:
        if self.delivery_retry_cap < self.delivery_retry_base:
            raise ValueError("delivery_retry_cap must not be below delivery_retry_base")
        return self

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if self.webhook_internal_targets:
            # An integrator could aim notify at the cluster's own services (SSRF).
            problems.append(
                "ZUOFENG_NOTIFY_WEBHOOK_INTERNAL_TARGETS must not be true in production"
            )
        if self.sms_enabled and len((self.survey_secret or "").encode()) < 32:
            # A secret under var/ differs per replica and from intake's: no link would open.
            problems.append(
                "ZUOFENG_NOTIFY_SURVEY_SECRET is required in production with SMS on (32 bytes)"
            )
        return problems

    def resolved_survey_secret(self) -> str:
        return self.survey_secret or local_secret(self.var_dir, "survey.secret")

    @property
    def survey_link_base(self) -> str | None:
        """Where survey links point (no trailing slash), or None: no survey is sent."""
        base = self.survey_base_url or self.page_origins.get("intake")
        return base.rstrip("/") if base else None

    @property
    def resolved_keys_dir(self) -> Path:
        """Where the notify private key lives: the same default as intake's public keys."""
        return self.keys_dir or self.var_dir / "keys"

    @property
    def resolved_contacts_file(self) -> Path | None:
        if self.contacts_file is not None:
            return self.contacts_file
        return PACKAGED_CONTACTS if self.environment == "local" else None

    @property
    def internal_webhooks_allowed(self) -> bool:
        return self.webhook_internal_targets

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def sms_enabled(self) -> bool:
        return bool(self.sms_gateway_url)
