"""The audit chain's key: required in production (named in the refusal), local otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.cases.settings import CasesSettings
from shared.sealing import ensure_keypair
from tests.factories import SAFE_PRODUCTION

PRODUCTION = SAFE_PRODUCTION


def test_production_refuses_to_start_without_the_audit_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZUOFENG_CASES_AUDIT_KEY", raising=False)
    ensure_keypair(tmp_path / "keys", "discipline")  # mounted, as production requires
    with pytest.raises(ValidationError, match="ZUOFENG_CASES_AUDIT_KEY is required in production"):
        CasesSettings(var_dir=tmp_path, **PRODUCTION)
    with pytest.raises(ValidationError, match="ZUOFENG_CASES_AUDIT_KEY"):
        CasesSettings(var_dir=tmp_path, audit_key="short", **PRODUCTION)
    monkeypatch.setenv("ZUOFENG_CASES_AUDIT_KEY", "k" * 40)
    assert CasesSettings(var_dir=tmp_path, **PRODUCTION).resolved_audit_key() == b"k" * 40
    assert not (tmp_path / "cases-audit.key").exists()  # never a local secret in production


def test_a_local_run_keeps_its_key_under_var(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZUOFENG_CASES_AUDIT_KEY", raising=False)
    key = CasesSettings(var_dir=tmp_path).resolved_audit_key()
    assert len(key) >= 32 and key == CasesSettings(var_dir=tmp_path).resolved_audit_key()
    assert (tmp_path / "cases-audit.key").stat().st_mode & 0o777 == 0o600


def test_cases_may_publish_its_anchors_and_a_stream_keeps_them() -> None:
    from shared.natsauth import service_permissions
    from shared.streams import STREAMS, stream_for_subject
    from shared.subjects import subject_matches

    anchor = "zuofeng.v1.371400.audit.anchored"
    allowed = service_permissions("cases")["publish"]["allow"]
    assert any(subject_matches(pattern, anchor) for pattern in allowed)
    audit_stream = next(s for s in STREAMS if s.name == stream_for_subject(anchor))
    assert audit_stream.deny_delete and audit_stream.deny_purge


def test_production_with_an_identity_provider_only_needs_the_findings_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inspection findings reach intake as a clerk's submission: without the HS256 secret (tokens
    only from an identity provider) cases needs intake's clerk API key, and says so by name."""
    monkeypatch.setenv("ZUOFENG_CASES_AUDIT_KEY", "k" * 40)
    ensure_keypair(tmp_path / "keys", "discipline")
    oidc_only = {**PRODUCTION, "jwt_secret": None, "jwt_jwks_url": "https://idp.example/jwks"}
    with pytest.raises(ValidationError, match="ZUOFENG_CASES_FINDINGS_API_KEY is required"):
        CasesSettings(var_dir=tmp_path, **oidc_only)
    both = {**oidc_only, "jwt_secret": "s" * 48, "jwt_allow_hs256": False}
    with pytest.raises(ValidationError, match="ZUOFENG_CASES_FINDINGS_API_KEY"):
        CasesSettings(var_dir=tmp_path, **both)
    keyed = CasesSettings(var_dir=tmp_path, findings_api_key="zk_x", **oidc_only)
    assert keyed.findings_api_key == "zk_x" and not keyed.hs256_usable()
    assert CasesSettings(var_dir=tmp_path, **PRODUCTION).hs256_usable()  # HS256 alone: no key
