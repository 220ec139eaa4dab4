"""Cases' settings: `ZUOFENG_CASES_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field

from shared.settings import local_secret, service_settings


def _env(name: str) -> AliasChoices:
    """Sign-in settings read `ZUOFENG_<NAME>` (no service prefix: the issue names them so)."""
    return AliasChoices(name, f"ZUOFENG_{name.upper()}")


AUDIT_KEY_MIN = 32  # characters: an HMAC key as strong as its SHA-256


class CasesSettings(service_settings("cases", 8002)):  # type: ignore[misc]
    index_secret: str | None = None
    # The discipline-inspection key that opens sealed identities (default: var/keys, as intake).
    keys_dir: Path | None = None
    # A clerk API key of intake (`zuofeng apikey create --role clerk`) that hands inspection
    # findings to intake. Without it cases signs a short-lived clerk token with the HS256
    # secret, which a deployment whose tokens come only from an identity provider lacks.
    findings_api_key: str | None = None
    # Every replica sweeps (row locks keep them apart); on SQLite run one replica.
    sweeper: bool = True
    sweep_interval: float = 30.0
    # How often the deadline gauges on /metrics (overdue, provisional) are recomputed, seconds.
    metrics_interval: float = Field(15.0, gt=0)
    # ZUOFENG_CASES_AUDIT_KEY: the audit chain's HMAC key, kept outside the database so that
    # database access alone cannot rewrite the trail (default: var/cases-audit.key, local runs).
    audit_key: str | None = None
    # Seconds between anchors: the chain's head published to the AUDIT stream when it changed.
    audit_anchor_interval: float = Field(60.0, gt=0)
    # Audit rows up to this id were chained before the key (plain SHA-256, an upgraded
    # deployment): `zuofeng audit verify` accepts their old hashes, and no later row's.
    audit_legacy_until: int = Field(0, ge=0)

    # Officials' sign-in (services/cases/signin): an account is locked for `lock_minutes` after
    # `max_failures` failed sign-ins in a row; one client address may fail `address_failures`
    # times in `address_window_minutes` (across logins) before it is refused for a while.
    signin_max_failures: int = Field(5, ge=1, le=20, validation_alias=_env("signin_max_failures"))
    signin_lock_minutes: int = Field(15, ge=1, validation_alias=_env("signin_lock_minutes"))
    signin_address_failures: int = Field(30, ge=1, validation_alias=_env("signin_address_failures"))
    signin_address_window_minutes: int = Field(
        15, ge=1, validation_alias=_env("signin_address_window_minutes")
    )
    # An organisation's identity provider for sign-in (OIDC code flow with PKCE); unset: off.
    oidc_issuer: str | None = Field(None, validation_alias=_env("oidc_issuer"))
    oidc_client_id: str | None = Field(None, validation_alias=_env("oidc_client_id"))
    oidc_client_secret: str | None = Field(None, validation_alias=_env("oidc_client_secret"))
    # The id_token's claims naming the person's unit and role.
    oidc_unit_claim: str = Field("unit", validation_alias=_env("oidc_unit_claim"))
    oidc_role_claim: str = Field("role", validation_alias=_env("oidc_role_claim"))

    @property
    def resolved_keys_dir(self) -> Path:
        return self.keys_dir or self.var_dir / "keys"

    def resolved_audit_key(self) -> bytes:
        """The configured key, else the local one under var/ (created on first use)."""
        return (self.audit_key or local_secret(self.var_dir, "cases-audit.key")).encode()

    def production_problems(self) -> list[str]:
        # Reveals need the discipline-inspection key that intake seals to; a key made here
        # would open nothing, so production must mount it.
        problems = super().production_problems()
        key = self.resolved_keys_dir / "discipline.key"
        if not key.exists():
            problems.append(
                f"ZUOFENG_CASES_KEYS_DIR: the discipline-inspection key {key} is missing in "
                "production; mount it (cases never creates one)"
            )
        # A local secret under var/ sits beside the database: whoever can rewrite the trail
        # could read it too.
        if not self.audit_key or len(self.audit_key) < AUDIT_KEY_MIN:
            problems.append(
                f"ZUOFENG_CASES_AUDIT_KEY is required in production (at least {AUDIT_KEY_MIN} "
                "characters, kept outside the database)"
            )
        if not self.findings_api_key and not self.hs256_usable():
            problems.append(
                "ZUOFENG_CASES_FINDINGS_API_KEY is required in production when tokens come from "
                "an identity provider only: cases hands inspection findings to intake with it "
                "(a clerk key: zuofeng apikey create --role clerk)"
            )
        return problems + _signin_problems(self)

    def hs256_usable(self) -> bool:
        """Whether intake accepts a clerk token cases signs itself (HS256)."""
        if not self.resolved_jwt_secret():
            return False
        return not self.jwt_jwks_url or self.jwt_allow_hs256


def _signin_problems(settings: CasesSettings) -> list[str]:
    """Sign-in through an identity provider only over https, and only complete."""
    problems = []
    if settings.oidc_issuer and not settings.oidc_issuer.startswith("https://"):
        problems.append("ZUOFENG_OIDC_ISSUER must be an https:// address in production")
    if settings.oidc_issuer and not (settings.oidc_client_id and settings.oidc_client_secret):
        problems.append(
            "ZUOFENG_OIDC_CLIENT_ID and ZUOFENG_OIDC_CLIENT_SECRET are required with "
            "ZUOFENG_OIDC_ISSUER"
        )
    return problems
