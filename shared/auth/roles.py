"""Who a caller is: a person or system acting for a unit in one of the contract's roles."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

Role = Literal[
    "clerk", "officer", "leader", "supervisor", "city_office", "inspector", "auditor", "integrator"
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
