"""Sealed reporter identities: encrypted to the holders' public keys, readable only by them.

A sealed box per holder: an ephemeral X25519 key agreed with the holder's public key, HKDF to
an AES-256-GCM key, the ephemeral public key sent beside the ciphertext. Intake holds only
public keys, so it cannot read back what it sealed. Blind indexes let cases link repeat
reports by the same phone number without seeing it.

Each holder's box holds only the fields that holder needs (notify: phone and email, to send
notices; discipline inspection: name too). Boxes of format 2 (`2.` before the base64) are bound
to their report and holder as AEAD associated data, so a box copied onto another report, or
handed to the other holder, fails to open. Boxes without the prefix (format 1, sealed before
the binding) carry no associated data and still open, so stored data stays readable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.events.intake import SealedIdentity

HOLDERS = ("notify", "discipline")
# What each holder's box holds: notify only reaches the reporter; discipline identifies them.
FIELDS = {"notify": ("phone", "email"), "discipline": ("name", "phone", "email")}
_INFO = b"zuofeng-sealed-identity-v1"
_V2 = "2."  # not in the base64 alphabet: a format-1 box never starts with it


def _raw(public: X25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: X25519PublicKey) -> str:
    """A short fingerprint naming the key a box was sealed to (for rotation)."""
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


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
    eph_raw = _raw(ephemeral.public_key())
    key = _derive(ephemeral.exchange(recipient), eph_raw, _raw(recipient))
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
    recipient = _raw(private.public_key())
    key = _derive(private.exchange(X25519PublicKey.from_public_bytes(eph_raw)), eph_raw, recipient)
    return AESGCM(key).decrypt(nonce, ciphertext, ad)


def seal_identity(
    identity: dict[str, str], holders: dict[str, X25519PublicKey], *, report_id: str
) -> SealedIdentity:
    """Seal, once per holder, the fields that holder needs, bound to the report and the holder;
    nothing in clear leaves this function."""

    def box(holder: str, key: X25519PublicKey) -> str:
        wanted = {k: v for k, v in identity.items() if k in FIELDS.get(holder, ())}
        plaintext = json.dumps(wanted, ensure_ascii=False).encode()
        return seal(plaintext, key, bound_to(report_id, holder))

    return SealedIdentity(
        sealed={name: box(name, key) for name, key in holders.items()},
        key_ids={name: key_id(key) for name, key in holders.items()},
        has_phone=bool(identity.get("phone")),
        has_email=bool(identity.get("email")),
    )


Keyring = dict[str, X25519PrivateKey]  # key id -> private key: the current and retired ones


def open_identity(
    sealed: SealedIdentity,
    holder: str,
    private: X25519PrivateKey | Keyring,
    *,
    report_id: str,
) -> dict[str, str]:
    """Open the holder's box of this report with its key, or with the key of a ring the box
    names (boxes sealed before a rotation stay readable with the retired key). A box moved
    from another report or holder raises InvalidTag."""
    box, ad = sealed.sealed[holder], bound_to(report_id, holder)
    if not isinstance(private, dict):
        return dict(json.loads(open_sealed(box, private, ad)))
    # The box names its key; one without a name predates rotation: the current key (last).
    wanted = sealed.key_ids.get(holder) or list(private)[-1]
    if wanted not in private:
        raise ValueError(f"no {holder} key {wanted} in the keyring (retired key deleted?)")
    return dict(json.loads(open_sealed(box, private[wanted], ad)))


def normalise_phone(phone: str) -> str:
    """Digits only, without the +86/0086 country prefix, so spellings of one number agree."""
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def blind_index(secret: str, phone: str) -> str:
    """Keyed hash of the normalised phone: equal for one number, useless without the key."""
    return hmac.new(secret.encode(), normalise_phone(phone).encode(), hashlib.sha256).hexdigest()


def ensure_keypair(keys_dir: Path, holder: str) -> X25519PrivateKey:
    """A holder's private key, created on first use (local runs; production mounts its keys)."""
    path = keys_dir / f"{holder}.key"
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True)
        pem = X25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        (keys_dir / f"{holder}.pub").write_bytes(_raw(_load_private(path).public_key()))
    return _load_private(path)


def _load_private(path: Path) -> X25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, X25519PrivateKey):
        raise ValueError(f"{path} is not an X25519 private key")
    return key


def public_key(keys_dir: Path, holder: str, *, create: bool = True) -> X25519PublicKey:
    """A holder's public key (created with its pair on a fresh local run; with `create=False`,
    as in production where only the holder keeps its private key, a missing key is an error)."""
    pub = keys_dir / f"{holder}.pub"
    if not pub.exists():
        if not create:
            raise FileNotFoundError(f"no public key for holder {holder!r} in {keys_dir}")
        ensure_keypair(keys_dir, holder)
    return X25519PublicKey.from_public_bytes(pub.read_bytes())


def keyring(keys_dir: Path, holder: str) -> Keyring:
    """Every retired key kept beside the holder's as `<holder>.<key id>.key`, then its current
    key (created on first use, as `ensure_keypair`), last."""
    ring = {}
    current = ensure_keypair(keys_dir, holder)
    for path in sorted(keys_dir.glob(f"{holder}.*.key")):
        key = _load_private(path)
        ring[key_id(key.public_key())] = key
    ring[key_id(current.public_key())] = current
    return ring


def rotate(keys_dir: Path, holder: str) -> tuple[str, str]:
    """Retire the holder's key (kept as `<holder>.<key id>.key` to open older boxes) and make a
    new pair; returns (retired id, new id). Services that seal (intake) pick up the new public
    key when they next start; until then they seal to the retired one, which still opens."""
    old = ensure_keypair(keys_dir, holder)
    old_id = key_id(old.public_key())
    (keys_dir / f"{holder}.key").rename(keys_dir / f"{holder}.{old_id}.key")
    (keys_dir / f"{holder}.pub").rename(keys_dir / f"{holder}.{old_id}.pub")
    new = ensure_keypair(keys_dir, holder)
    return old_id, key_id(new.public_key())
