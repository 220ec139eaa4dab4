"""Cases' settings: `ZUOFENG_CASES_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from shared.settings import local_secret, service_settings

AUDIT_KEY_MIN = 32  # characters: an HMAC key as strong as its SHA-256


class CasesSettings(service_settings("cases", 8002)):  # type: ignore[misc]
    index_secret: str | None = None
    # The discipline-inspection key that opens sealed identities (default: var/keys, as intake).
    keys_dir: Path | None = None
    # Every replica sweeps (row locks keep them apart); on SQLite run one replica.
    sweeper: bool = True
    sweep_interval: float = 30.0
    # ZUOFENG_CASES_AUDIT_KEY: the audit chain's HMAC key, kept outside the database so that
    # database access alone cannot rewrite the trail (default: var/cases-audit.key, local runs).
    audit_key: str | None = None
    # Seconds between anchors: the chain's head published to the AUDIT stream when it changed.
    audit_anchor_interval: float = Field(60.0, gt=0)
    # Audit rows up to this id were chained before the key (plain SHA-256, an upgraded
    # deployment): `zuofeng audit verify` accepts their old hashes, and no later row's.
    audit_legacy_until: int = Field(0, ge=0)

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
        return problems
