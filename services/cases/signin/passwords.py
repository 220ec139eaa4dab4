"""Passwords: argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommendation), a
generated password when none is given, and a dummy check for unknown logins so that a wrong
login takes as long as a wrong password."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MIN_LENGTH = 10
# Without look-alikes (0/O, 1/l/I): a generated password is read off a screen and typed.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    return _HASHER.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches; an account without a password (or an unknown login, None)
    costs a full check too."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)


def generate() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))
