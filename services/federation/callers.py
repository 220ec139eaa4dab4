"""Who may do what in the programmes, and where: a federation caller's county.

County women's federations (县妇联) and village women's federations are not in the campaign's
directory; their units are named `<county code>-...` (e.g. `371402-fl`, `371402-fl-v12`). A
caller's county is its directory unit's, else the code its unit id starts with; a caller with
neither acts nowhere. County 371400 is the city federation (市妇联, `city-fl`): it sees every
county.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends

from shared.auth import Caller, MaybeCaller, Principal
from shared.directory import Directory
from shared.errors import Refusal
from shared.events.base import CITY_COUNTY

OFFICER = "federation_officer"
CADRE = "village_cadre"
_COUNTY_PREFIX = re.compile(r"^(\d{6})(-|$)")


def county_of(caller: Principal, directory: Directory) -> str | None:
    if caller.unit in directory:
        return directory.unit(caller.unit).county
    found = _COUNTY_PREFIX.match(caller.unit)
    return found.group(1) if found else None


def is_city(caller: Principal, directory: Directory) -> bool:
    return caller.role == OFFICER and county_of(caller, directory) == CITY_COUNTY


def sees(caller: Principal, directory: Directory, county: str) -> bool:
    """A federation officer sees its county's records; the city federation every county's."""
    own = county_of(caller, directory)
    return caller.role == OFFICER and own is not None and own in (county, CITY_COUNTY)


def acts_in(caller: Principal, directory: Directory, county: str) -> bool:
    """Officers and cadres record for their own county (the city's officers for any)."""
    own = county_of(caller, directory)
    if caller.role not in (OFFICER, CADRE) or own is None:
        return False
    return own == county or (caller.role == OFFICER and own == CITY_COUNTY)


def require(caller: Principal, *roles: str) -> None:
    """403 unless the caller has one of `roles` (scope checks, giving 404, come first)."""
    if caller.role not in roles:
        raise Refusal.forbidden("当前角色无权执行此操作", f"role {caller.role} may not do this")


def require_city(caller: Principal, directory: Directory) -> None:
    if not is_city(caller, directory):
        raise Refusal.forbidden("仅市妇联可执行此操作", "only the city federation may do this")


def require_county(caller: Principal, directory: Directory, county: str) -> None:
    """The step a county federation takes: its own officers (or the city's, standing in)."""
    if caller.role != OFFICER or not sees(caller, directory, county):
        raise Refusal.forbidden("仅县级妇联可执行此步骤", "only the county federation may do this")


def refuse_outside(caller: Principal, directory: Directory, county: str) -> None:
    """Records for another county: 403 for a caller who could record somewhere."""
    if not acts_in(caller, directory, county):
        raise Refusal.forbidden("不能为其他县市区登记", "you may not record for another county")


def not_found() -> Refusal:
    return Refusal.not_found("记录不存在", "no such record")


# The role as a route's dependency: FastAPI runs dependencies before it validates the body, so
# a caller of another role hears 403 whatever it sent, never a 422 about fields it may not use.
async def _officer(caller: Caller) -> Principal:
    require(caller, OFFICER)
    return caller


async def _recorder(caller: Caller) -> Principal:
    require(caller, OFFICER, CADRE)
    return caller


async def _submitter(caller: MaybeCaller) -> Principal | None:
    """The woman herself (no credential), or a cadre or officer."""
    if caller is not None:
        require(caller, OFFICER, CADRE)
    return caller


Officer = Annotated[Principal, Depends(_officer)]
Recorder = Annotated[Principal, Depends(_recorder)]
Submitter = Annotated[Principal | None, Depends(_submitter)]
