"""A reporter's identity sealed once per holder, each box holding only the fields that holder
needs (notify: phone and email, to send notices; discipline inspection: name too)."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from shared.events.intake import SealedIdentity
from shared.sealing.boxes import bound_to, key_id, open_sealed, seal
from shared.sealing.keys import Keyring

HOLDERS = ("notify", "discipline")
# What each holder's box holds: notify only reaches the reporter (by phone, mail, or a printed
# letter to a postal address for one who came by letter or visit); discipline identifies them.
FIELDS = {
    "notify": ("phone", "email", "address"),
    "discipline": ("name", "phone", "email", "address"),
}


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
        has_address=bool(identity.get("address")),
    )


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
