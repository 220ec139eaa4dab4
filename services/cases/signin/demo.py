"""`make run`'s demo accounts: one per role for Decheng district (371402, the demo data's
county) and one for the city office, with fixed logins and one password per var/ directory
(random, kept in var/demo-password, shown in the banner at every start). The second-factor
roles enrol on first sign-in (the page shows the secret and its QR code)."""

from __future__ import annotations

from pathlib import Path

from services.cases.context import Context
from services.cases.settings import CasesSettings
from services.cases.signin import accounts, passwords
from services.cases.signin.admin import with_context

# (login, role, unit, name)
DEMO = (
    ("demo-clerk", "clerk", "371402-fpb", "演示登记员"),
    ("demo-officer", "officer", "371402-fpb", "演示承办人"),
    ("demo-leader", "leader", "371402-fpb", "演示分管领导"),
    ("demo-supervisor", "supervisor", "371402-lg", "演示督查人员"),
    ("demo-inspector", "inspector", "371402-jw", "演示纪检监察"),
    ("demo-auditor", "auditor", "city-fpb", "演示审计员"),
    ("demo-city", "city_office", "city-fpb", "演示市专项治理办"),
)


def demo_password(var_dir: Path) -> str:
    """The var/ directory's demo password, made on first use (readable by its owner only)."""
    path = var_dir / "demo-password"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(passwords.generate())
    return path.read_text().strip()


async def ensure_demo(settings: CasesSettings) -> str:
    """Add the demo accounts that are missing; the password they were given."""
    password = demo_password(settings.var_dir)

    async def add_missing(ctx: Context) -> None:
        for login, role, unit, name in DEMO:
            if await accounts.find(ctx, login) is None:
                await accounts.add(ctx, login, unit, role, name, password)

    await with_context(settings, add_missing)
    return password


def banner(password: str, signin_url: str) -> list[str]:
    """The launcher's lines about signing in."""
    logins = ", ".join(login for login, *_ in DEMO)
    return [
        f"  sign in     {signin_url}  password {password} (var/demo-password)",
        f"    as {logins}",
        "    (leader, supervisor, inspector, city: set up a second factor on first sign-in)",
    ]
