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


def test_a_rotated_key_still_opens_what_was_sealed_before(tmp_path: Path) -> None:
    identity = {"name": "张三", "phone": "13800138000"}
    holders = {h: sealing.public_key(tmp_path, h) for h in sealing.HOLDERS}
    before = sealing.seal_identity(identity, holders)
    retired, new = sealing.rotate(tmp_path, "notify")
    assert retired != new and before.key_ids["notify"] == retired
    after = sealing.seal_identity(identity, {"notify": sealing.public_key(tmp_path, "notify")})
    assert after.key_ids["notify"] == new
    ring = sealing.keyring(tmp_path, "notify")
    assert set(ring) == {retired, new}
    assert sealing.open_identity(before, "notify", ring) == identity
    assert sealing.open_identity(after, "notify", ring) == identity
    with pytest.raises(InvalidTag):  # the new key alone cannot open the old box
        sealing.open_identity(before, "notify", sealing.ensure_keypair(tmp_path, "notify"))
    (tmp_path / f"notify.{retired}.key").unlink()
    with pytest.raises(ValueError, match="retired key deleted"):
        sealing.open_identity(before, "notify", sealing.keyring(tmp_path, "notify"))


def test_keys_rotate_and_list_from_the_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from services.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["keys", "list", "--keys-dir", str(tmp_path)])
    assert first.exit_code == 0 and "retired -" in first.output
    rotated = runner.invoke(app, ["keys", "rotate", "discipline", "--keys-dir", str(tmp_path)])
    assert rotated.exit_code == 0, rotated.output
    listed = runner.invoke(app, ["keys", "list", "--keys-dir", str(tmp_path)])
    assert "discipline: current" in listed.output and "retired -" in listed.output  # notify
    assert listed.output.count("retired -") == 1
    refused = runner.invoke(app, ["keys", "rotate", "mayor", "--keys-dir", str(tmp_path)])
    assert refused.exit_code == 2


def test_a_box_stored_without_its_key_id_is_opened_with_the_current_key(tmp_path: Path) -> None:
    identity = {"phone": "13800138000"}
    sealed = sealing.seal_identity(identity, {"notify": sealing.public_key(tmp_path, "notify")})
    bare = sealed.model_copy(update={"key_ids": {}})
    assert sealing.open_identity(bare, "notify", sealing.keyring(tmp_path, "notify")) == identity
    sealing.rotate(tmp_path, "notify")  # no name, no way to tell it was sealed to the old key
    with pytest.raises(InvalidTag):
        sealing.open_identity(bare, "notify", sealing.keyring(tmp_path, "notify"))
