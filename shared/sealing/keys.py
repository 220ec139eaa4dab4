"""The holders' key pairs on disk: created on a fresh local run, rotated with the retired
private keys kept so older boxes still open."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from shared.sealing.boxes import key_id, raw

Keyring = dict[str, X25519PrivateKey]  # key id -> private key: the current and retired ones


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
        (keys_dir / f"{holder}.pub").write_bytes(raw(_load_private(path).public_key()))
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
