"""Sealed identities and tracking codes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from services.intake.tracking import ALPHABET, LENGTH, lookup_hash, normalise, tracking_code
from shared import sealing
from shared.events.intake import SealedIdentity

IDENTITY = {"name": "王某", "phone": "13800138000", "email": "wang@example.org"}


def _sealed(tmp_path: Path, report_id: str = "r-1") -> SealedIdentity:
    holders = {h: sealing.public_key(tmp_path, h) for h in sealing.HOLDERS}
    return sealing.seal_identity(IDENTITY, holders, report_id=report_id)


def test_only_the_holder_opens_a_sealed_identity(tmp_path: Path) -> None:
    sealed = _sealed(tmp_path)
    assert "13800138000" not in sealed.model_dump_json() and "王某" not in sealed.model_dump_json()
    notify_key = sealing.ensure_keypair(tmp_path, "notify")
    assert sealing.open_identity(sealed, "notify", notify_key, report_id="r-1") == {
        "phone": "13800138000",
        "email": "wang@example.org",
    }
    with pytest.raises(InvalidTag):
        sealing.open_identity(sealed, "discipline", notify_key, report_id="r-1")
    assert (tmp_path / "notify.key").stat().st_mode & 0o777 == 0o600


def test_every_sealed_field_round_trips_and_notify_gets_no_name(tmp_path: Path) -> None:
    sealed = _sealed(tmp_path)
    discipline = sealing.ensure_keypair(tmp_path, "discipline")
    notify = sealing.ensure_keypair(tmp_path, "notify")
    assert sealing.open_identity(sealed, "discipline", discipline, report_id="r-1") == IDENTITY
    opened = sealing.open_identity(sealed, "notify", notify, report_id="r-1")
    assert opened == {"phone": IDENTITY["phone"], "email": IDENTITY["email"]}
    assert "name" not in opened  # notify only sends notices: it never holds the name


def test_a_box_moved_to_another_report_or_holder_does_not_open(tmp_path: Path) -> None:
    sealed = _sealed(tmp_path, "report-a")
    discipline = sealing.ensure_keypair(tmp_path, "discipline")
    with pytest.raises(InvalidTag):  # copied onto report B
        sealing.open_identity(sealed, "discipline", discipline, report_id="report-b")
    # Notify's box (same recipient key here, as a holder sharing a key would) read as
    # discipline's: the holder is bound too.
    shared = {"notify": sealing.public_key(tmp_path, "discipline")}
    for_notify = sealing.seal_identity(IDENTITY, shared, report_id="report-a")
    swapped = SealedIdentity(sealed={"discipline": for_notify.sealed["notify"]})
    with pytest.raises(InvalidTag):
        sealing.open_identity(swapped, "discipline", discipline, report_id="report-a")


def test_a_box_sealed_before_binding_still_opens(tmp_path: Path) -> None:
    # Format 1, as the old code sealed: the whole identity, no associated data, no prefix.
    plaintext = json.dumps(IDENTITY, ensure_ascii=False).encode()
    old = sealing.seal(plaintext, sealing.public_key(tmp_path, "discipline"))
    assert not old.startswith("2.")
    sealed = SealedIdentity(sealed={"discipline": old})
    key = sealing.ensure_keypair(tmp_path, "discipline")
    assert sealing.open_identity(sealed, "discipline", key, report_id="any") == IDENTITY
    assert _sealed(tmp_path).sealed["discipline"].startswith("2.")


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
    identity = {"phone": "13800138000", "email": "zs@example.org"}
    holders = {h: sealing.public_key(tmp_path, h) for h in sealing.HOLDERS}
    before = sealing.seal_identity(identity, holders, report_id="r")
    retired, new = sealing.rotate(tmp_path, "notify")
    assert retired != new and before.key_ids["notify"] == retired
    notify_key = {"notify": sealing.public_key(tmp_path, "notify")}
    after = sealing.seal_identity(identity, notify_key, report_id="r")
    assert after.key_ids["notify"] == new
    ring = sealing.keyring(tmp_path, "notify")
    assert set(ring) == {retired, new}
    assert sealing.open_identity(before, "notify", ring, report_id="r") == identity
    assert sealing.open_identity(after, "notify", ring, report_id="r") == identity
    with pytest.raises(InvalidTag):  # the new key alone cannot open the old box
        sealing.open_identity(
            before, "notify", sealing.ensure_keypair(tmp_path, "notify"), report_id="r"
        )
    (tmp_path / f"notify.{retired}.key").unlink()
    with pytest.raises(ValueError, match="retired key deleted"):
        sealing.open_identity(before, "notify", sealing.keyring(tmp_path, "notify"), report_id="r")


def test_keys_rotate_and_list_from_the_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from services.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["keys", "list", "--keys-dir", str(tmp_path)])
    assert first.exit_code == 0 and "retired -" in first.output
    rotated = runner.invoke(app, ["keys", "rotate", "discipline", "--keys-dir", str(tmp_path)])
    assert rotated.exit_code == 0, rotated.output
    listed = runner.invoke(app, ["keys", "list", "--keys-dir", str(tmp_path)])
    lines = dict(line.split(": ", 1) for line in listed.output.splitlines())
    assert not lines["discipline"].endswith("retired -")  # the rotated holder keeps the old key
    assert lines["notify"].endswith("retired -") and lines["federation"].endswith("retired -")
    refused = runner.invoke(app, ["keys", "rotate", "mayor", "--keys-dir", str(tmp_path)])
    assert refused.exit_code == 2


def test_a_box_stored_without_its_key_id_is_opened_with_the_current_key(tmp_path: Path) -> None:
    identity = {"phone": "13800138000"}
    notify_key = {"notify": sealing.public_key(tmp_path, "notify")}
    sealed = sealing.seal_identity(identity, notify_key, report_id="r")
    bare = sealed.model_copy(update={"key_ids": {}})
    assert (
        sealing.open_identity(bare, "notify", sealing.keyring(tmp_path, "notify"), report_id="r")
        == identity
    )
    sealing.rotate(tmp_path, "notify")  # no name, no way to tell it was sealed to the old key
    with pytest.raises(InvalidTag):
        sealing.open_identity(bare, "notify", sealing.keyring(tmp_path, "notify"), report_id="r")
