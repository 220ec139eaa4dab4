"""Sealed reporter identities: encrypted to the holders' public keys, readable only by them.

A sealed box per holder (`boxes`): an ephemeral X25519 key agreed with the holder's public key,
HKDF to an AES-256-GCM key, the ephemeral public key sent beside the ciphertext. Intake holds only
public keys, so it cannot read back what it sealed. Blind indexes let cases link repeat
reports by the same phone number without seeing it.

Each holder's box holds only the fields that holder needs (notify: phone and email, to send
notices; discipline inspection: name too). Boxes of format 2 (`2.` before the base64) are bound
to their report and holder as AEAD associated data, so a box copied onto another report, or
handed to the other holder, fails to open. Boxes without the prefix (format 1, sealed before
the binding) carry no associated data and still open, so stored data stays readable.
"""

from shared.sealing.boxes import bound_to, key_id, open_sealed, seal
from shared.sealing.identity import FIELDS, HOLDERS, open_identity, seal_identity
from shared.sealing.keys import Keyring, ensure_keypair, keyring, public_key, rotate
from shared.sealing.phones import blind_index, normalise_phone

__all__ = [
    "FIELDS",
    "HOLDERS",
    "Keyring",
    "blind_index",
    "bound_to",
    "ensure_keypair",
    "key_id",
    "keyring",
    "normalise_phone",
    "open_identity",
    "open_sealed",
    "public_key",
    "rotate",
    "seal",
    "seal_identity",
]
