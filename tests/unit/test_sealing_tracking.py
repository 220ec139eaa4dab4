"""Sealed identities and tracking codes."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from services.intake.tracking import ALPHABET, LENGTH, lookup_hash, normalise, tracking_code
from shared import sealing


def test_only_the_holder_opens_a_sealed_identity(tmp_path: Path) -> None:
    holders = {h: sealing.public_key(tmp_path, h) for h in sealing.HOLDERS}
    identity = {"name": "王某", "phone": "13800138000"}
    sealed = sealing.seal_identity(identity, holders)
    assert "13800138000" not in sealed.model_dump_json() and "王某" not in sealed.model_dump_json()
    notify_key = sealing.ensure_keypair(tmp_path, "notify")
    assert sealing.open_identity(sealed, "notify", notify_key) == identity
    with pytest.raises(InvalidTag):
        sealing.open_identity(sealed, "discipline", notify_key)
    assert (tmp_path / "notify.key").stat().st_mode & 0o777 == 0o600


def test_blind_index_is_stable_across_spellings_and_keyed() -> None:
    a = sealing.blind_index("k1", "+86 138-0013-8000")
    assert (
        a
        == sealing.blind_index("k1", "13800138000")
        == sealing.blind_index("k1", "008613800138000")
    )
    assert a != sealing.blind_index("k2", "13800138000")
    assert "13800138000" not in a


def test_tracking_code_has_80_bits_and_no_lookalikes() -> None:
    assert LENGTH * math.log2(len(ALPHABET)) >= 80
    assert not set("01OILU") & set(ALPHABET)
    code = tracking_code("s", "report-1")
    assert code == tracking_code("s", "report-1") != tracking_code("s", "report-2")
    assert code != tracking_code("t", "report-1")
    assert [len(group) for group in code.split("-")] == [4] * 5


def test_lookup_tolerates_case_and_separators() -> None:
    code = tracking_code("s", "r")
    assert lookup_hash("x", code) == lookup_hash("x", code.lower().replace("-", " "))
    assert normalise("0000") is None and lookup_hash("x", "nonsense") is None
