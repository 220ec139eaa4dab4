"""Unit contacts: where a unit's mail and SMS go and whether it takes a daily digest.

Configuration, not data notify learns: a YAML file (`ZUOFENG_NOTIFY_CONTACTS_FILE`), checked
whole at start. `default` applies to units the file does not list, `{unit}` standing for the
unit id (the packaged example points every unit at an example.org address).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{5,19}$")]


class ContactsError(ValueError):
    """The contacts file is unreadable or invalid; the message says where."""


class UnitContact(BaseModel):
    """One unit's addresses and preferences; SMS is used for urgent notices only."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    email: tuple[Email, ...] = ()
    sms: tuple[Phone, ...] = ()
    digest: Literal["none", "daily"] = "none"
    language: Literal["zh-CN", "en"] | None = None


class ContactsFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    default: UnitContact | None = None
    units: dict[str, UnitContact] = {}


class Contacts:
    """Look-ups over a validated contacts file."""

    def __init__(self, data: ContactsFile | None = None) -> None:
        self._data = data or ContactsFile()

    def for_unit(self, unit: str) -> UnitContact:
        """The unit's contact, else the default with `{unit}` filled in, else nothing."""
        if unit in self._data.units:
            return self._data.units[unit]
        default = self._data.default
        if default is None:
            return UnitContact()
        return default.model_copy(
            update={
                "email": tuple(a.replace("{unit}", unit) for a in default.email),
                "sms": default.sms,
            }
        )

    def takes_digest(self, unit: str) -> bool:
        return self.for_unit(unit).digest == "daily"


def load_contacts(path: Path | None) -> Contacts:
    """Read and validate the contacts file; None gives empty contacts (inbox only)."""
    if path is None:
        return Contacts()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ContactsError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ContactsError(f"{path}: not valid YAML: {exc}") from None
    try:
        return Contacts(ContactsFile.model_validate(raw))
    except ValidationError as exc:
        where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ContactsError(f"{path}: {where}") from None
