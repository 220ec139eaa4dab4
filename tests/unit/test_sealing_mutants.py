"""Sealing at its edges: what `make mutants` found the other sealing tests let through."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared import sealing
from shared.events.intake import SealedIdentity


def _raw(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_a_box_built_by_the_documented_scheme_opens() -> None:
    # What a holder's own tooling would do, from the module's description alone: an ephemeral
    # X25519 agreement, HKDF-SHA256 (salt: ephemeral then recipient public key, info: the
    # scheme's name) to an AES-256-GCM key; box = ephemeral public key, nonce, ciphertext.
    holder = X25519PrivateKey.generate()
    ephemeral = X25519PrivateKey.generate()
    salt = _raw(ephemeral) + _raw(holder)
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"zuofeng-sealed-identity-v1"
    ).derive(ephemeral.exchange(holder.public_key()))
    nonce = os.urandom(12)
    box = _raw(ephemeral) + nonce + AESGCM(key).encrypt(nonce, "张三".encode(), None)
    assert sealing.open_sealed(base64.b64encode(box).decode(), holder) == "张三".encode()


def test_different_numbers_have_different_blind_indexes() -> None:
    one = sealing.blind_index("k", "13800138000")
    assert one == sealing.blind_index("k", "+86 138-0013-8000")
    assert one != sealing.blind_index("k", "13900139000")
    assert one != sealing.blind_index("other key", "13800138000")


def test_only_a_country_prefix_before_eleven_digits_is_dropped() -> None:
    assert sealing.normalise_phone("0086 138 0013 8000") == "13800138000"
    assert sealing.normalise_phone("86-1234-5678") == "8612345678"  # no prefix: a short number
    assert sealing.normalise_phone("0086-10-1234-5678") == "00861012345678"


def test_a_key_id_is_sixteen_hex_digits_of_the_public_keys_hash() -> None:
    key = X25519PrivateKey.generate()
    key_id = sealing.key_id(key.public_key())
    assert re.fullmatch(r"[0-9a-f]{16}", key_id)
    assert hashlib.sha256(_raw(key)).hexdigest().startswith(key_id)


def test_a_fresh_keys_folder_is_created_with_its_parents(tmp_path: Path) -> None:
    keys = tmp_path / "var" / "deep" / "keys"
    private = sealing.ensure_keypair(keys, "notify")
    assert (keys / "notify.pub").read_bytes() == _raw(private)
    assert sealing.public_key(keys, "notify").public_bytes_raw() == _raw(private)


def test_a_missing_public_key_names_the_holder_and_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as missing:
        sealing.public_key(tmp_path, "discipline", create=False)
    assert str(missing.value) == f"no public key for holder 'discipline' in {tmp_path}"


@pytest.mark.parametrize(
    ("identity", "phone", "email"),
    [
        ({"name": "张三", "phone": "13800138000"}, True, False),
        ({"name": "张三", "email": "a@example.cn"}, False, True),
        ({"name": "张三", "phone": "", "email": ""}, False, False),
    ],
)
def test_a_sealed_identity_says_which_contacts_it_holds(
    identity: dict[str, str], phone: bool, email: bool
) -> None:
    # Cases and notify read these flags without opening the box.
    holders = {"notify": X25519PrivateKey.generate().public_key()}
    sealed = sealing.seal_identity(identity, holders, report_id="r-1")
    assert (sealed.has_phone, sealed.has_email) == (phone, email)


def test_a_bound_box_built_by_the_documented_scheme_opens() -> None:
    # Format 2: "2." before the base64, and as AEAD associated data the JSON list of the
    # scheme's name, the report id and the holder: what a holder's tooling checks a box against.
    holder = X25519PrivateKey.generate()
    ad = json.dumps(["zuofeng-sealed-identity-v2", "r-1", "notify"]).encode()
    box = sealing.seal(json.dumps({"phone": "13800138000"}).encode(), holder.public_key(), ad)
    sealed = SealedIdentity(sealed={"notify": box}, key_ids={}, has_phone=True, has_email=False)
    assert sealing.open_identity(sealed, "notify", holder, report_id="r-1") == {
        "phone": "13800138000"
    }


def test_a_holder_without_a_field_list_gets_an_empty_box() -> None:
    # Nothing in clear: a holder the module does not know gets none of the reporter's fields.
    holder = X25519PrivateKey.generate()
    identity = {"name": "张三", "phone": "13800138000"}
    sealed = sealing.seal_identity(identity, {"archive": holder.public_key()}, report_id="r-1")
    assert sealing.open_identity(sealed, "archive", holder, report_id="r-1") == {}
