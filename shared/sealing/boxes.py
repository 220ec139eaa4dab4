"""Sealed boxes: an ephemeral X25519 key agreed with the holder's public key, HKDF to an
AES-256-GCM key, the ephemeral public key sent beside the ciphertext.

Boxes of format 2 (`2.` before the base64) are bound to their report and holder as AEAD
associated data, so a box copied onto another report, or handed to the other holder, fails to
open. Boxes without the prefix (format 1, sealed before the binding) carry no associated data
and still open, so stored data stays readable.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"zuofeng-sealed-identity-v1"
_V2 = "2."  # not in the base64 alphabet: a format-1 box never starts with it


def raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: X25519PublicKey) -> str:
    """A short fingerprint naming the key a box was sealed to (for rotation)."""
    return hashlib.sha256(raw(public)).hexdigest()[:16]


def _derive(shared_secret: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=_INFO
    ).derive(shared_secret)


def bound_to(report_id: str, holder: str) -> bytes:
    """The associated data of a format-2 box: which report and which holder it belongs to."""
    return json.dumps(["zuofeng-sealed-identity-v2", report_id, holder]).encode()


def seal(plaintext: bytes, recipient: X25519PublicKey, associated: bytes | None = None) -> str:
    """A box for `recipient`; with `associated` data, a format-2 box that opens only with it."""
    ephemeral = X25519PrivateKey.generate()
    eph_raw = raw(ephemeral.public_key())
    key = _derive(ephemeral.exchange(recipient), eph_raw, raw(recipient))
    nonce = os.urandom(12)
    box = eph_raw + nonce + AESGCM(key).encrypt(nonce, plaintext, associated)
    encoded = base64.b64encode(box).decode()
    return _V2 + encoded if associated is not None else encoded


def open_sealed(box_b64: str, private: X25519PrivateKey, associated: bytes | None = None) -> bytes:
    """Open a box; a format-2 box needs the associated data it was sealed with (InvalidTag
    otherwise), a format-1 box has none and ignores it."""
    ad = None
    if box_b64.startswith(_V2):
        box_b64, ad = box_b64[len(_V2) :], associated
        if ad is None:
            raise ValueError("a bound box needs its report and holder to open")
    box = base64.b64decode(box_b64)
    eph_raw, nonce, ciphertext = box[:32], box[32:44], box[44:]
    recipient = raw(private.public_key())
    key = _derive(private.exchange(X25519PublicKey.from_public_bytes(eph_raw)), eph_raw, recipient)
    return AESGCM(key).decrypt(nonce, ciphertext, ad)
