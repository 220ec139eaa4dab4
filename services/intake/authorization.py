"""Who may submit what: web is public, other channels need a clerk's or an integrator's token,
and those submit for their own unit's county only."""

from __future__ import annotations

from services.intake.context import Context
from shared.auth import Principal
from shared.errors import Refusal

CLERK_ROLES = ("clerk", "integrator", "city_office")


def authorize(caller: Principal | None, channel: str) -> None:
    """Web is public; every other channel needs a clerk's or an integrator's token."""
    if channel == "web":
        return
    if caller is None:
        raise Refusal.unauthorized(
            f"{channel} 渠道需要登录凭证", f"channel {channel} requires a token"
        )
    if caller.role not in CLERK_ROLES:
        raise Refusal.forbidden(
            f"角色 {caller.role} 不能提交 {channel} 渠道的举报",
            f"role {caller.role} may not submit {channel} reports",
        )


def authorize_county(ctx: Context, caller: Principal | None, county: str) -> None:
    """A clerk or an integrator submits for its own unit's county; a city-level unit (county
    371400) for any. Over NATS the bus fences this (a county's user publishes only to its
    county's subject); over HTTP this is the fence. A unit the directory does not know has no
    county, so it may submit for none."""
    if caller is None or caller.role not in CLERK_ROLES or county not in ctx.counties:
        return  # the public, and unknown counties (check_report's 422 names those)
    home = ctx.directory.unit(caller.unit).county if caller.unit in ctx.directory else None
    if home not in (county, ctx.directory.city_code):
        raise Refusal.forbidden(
            f"单位 {caller.unit} 不能提交县市区 {county} 的举报",
            f"unit {caller.unit} may not submit for county {county}",
        )
