"""Cases' settings: `ZUOFENG_CASES_*` plus the shared `ZUOFENG_*` ones."""

from __future__ import annotations

from pathlib import Path

from shared.settings import service_settings


class CasesSettings(service_settings("cases", 8002)):  # type: ignore[misc]
    index_secret: str | None = None
    # The discipline-inspection key that opens sealed identities (default: var/keys, as intake).
    keys_dir: Path | None = None
    # Every replica sweeps (row locks keep them apart); on SQLite run one replica.
    sweeper: bool = True
    sweep_interval: float = 30.0

    @property
    def resolved_keys_dir(self) -> Path:
        return self.keys_dir or self.var_dir / "keys"

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
        return problems
