"""Cases never makes a discipline-inspection key of its own: production refuses to start
without the mounted one, and a reveal without it creates nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from services.cases import identity
from services.cases.settings import CasesSettings
from shared.errors import Refusal
from shared.sealing import ensure_keypair, seal_identity
from tests.factories import SAFE_PRODUCTION

PRODUCTION = {**SAFE_PRODUCTION, "audit_key": "a" * 32}


def test_production_settings_refuse_a_missing_discipline_key(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    with pytest.raises(ValueError, match="ZUOFENG_CASES_KEYS_DIR") as refused:
        CasesSettings(var_dir=tmp_path, keys_dir=keys, **PRODUCTION)
    assert str(keys / "discipline.key") in str(refused.value)
    assert not keys.exists()  # nothing was created to make the check pass
    ensure_keypair(keys, "discipline")  # what the operator mounts
    assert CasesSettings(var_dir=tmp_path, keys_dir=keys, **PRODUCTION).production_problems() == []


def test_zuofeng_serve_cases_names_the_missing_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZUOFENG_")}
    env |= {f"ZUOFENG_{k.upper()}": v for k, v in PRODUCTION.items()}
    env |= {"ZUOFENG_VAR_DIR": str(tmp_path), "ZUOFENG_NATS_URL": "nats://127.0.0.1:1"}
    env |= {"ZUOFENG_CASES_PORT": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "serve", "cases"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "ZUOFENG_CASES_KEYS_DIR" in done.stderr and "discipline.key" in done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert not (tmp_path / "keys" / "discipline.key").exists()


def test_a_reveal_without_the_key_creates_none(tmp_path: Path) -> None:
    elsewhere = X25519PrivateKey.generate().public_key()  # the key intake really sealed to
    sealed = seal_identity({"name": "张三"}, {"discipline": elsewhere}, report_id="r-1")
    ctx = SimpleNamespace(keys_dir=tmp_path / "keys")
    with pytest.raises(Refusal, match="key is not installed") as caught:
        identity._open(ctx, sealed.model_dump_json(), "r-1")  # type: ignore[arg-type]
    assert caught.value.status == 409
    assert not (tmp_path / "keys" / "discipline.key").exists()
