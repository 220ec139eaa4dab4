"""Federation's settings: `ZUOFENG_FEDERATION_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

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

    def production_problems(self) -> list[str]:
        problems = super().production_problems()
        if not self.index_secret:
            # A secret under var/ would differ per replica: the yearly check would miss repeats.
            problems.append("ZUOFENG_FEDERATION_INDEX_SECRET must be set in production")
        return problems

    @property
    def resolved_keys_dir(self) -> Path:
        return self.keys_dir or self.var_dir / "keys"

    def resolved_index_secret(self) -> str:
        return self.index_secret or local_secret(self.var_dir, "federation-index.secret")
