"""Sign-in's rules without I/O: argon2id passwords, the lockout and per-address limit, TOTP
(sealed at rest, one use per code, one step of drift) and the `next` check (no open redirect)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from services.cases.signin import lockout, passwords, totp
from services.cases.signin.nextpage import LANDING, safe_next

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
POLICY = lockout.Policy(3, timedelta(minutes=15), 4, timedelta(minutes=10))
SECRET = "s" * 40


def test_passwords_are_argon2id_and_checked() -> None:
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse batterx")
    assert not passwords.verify(None, "correct horse battery")  # unknown login: dummy check
    assert not passwords.verify("not-a-hash", "x")
    with pytest.raises(ValueError):
        passwords.hash_password("short")
    made = {passwords.generate() for _ in range(20)}
    assert len(made) == 20 and all(len(p) == 16 and "0" not in p and "l" not in p for p in made)


def test_an_account_locks_after_the_maximum_in_a_row() -> None:
    count, until = 0, None
    for _ in range(POLICY.max_failures - 1):
        count, until = lockout.after_failure(count, NOW, POLICY)
        assert until is None
    count, until = lockout.after_failure(count, NOW, POLICY)
    assert (count, until) == (0, NOW + POLICY.lock_for)
    assert lockout.locked(until, NOW + timedelta(minutes=14, seconds=59))
    assert not lockout.locked(until, NOW + timedelta(minutes=15))
    assert not lockout.locked(None, NOW)


def test_one_address_failing_across_logins_is_slowed() -> None:
    limiter = lockout.AddressLimiter(POLICY)
    for minute in range(POLICY.address_failures):
        assert not limiter.blocked("10.0.0.1", NOW + timedelta(minutes=minute))
        limiter.failed("10.0.0.1", NOW + timedelta(minutes=minute))
    assert limiter.blocked("10.0.0.1", NOW + timedelta(minutes=4))
    assert not limiter.blocked("10.0.0.2", NOW + timedelta(minutes=4))  # another address
    # The window slides: the first failures age out.
    assert not limiter.blocked("10.0.0.1", NOW + timedelta(minutes=10, seconds=30))
    small = lockout.AddressLimiter(POLICY, capacity=2)
    for address in ("a", "b", "c"):
        small.failed(address, NOW)
    assert len(small._failures) == 2 and "a" not in small._failures


def test_totp_secret_is_sealed_and_codes_are_good_once() -> None:
    secret = totp.new_secret()
    sealed = totp.seal(SECRET, secret)
    assert secret not in sealed
    assert totp.unseal(SECRET, sealed) == secret
    assert totp.unseal("t" * 40, sealed) is None  # another key opens nothing
    code = pyotp.TOTP(secret).at(NOW)
    step = totp.matching_step(secret, code, NOW, after_step=0)
    assert step == int(NOW.timestamp()) // 30
    assert totp.matching_step(secret, code, NOW, after_step=step) is None  # replayed
    assert totp.matching_step(secret, code, NOW + timedelta(seconds=30), 0) == step  # drift
    assert totp.matching_step(secret, code, NOW + timedelta(seconds=90), 0) is None
    assert totp.matching_step(secret, "12345", NOW, 0) is None
    assert totp.matching_step(secret, "abcdef", NOW, 0) is None


def test_enrolment_shows_an_otpauth_address_and_an_svg() -> None:
    secret = totp.new_secret()
    address = totp.uri(secret, "demo-leader")
    assert address.startswith("otpauth://totp/Zuofeng:demo-leader?") and secret in address
    svg = totp.qr_svg(address)
    assert svg.startswith("<svg") and "</svg>" in svg and "<?xml" not in svg


ORIGINS = {"reporting": "http://127.0.0.1:8004", "notify": "https://zf.example.cn"}


@pytest.mark.parametrize(
    ("asked", "goes"),
    [
        ("/workbench?lang=en", "/workbench?lang=en"),
        ("http://127.0.0.1:8004/", "http://127.0.0.1:8004/"),
        ("https://zf.example.cn/inbox", "https://zf.example.cn/inbox"),
        ("https://evil.example/", LANDING),
        ("//evil.example/", LANDING),
        ("/\\evil.example", LANDING),
        ("javascript:alert(1)", LANDING),
        ("http://127.0.0.1:8004@evil.example/", LANDING),
        ("http://127.0.0.1:80045/", LANDING),
        ("workbench", LANDING),
        ("/ok\r\nSet-Cookie: x", LANDING),
        ("", LANDING),
        (None, LANDING),
    ],
)
def test_next_goes_only_here_or_to_our_origins(asked: str | None, goes: str) -> None:
    assert safe_next(asked, ORIGINS) == goes


def test_production_refuses_unsafe_identity_provider_settings(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from services.cases.settings import CasesSettings
    from shared.sealing import ensure_keypair
    from tests.factories import SAFE_PRODUCTION

    ensure_keypair(tmp_path / "keys", "discipline")
    safe = SAFE_PRODUCTION | {"var_dir": tmp_path, "audit_key": "a" * 40}
    client = {"oidc_client_id": "zuofeng", "oidc_client_secret": "c" * 32}
    with pytest.raises(ValidationError, match="ZUOFENG_OIDC_ISSUER must be an https"):
        CasesSettings(**safe, oidc_issuer="http://id.example.org", **client)
    with pytest.raises(ValidationError, match="ZUOFENG_OIDC_CLIENT_ID and"):
        CasesSettings(**safe, oidc_issuer="https://id.example.org")
    assert CasesSettings(**safe, oidc_issuer="https://id.example.org", **client).oidc_issuer
    assert CasesSettings(**safe).oidc_issuer is None  # no provider: password sign-in only
    # Locally an http provider on loopback is fine (the tests use one).
    assert CasesSettings(var_dir=tmp_path, oidc_issuer="http://127.0.0.1:9000").oidc_issuer
