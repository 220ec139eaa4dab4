"""Who a caller is: a person or system acting for a unit in one of the contract's roles."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

Role = Literal[
    "clerk",
    "officer",
    "leader",
    "supervisor",
    "city_office",
    "inspector",
    "auditor",
    "integrator",
    # The Women's Federation's programmes (issue 23, services/federation): officers of a county
    # or the city federation (the level is their unit's county), and village cadres who submit.
    "federation_officer",
    "village_cadre",
]
ROLES: tuple[str, ...] = get_args(Role)


class Principal(BaseModel):
    """Who is calling: a person or system (`sub`) acting for a unit in a role."""

    model_config = ConfigDict(frozen=True)
    sub: str
    unit: str
    role: Role


class AuthError(Exception):
    """The token is missing, malformed, badly signed or expired."""
