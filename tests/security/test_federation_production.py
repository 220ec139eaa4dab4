"""Federation refuses to start in production with unsafe settings, naming each: no index
secret, no mounted federation key (one made here would open nothing sealed before), no mounted
notify public key (applicants' contacts are sealed to it), public routes left unthrottled.
`zuofeng serve federation` says so without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.federation.settings import FederationSettings
from shared.sealing import ensure_keypair
from tests.factories import SAFE_PRODUCTION

PRODUCTION = {**SAFE_PRODUCTION, "index_secret": "i" * 32}


def test_production_names_each_unsafe_federation_setting(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    unsafe = {**SAFE_PRODUCTION, "public_submit_rate": 0, "lookup_rate": 0}
    with pytest.raises(ValueError) as refused:
        FederationSettings(var_dir=tmp_path, keys_dir=keys, **unsafe)
    text = str(refused.value)
    for name in ("INDEX_SECRET", "KEYS_DIR", "PUBLIC_SUBMIT_RATE", "LOOKUP_RATE"):
        assert f"ZUOFENG_FEDERATION_{name}" in text
    assert str(keys / "federation.key") in text and str(keys / "notify.pub") in text
    assert not keys.exists()  # nothing was created to make the check pass
    ensure_keypair(keys, "federation")  # what the operator mounts
    with pytest.raises(ValueError, match="notify's public key"):
        FederationSettings(var_dir=tmp_path, keys_dir=keys, **PRODUCTION)
    ensure_keypair(keys, "notify")
    (keys / "notify.key").unlink()  # federation gets notify's public key only
    settings = FederationSettings(var_dir=tmp_path, keys_dir=keys, **PRODUCTION)
    assert settings.production_problems() == []


def test_zuofeng_serve_federation_names_the_unsafe_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZUOFENG_")}
    env |= {f"ZUOFENG_{k.upper()}": str(v) for k, v in SAFE_PRODUCTION.items()}
    env |= {"ZUOFENG_VAR_DIR": str(tmp_path), "ZUOFENG_NATS_URL": "nats://127.0.0.1:1"}
    env |= {"ZUOFENG_FEDERATION_PORT": "1", "ZUOFENG_FEDERATION_LOOKUP_RATE": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "serve", "federation"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    for name in ("INDEX_SECRET", "KEYS_DIR", "LOOKUP_RATE"):
        assert f"ZUOFENG_FEDERATION_{name}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "keys" / "federation.key").exists()
