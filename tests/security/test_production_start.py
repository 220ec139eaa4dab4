"""Production refuses to start with an unsafe setting, and says which variable to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from services.cases.main import create_app

UNSAFE = {
    "ZUOFENG_JWT_SECRET": ("short-secret", "ZUOFENG_JWT_SECRET must be at least 32 bytes"),
    "ZUOFENG_JWT_AUDIENCE": ("", "ZUOFENG_JWT_AUDIENCE is required in production"),
    "ZUOFENG_CASES_AUDIT_KEY": ("short", "ZUOFENG_CASES_AUDIT_KEY is required in production"),
    "ZUOFENG_SESSION_SECRET": ("short", "ZUOFENG_SESSION_SECRET is required in production"),
    "ZUOFENG_SESSION_COOKIE_SECURE": (
        "false",
        "ZUOFENG_SESSION_COOKIE_SECURE must not be false in production",
    ),
}


def _environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZUOFENG_")}
    env.update(
        ZUOFENG_ENVIRONMENT="production",
        ZUOFENG_VAR_DIR=str(tmp_path),
        ZUOFENG_NATS_URL="nats://127.0.0.1:1",
        ZUOFENG_JWT_SECRET="s" * 32,
        ZUOFENG_JWT_AUDIENCE="zuofeng",
        ZUOFENG_JWT_ISSUER="https://dezhou.example/zuofeng",
        ZUOFENG_APIKEY_SECRET="k" * 32,
        ZUOFENG_SESSION_SECRET="w" * 32,
        ZUOFENG_CASES_PORT="1",  # never bound: the start must fail before
    )
    env.update(overrides)
    return env


@pytest.mark.parametrize("variable", sorted(UNSAFE))
def test_zuofeng_serve_refuses_an_unsafe_production_setting(tmp_path: Path, variable: str) -> None:
    value, message = UNSAFE[variable]
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "serve", "cases"],
        env=_environment(tmp_path, **{variable: value}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def test_the_app_factory_refuses_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What uvicorn calls (`create_app()`, settings from the environment)."""
    for name in [k for k in os.environ if k.startswith("ZUOFENG_")]:
        monkeypatch.delenv(name)
    for name, value in _environment(tmp_path, ZUOFENG_JWT_ISSUER="").items():
        if name.startswith("ZUOFENG_"):
            monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match="ZUOFENG_JWT_ISSUER is required in production"):
        create_app()
