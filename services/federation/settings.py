"""Federation's settings: `ZUOFENG_FEDERATION_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from shared.ratelimit import trusted_networks
from shared.settings import service_settings
from shared.settings.local import local_secret


class FederationSettings(service_settings("federation", 8005)):  # type: ignore[misc]
    # The federation key pair seals each application's medical and payment details; only
    # this service, answering a reviewing federation officer, opens them. As intake's keys.
    keys_dir: Path | None = None
    # Keyed hashes of the poverty registration (one aid per household and year) and of the
    # applicants' receipts. Unset: a local secret under var/; production must set it.
    index_secret: str | None = None
    # Days each step of an aid application may take (calendar days, the plan names none).
    eligibility_days: int = Field(7, ge=1, le=365)
    review_days: int = Field(15, ge=1, le=365)
    approval_days: int = Field(15, ge=1, le=365)
    disbursement_days: int = Field(30, ge=1, le=365)
    # Seconds between looks for steps past their deadline (every replica looks; row locks and
    # the version keep one event per overdue step).
    sweep_interval: float = Field(60.0, gt=0)
    # Per client (IP), as intake's public routes (shared.ratelimit): applications sent by the
    # woman herself (no credential) and receipt lookups (`POST /api/v1/aid/status`, the status
    # page). Tokens per second and bucket size; a rate of 0 turns that limit off.
    public_submit_rate: float = Field(0.05, ge=0)
    public_submit_burst: int = Field(5, ge=1)
    lookup_rate: float = Field(0.2, ge=0)
    lookup_burst: int = Field(10, ge=1)
    # Reverse proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For names the
    # client; from any other peer the header is ignored. Empty: every peer is the client.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        return trusted_networks(value, "ZUOFENG_FEDERATION_TRUSTED_PROXIES")

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if not self.index_secret:
            # A secret under var/ would differ per replica: the yearly check would miss repeats.
            problems.append("ZUOFENG_FEDERATION_INDEX_SECRET must be set in production")
        key = self.resolved_keys_dir / "federation.key"
        if not key.exists():
            # A key made here would open nothing already sealed (and differ per replica).
            problems.append(
                f"ZUOFENG_FEDERATION_KEYS_DIR: the federation key {key} is missing in "
                "production; mount it (deploy/compose/secrets.sh makes one)"
            )
        notify_pub = self.resolved_keys_dir / "notify.pub"
        if not notify_pub.exists():
            # An applicant's contact is sealed to notify: without its key a submission with a
            # contact could not be taken, and a key made here would be one notify cannot open.
            problems.append(
                f"ZUOFENG_FEDERATION_KEYS_DIR: notify's public key {notify_pub} is missing in "
                "production; mount it beside the federation key"
            )
        for name in ("public_submit_rate", "lookup_rate"):
            if getattr(self, name) <= 0:
                # The public routes unthrottled: receipts guessed, applications flooded.
                problems.append(f"ZUOFENG_FEDERATION_{name.upper()} must be above 0 in production")
        return problems

    @property
    def resolved_keys_dir(self) -> Path:
        return self.keys_dir or self.var_dir / "keys"

    def resolved_index_secret(self) -> str:
        return self.index_secret or local_secret(self.var_dir, "federation-index.secret")
